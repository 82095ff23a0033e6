"""Ingest stage: read one file into raw text and pages.

One reader per format, chosen by file extension. A file that cannot be read becomes a
failed Document with the reason, never an exception out of the stage.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from models.document import Document
from pipeline.ingest.errors import IngestError
from pipeline.ingest.text import read_text
from pipeline.options import Options

TEXT_SUFFIXES = {".txt", ".md"}
# Formats the contract names whose readers are not built yet: they fail clearly.
PENDING_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".docx"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PENDING_SUFFIXES


def run(doc: Document, options: Options) -> Document:
    path = Path(doc.source_file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return doc.fail(f"cannot read file: {exc.strerror or exc}")
    doc.source_sha256 = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            doc.raw_text, doc.pages = read_text(data)
            doc.text_source = "text"
        elif suffix in PENDING_SUFFIXES:
            raise IngestError(f"{suffix} input is not supported yet (only .txt and .md for now)")
        else:
            raise IngestError(f"unsupported file type {suffix or '(no extension)'}")
    except IngestError as exc:
        return doc.fail(str(exc))
    doc.text = doc.raw_text
    return doc
