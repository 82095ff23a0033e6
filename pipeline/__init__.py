"""finsam: Swedish Finsam reports (scanned, OCR'd, born-digital or Word) into a clean dataset."""

from pipeline.compiled import guard

__version__ = "0.1.0"

# A module edited since it was compiled runs from its source (pipeline/compiled.py).
guard()
