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


def clean_offsets(corrections: list[Correction], offsets: list[int]) -> list[int]:
    """Map raw-text offsets that lie outside any correction to the corrected text."""
    shifts = [0, *accumulate(len(c.corrected) - len(c.original) for c in corrections)]
    ends = [c.end for c in corrections]
    return [offset + shifts[bisect.bisect_right(ends, offset)] for offset in offsets]


def raw_to_clean(corrections: list[Correction], offset: int) -> int:
    return clean_offsets(corrections, [offset])[0]


def page_numbers(doc: Document, offsets: list[int]) -> list[int | None]:
    """The page each raw-text offset lies on (None for a document without pages)."""
    starts = [p.start for p in doc.pages]
    return [
        doc.pages[max(bisect.bisect_right(starts, offset) - 1, 0)].number if starts else None
        for offset in offsets
    ]


def clean_document(doc: Document, settings: Settings) -> Document:
    result = correct(doc.raw_text, settings)
    corrections = result.corrections
    doc.text = apply_corrections(doc.raw_text, corrections)
    for corr, page in zip(corrections, page_numbers(doc, [c.start for c in corrections]), strict=True):
        corr.page = page
    starts = clean_offsets(corrections, [p.start for p in doc.pages])
    for page, clean_start in zip(doc.pages, starts, strict=True):
        page.clean_start = clean_start
    doc.corrections = corrections
    pages = page_numbers(doc, [offset for offset, _ in result.doubtful])
    for (_, amount), page in zip(result.doubtful, pages, strict=True):
        doc.warnings.append(
            f"page {page}: doubtful amount {amount!r} left as read (its digit groups cannot be an amount)"
        )
    return doc


def run(doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    return clean_document(doc, settings_from_environment())
