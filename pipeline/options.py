"""Run options shared by the stages; the CLI builds one and passes it down."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    # Tesseract languages for scanned pages (used once the OCR reader lands).
    ocr_languages: str = "swe"
