"""The file formats the pipeline reads, by extension.

Kept apart from pipeline.ingest, which imports the models: `finsam convert` finds its inputs
with these before it starts its workers' forkserver, and that start should not wait for the
tenth of a second the models take to import.
"""

TEXT_SUFFIXES = {".txt", ".md"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
# Files that may need Tesseract: images, and PDFs (scans, or with scanned pages).
OCR_SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | OCR_SUFFIXES | {".docx"}
