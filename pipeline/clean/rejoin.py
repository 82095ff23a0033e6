"""Words and years that OCR split apart: which token runs may be read as one.

OCR breaks words at gaps it imagines (`Sarnordni ngslb rbu n d et`, `ha r`, `u nder`), at
line ends (`rehabiliterings` / `insarser`) and at hyphens it inserts (`utifr-an`). A run of
neighbouring tokens is offered to the lattice as one more reading when it plausibly is one
word: it holds a fragment (a token that is no word and either very short or without a
cheap reading of its own), and at most one real word of several letters. Whether the
joined reading wins is then a question of scores.

Years are different: `20 21` is never an amount (thousands are grouped by three), so it is
rejoined whenever it stands alone and reads as a year; `2 021` could be the amount 2 021
and is rejoined only next to a word from corrections/year_context.tsv (`juni 2 021`,
`2 021 års`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.clean.dictionary import CORRECTIONS_DIR, DictionaryError, data_lines
from pipeline.clean.tokens import Token

YEAR_CONTEXT = CORRECTIONS_DIR / "year_context.tsv"
YEAR_RANGE = range(1950, 2050)
# A joined word may span this many tokens (`Sarnordni ngslb rbu n d et` is six) and letters.
MAX_JOIN_TOKENS = 6
MAX_JOIN_LETTERS = 32
# A run may hold one real word this long (`vår cn` -> våren); two make it two words.
LONG_WORD = 3
JOINABLE_GAPS = {"space", "newline", "hyphen", "slash"}
# Year rejoins are sure when the split cannot be an amount, likelier wrong when it could.
YEAR_CONFIDENCE_UNGROUPABLE = 0.95
YEAR_CONFIDENCE_IN_CONTEXT = 0.85


@dataclass(frozen=True)
class YearContext:
    before: frozenset[str]
    after: frozenset[str]


def parse_year_context(lines: list[str], source: str = "<memory>") -> YearContext:
    before, after = set(), set()
    for number, fields in data_lines(lines):
        if len(fields) < 2 or fields[1] not in ("before", "after") or not fields[0]:
            raise DictionaryError(f"{source}:{number}: expected WORD<TAB>before|after")
        (before if fields[1] == "before" else after).add(fields[0].lower())
    return YearContext(frozenset(before), frozenset(after))


@lru_cache(maxsize=4)
def load_year_context(path: Path = YEAR_CONTEXT) -> YearContext:
    return parse_year_context(path.read_text(encoding="utf-8").splitlines(), str(path))


def year_joins(tokens: list[Token], raw: str, context: YearContext) -> list[tuple[int, int, str, float]]:
    """(index of the first token, of the second, the year, confidence) for each split year."""
    found = []
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if a.kind != "number" or b.kind != "number" or raw[a.end : b.start] != " ":
            continue
        if not (a.text.isdigit() and b.text.isdigit() and len(a.text) + len(b.text) == 4):
            continue
        year = a.text + b.text
        if int(year) not in YEAR_RANGE or year.startswith("0"):
            continue
        before = tokens[i - 1] if i > 0 and tokens[i].gap != "break" else None
        after = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].gap != "break" else None
        if (before and before.kind == "number") or (after and after.kind == "number"):
            continue  # part of a longer run of numbers: a table row or an amount
        if len(b.text) != 3:  # 20 21, 202 1: cannot be a grouped amount
            found.append((i, i + 1, year, YEAR_CONFIDENCE_UNGROUPABLE))
        elif (before and before.text.lower() in context.before) or (
            after and after.text.lower() in context.after
        ):
            found.append((i, i + 1, year, YEAR_CONFIDENCE_IN_CONTEXT))
    return found


def join_windows(tokens: list[Token], valid: list[bool], fragment: list[bool]) -> list[tuple[int, int]]:
    """(first, stop) of the token runs worth reading as one word."""
    windows: dict[tuple[int, int], None] = {}  # ordered, and membership without a scan
    # A window needs a fragment among its tokens: from each token, where the next one is.
    next_fragment = [len(tokens)] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        next_fragment[i] = i if fragment[i] else next_fragment[i + 1]
    for first in range(len(tokens)):
        if not tokens[first].is_word:
            continue
        if line_break_join(tokens, first):
            windows[(first, first + 2)] = None
        if next_fragment[first] >= first + MAX_JOIN_TOKENS:
            continue
        letters, has_fragment = len(tokens[first].text), fragment[first]
        long_words = int(valid[first] and len(tokens[first].text) > LONG_WORD)
        for stop in range(first + 2, min(first + MAX_JOIN_TOKENS, len(tokens)) + 1):
            token = tokens[stop - 1]
            if not token.is_word or token.gap not in JOINABLE_GAPS or tokens[stop - 2].hyphen_after:
                break
            if token.gap == "newline" and token.text[:1].isupper():
                break  # a new line starting with a capital is a new sentence or name
            letters += len(token.text)
            has_fragment = has_fragment or fragment[stop - 1]
            long_words += valid[stop - 1] and len(token.text) > LONG_WORD
            if letters > MAX_JOIN_LETTERS or long_words > 1:
                break
            if has_fragment:
                windows.setdefault((first, stop))
    return list(windows)


def line_break_join(tokens: list[Token], first: int) -> bool:
    """A word broken at a line end: `arbets-` / `marknaden`, `rehabiliterings` / `insatser`.

    The first part ends the line with a hyphen, or with the linking s of a compound; the
    second starts the next line in lowercase. (`hälso- och` keeps its hyphen: no line break.)
    """
    if first + 1 >= len(tokens):
        return False
    head, tail = tokens[first], tokens[first + 1]
    return (
        tail.is_word
        and tail.gap == "newline"
        and tail.text[:1].islower()
        and (head.hyphen_after or (head.text.endswith("s") and len(head.text) > LONG_WORD + 3))
    )
