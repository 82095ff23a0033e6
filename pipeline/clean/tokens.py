"""Whole-token fixes: find tokens the dictionary knows to be OCR damage.

A token is a run of non-space characters with surrounding punctuation stripped; OCR
damage often sits inside a token (`förm:iga`, `\\,erksamhet`), so only the edges are
stripped. E-mail addresses and URLs are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from models.document import Correction

TOKEN = re.compile(r"\S+")
# Punctuation that may wrap a word: stripped before lookup, kept in the text.
EDGE_PUNCTUATION = "\"'«»()[]{}.,;:!?*"
PROTECTED = re.compile(r"@|^(?:https?://|www\.)", re.IGNORECASE)
# A reviewed dictionary entry is near-certain, but still a machine change.
TOKEN_FIX_CONFIDENCE = 0.95


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


def token_fixes(text: str, fixes: dict[str, str]) -> list[Correction]:
    found = []
    for start, end, core in tokens(text):
        if PROTECTED.search(core):
            continue
        right = fixes.get(core)
        if right is None:
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
