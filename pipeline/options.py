"""Run options shared by the stages; the CLI builds one and passes it down."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Metadata of the fields that only say how a batch runs, not what it produces: the dataset
# manifest leaves them out of the settings that decide whether old rows can be reused.
RUN_ONLY = {"run_only": True}


@dataclass(frozen=True)
class Options:
    # Tesseract languages for scanned pages, as for `tesseract -l` (e.g. "swe+eng").
    ocr_languages: str = "swe"
    # Resolution pages are rendered at for OCR; Tesseract is tuned for about 300 dpi.
    ocr_dpi: int = 300
    # Seconds one page may take in Tesseract before it is given up (the page fails, the
    # document becomes partial).
    ocr_timeout: float = 120.0
    # Grayscale, deskew and binarise before OCR.
    ocr_preprocess: bool = True
    # How the pages of one file that need OCR are mapped over: like the built-in `map`
    # (results in order), which is what None means. The batch executors put their page
    # fan-out here, so a long scanned PDF is read on every idle core (pipeline/runner/).
    page_map: Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]] | None = field(
        default=None, compare=False, metadata=RUN_ONLY
    )
    # Called just before Tesseract starts on a page (its image saved), in the thread that
    # runs it: a pool worker begins loading what the later stages need while Tesseract
    # reads (pipeline/runner/warm.py).
    ocr_starting: Callable[[], None] | None = field(default=None, compare=False, metadata=RUN_ONLY)
    # Seconds a worker process may go without progress (a file, or an OCR page of a PDF,
    # done) before it is stopped and its file fails: a hang anywhere must not stall a batch.
    # Tesseract is stopped after ocr_timeout anyway; this catches the rest. Image files
    # report no progress until done, so a multi-page TIFF must fit: at the 3-4 s an A4
    # page at 300 dpi takes on one core, 30 minutes is about 450 pages.
    worker_timeout: float = field(default=1800.0, metadata=RUN_ONLY)
