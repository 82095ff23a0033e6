"""finsam: Swedish Finsam reports (scanned, OCR'd, born-digital or Word) into a clean dataset."""

__version__ = "0.1.0"
