"""Run options shared by the stages; the CLI builds one and passes it down."""

from __future__ import annotations

from dataclasses import dataclass


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
