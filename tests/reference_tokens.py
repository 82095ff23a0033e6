"""tokens.py's scans as they were written in Python before they were compiled (_tokens.pyx):
the references the tests hold the compiled scans to."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.clean.tokens import (
    EDGE_PUNCTUATION,
    LEADING_MARKS,
    SENTENCE_CLOSERS,
    SENTENCE_MARKS,
    STROKE,
    TRAILING_MARKS,
    Token,
    add_parts,
    kind_of,
    lone_stroke,
)

TOKEN = re.compile(r"\S+")
# A token with the whitespace before it (which says how it is separated from the last one).
SPACED_TOKEN = re.compile(r"(\s*)(\S+)")


def gap_kind(text: str) -> str:
    if "\f" in text or text.count("\n") >= 2:
        return "break"
    return "newline" if "\n" in text else "space"


def core_span(chunk: str) -> tuple[int, int]:
    """Start and end of the chunk without the marks that wrap it."""
    start, end = 0, len(chunk)
    if chunk[0] not in LEADING_MARKS and chunk[-1] not in TRAILING_MARKS and chunk[-1] != "-":
        return start, end
    while start < end and chunk[start] in LEADING_MARKS:
        start += 1
    while end > start and (chunk[end - 1] in TRAILING_MARKS or chunk[end - 1] == "-"):
        end -= 1
    return start, end


def split_tokens(text: str) -> list[Token]:
    """The tokens of a whole text, in order."""
    out: list[Token] = []
    append = out.append
    sentence_start, first = True, True
    for match in SPACED_TOKEN.finditer(text):
        space, chunk = match.group(1, 2)
        if first:
            gap, first = "start", False
        elif "\n" in space or "\f" in space:
            gap = gap_kind(space)
            if gap == "break":
                sentence_start = True
        else:
            gap = "space"
        start, end = core_span(chunk)
        core = chunk[start:end]
        if core:
            kind = kind_of(core, chunk)
            base = match.start(2) + start
            hyphen_after = chunk.startswith("-", end)
            if kind == "word" and ("/" in core or "-" in core):
                add_parts(out, core, base, gap, sentence_start, hyphen_after)
            else:
                append(Token(base, base + len(core), core, gap, sentence_start, kind, hyphen_after))
        ended = chunk.rstrip(SENTENCE_CLOSERS) if chunk[-1] in SENTENCE_CLOSERS else chunk
        sentence_start = bool(ended) and ended[-1] in SENTENCE_MARKS
    if STROKE in text:
        for i, token in enumerate(out):
            if token.text == STROKE and not lone_stroke(text, out, i):
                token.kind = "protected"
    return out


def tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) with edge punctuation stripped; offsets point at the core."""
    for match in TOKEN.finditer(text):
        raw = match.group()
        core = raw.strip(EDGE_PUNCTUATION)
        if not core:
            continue
        lead = len(raw) - len(raw.lstrip(EDGE_PUNCTUATION))
        start = match.start() + lead
        yield start, start + len(core), core
