"""Clean stage: correct OCR errors in the raw text and log every change.

The raw text is never edited in place: the stage collects Corrections (offsets in the raw
text, original, corrected, rule, confidence), then builds the corrected text from them.
Because every change is a logged span, any offset of the corrected text maps back to the
raw text and the page it came from.
"""

from __future__ import annotations

import bisect

from models.document import Correction, Document
from pipeline.clean.dictionary import load_token_fixes
from pipeline.clean.tokens import token_fixes
from pipeline.options import Options


def apply_corrections(raw: str, corrections: list[Correction]) -> str:
    """Build the corrected text; sets each correction's offset in it (clean_start)."""
    out, cursor, shift = [], 0, 0
    for corr in sorted(corrections, key=lambda c: c.start):
        if corr.start < cursor:
            raise ValueError(f"overlapping corrections at offset {corr.start}")
        out.append(raw[cursor : corr.start])
        out.append(corr.corrected)
        corr.clean_start = corr.start + shift
        shift += len(corr.corrected) - len(corr.original)
        cursor = corr.end
    out.append(raw[cursor:])
    return "".join(out)


def raw_to_clean(corrections: list[Correction], offset: int) -> int:
    """Map a raw-text offset that lies outside any correction to the corrected text."""
    ends = [c.end for c in corrections]
    shift = 0
    for corr in corrections[: bisect.bisect_right(ends, offset)]:
        shift += len(corr.corrected) - len(corr.original)
    return offset + shift


def run(doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    corrections = token_fixes(doc.raw_text, load_token_fixes())
    doc.text = apply_corrections(doc.raw_text, corrections)
    page_starts = [p.start for p in doc.pages]
    for corr in corrections:
        corr.page = doc.pages[bisect.bisect_right(page_starts, corr.start) - 1].number
    for page in doc.pages:
        page.clean_start = raw_to_clean(corrections, page.start)
    doc.corrections = corrections
    return doc
