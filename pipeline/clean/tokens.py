"""Split raw text into the tokens the corrector looks at, and apply whole-token fixes.

A token is a run of non-space characters with the punctuation around it stripped. OCR
damage often sits inside a token (`förm:iga`, `\\,erksamhet`, `olil<a`) and sometimes at
its start (`'fimrå`, `.edovisning`), so only marks that wrap words in real text are
stripped: quotes and brackets in front, sentence marks and closing brackets behind. Slashes
and inner hyphens split a token into parts (`insatser/projekt`, `Härnösand-Timrå`), which
the corrector may join again. Each token records what separates it from the previous one,
whether it starts a sentence, and whether it is a word at all: numbers, e-mail addresses,
URLs, markup, acronyms and symbols are never corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.document import Correction
from pipeline.clean import _tokens

# Punctuation that may wrap a word: stripped before lookup, kept in the text.
EDGE_PUNCTUATION = "\"'«»()[]{}.,;:!?*"
PROTECTED = re.compile(r"@|^(?:https?://|www\.)", re.IGNORECASE)
# A reviewed dictionary entry is near-certain, but still a machine change.
TOKEN_FIX_CONFIDENCE = 0.95

# Marks stripped from the front and the back of a chunk. An apostrophe, a dot or a backslash
# in front is usually a damaged letter (`'fimrå`, `.edovisning`, `\,erksamhet`), so stays.
LEADING_MARKS = '"«»“”„([{*‘’<-–—/•○●▪■►·'
TRAILING_MARKS = "\"'«»“”)]}.,;:!?*‘’/•○●▪■►·"
SENTENCE_MARKS = ".!?:"
# Closing marks that may follow a sentence mark (`slut.")`).
SENTENCE_CLOSERS = "\"'»”)]*"
PART_SEPARATOR = re.compile(r"(?<=[^\W\d_])([/-])(?=[^\W\d_])")
NUMBER = re.compile(r"^[\d\s.,:;\-–—/%()+]*\d[\d\s.,:;\-–—/%()+]*$")
ADDRESS = re.compile(r"@|^(?:https?:|www\.|mailto:)|\.(?:se|com|org|nu|net|eu)\b", re.IGNORECASE)
MARKUP = re.compile(r"^</?[A-Za-z!]|[=>]|&[a-z]+;")
ACRONYM = re.compile(r"^[A-ZÅÄÖ]{2,}s?$")
# Tesseract reads a lone `i` as a bar. A bar is a word only between words on a line with no
# other bar (a markdown table row has several).
STROKE = "|"


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    # What separates it from the previous token: "start" (first token), "space", "newline",
    # "break" (a blank line or page break), "hyphen" or "slash" (parts of one chunk).
    gap: str
    sentence_start: bool
    # "word" (may be corrected), "number" or "protected" (never changed).
    kind: str
    # Followed directly by a hyphen and a space (`hälso- och`): the first part of a compound.
    hyphen_after: bool = False

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


def token_fixes(text: str, fixes: dict[str, str]) -> list[Correction]:
    """A correction for each run of non-space characters whose core (without the edge
    punctuation around it) has a fix, unless it is an address; scanned by _tokens.cores."""
    found = []
    for start, end, core in _tokens.cores(text, EDGE_PUNCTUATION, fixes):
        right = fixes[core]
        if PROTECTED.search(core):
            continue
        found.append(
            Correction(
                start=start,
                end=end,
                original=core,
                corrected=right,
                rule="token_fix",
                confidence=TOKEN_FIX_CONFIDENCE,
            )
        )
    return found


def kind_of(core: str, chunk: str) -> str:
    if chunk.isalpha():  # most chunks: no address, markup or number can be all letters
        return "protected" if ACRONYM.match(chunk) else "word"
    if chunk == STROKE:
        return "word"  # a lone bar between words is a letter (`i`) in OCR text; see split_tokens
    if ADDRESS.search(chunk) or MARKUP.search(chunk) or "§" in core:
        return "protected"
    if core.isalpha():  # most tokens: the counts below are then known
        return "protected" if ACRONYM.match(core) else "word"
    if NUMBER.match(core):
        return "number"
    letters = sum(ch.isalpha() for ch in core)
    digits = sum(ch.isdigit() for ch in core)
    if letters < 1 or digits > 1 or (digits and letters < 3):
        return "protected"
    if ACRONYM.match(core):
        return "protected"
    return "word"


def split_tokens(text: str) -> list[Token]:
    """The tokens of a whole text, in order.

    A token is the core of a run of non-space characters (the run without LEADING_MARKS in
    front and TRAILING_MARKS or hyphens behind), or a part of one (add_parts). Its gap says
    what separates it from the previous run: "break" for a form feed or two line ends,
    "newline", "space", or "start" for the first. A sentence starts after a break and after
    a run ending in a sentence mark (closing marks may follow). The scan is compiled
    (_tokens.pyx); tests/reference_tokens.py holds it in Python.
    """
    out = _tokens.split(
        text, Token, kind_of, add_parts, LEADING_MARKS, TRAILING_MARKS, SENTENCE_CLOSERS, SENTENCE_MARKS
    )
    if STROKE in text:
        for i, token in enumerate(out):
            if token.text == STROKE and not lone_stroke(text, out, i):
                token.kind = "protected"
    return out


def add_parts(
    out: list[Token], core: str, base: int, gap: str, sentence_start: bool, hyphen_after: bool
) -> None:
    """The parts of a word token that slashes or inner hyphens split (`insatser/projekt`)."""
    cuts = [m.start() for m in PART_SEPARATOR.finditer(core)]
    bounds = [0, *[c + 1 for c in cuts], len(core) + 1]
    last = len(bounds) - 2
    for index in range(last + 1):
        part_start, part_end = bounds[index], bounds[index + 1] - 1
        separator = core[part_start - 1] if index else ""
        out.append(
            Token(
                start=base + part_start,
                end=base + part_end,
                text=core[part_start:part_end],
                gap=gap if index == 0 else ("slash" if separator == "/" else "hyphen"),
                sentence_start=sentence_start and index == 0,
                kind="word",
                hyphen_after=index == last and hyphen_after,
            )
        )


def lone_stroke(text: str, tokens: list[Token], i: int) -> bool:
    """A bar between two words of one line that holds no other bar."""
    line_start = text.rfind("\n", 0, tokens[i].start) + 1
    line_end = text.find("\n", tokens[i].end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    neighbours = tokens[i - 1 : i] + tokens[i + 1 : i + 2]
    return (
        line.count(STROKE) == 1
        and len(neighbours) == 2
        and all(t.kind == "word" and t.text != STROKE for t in neighbours)
        and tokens[i].gap == "space"
        and tokens[i + 1].gap == "space"
    )
