"""Clean stage: correct OCR errors in the raw text and log every change.

The raw text is never edited in place: the stage collects Corrections (offsets in the raw
text, original, corrected, rule, confidence), then builds the corrected text from them.
Because every change is a logged span, any offset of the corrected text maps back to the
raw text and the page it came from. How corrections are found is in corrector.py; numbers
whose digits cannot be an amount are not corrected but reported in the document's warnings.
"""

from __future__ import annotations

import bisect
from itertools import accumulate

from models.document import Correction, Document
from pipeline.clean.corrector import Settings, correct, settings_from_environment
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


def page_number(doc: Document, offset: int) -> int | None:
    if not doc.pages:
        return None
    starts = [p.start for p in doc.pages]
    return doc.pages[max(bisect.bisect_right(starts, offset) - 1, 0)].number


def clean_document(doc: Document, settings: Settings) -> Document:
    result = correct(doc.raw_text, settings)
    corrections = result.corrections
    doc.text = apply_corrections(doc.raw_text, corrections)
    starts = [p.start for p in doc.pages]
    for corr in corrections:
        corr.page = doc.pages[max(bisect.bisect_right(starts, corr.start) - 1, 0)].number if starts else None
    shifts = list(accumulate(len(c.corrected) - len(c.original) for c in corrections))
    ends = [c.end for c in corrections]
    for page in doc.pages:  # raw_to_clean for each page start, with the shifts summed once
        before = bisect.bisect_right(ends, page.start)
        page.clean_start = page.start + (shifts[before - 1] if before else 0)
    doc.corrections = corrections
    for offset, amount in result.doubtful:
        doc.warnings.append(
            f"page {page_number(doc, offset)}: doubtful amount {amount!r} left as read "
            "(its digit groups cannot be an amount)"
        )
    return doc


def run(doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    return clean_document(doc, settings_from_environment())
