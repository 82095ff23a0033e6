"""Ingest stage: read one file into raw text and pages.

One reader per format, chosen by file extension; each returns its pages (PageContent),
which are joined here into the raw text with a form feed between pages. A file that
cannot be read becomes a failed Document with the reason; a page that cannot be read
(an OCR time-out, a damaged page) leaves the document `partial` and the rest goes on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from models.document import Document, Page, PageContent
from pipeline.formats import IMAGE_SUFFIXES, TEXT_SUFFIXES
from pipeline.ingest.errors import IngestError
from pipeline.ingest.text import normalise_text, read_text
from pipeline.options import Options

# A form feed on a line of its own: every page then starts at a line start, where the
# heading and field patterns of the later stages look.
PAGE_SEPARATOR = "\f\n"


def read_pages(data: bytes, suffix: str, options: Options) -> list[PageContent]:
    # Readers are imported when first needed: pdfplumber, pypdfium2 and pytesseract (which
    # pulls in pandas) cost most of a second, and a text-only run needs none of them.
    if suffix == ".pdf":
        from pipeline.ingest.pdf import read_pdf

        return read_pdf(data, options)
    if suffix in IMAGE_SUFFIXES:
        from pipeline.ingest.image import read_image

        return read_image(data, options)
    if suffix == ".docx":
        from pipeline.ingest.docx import read_docx

        return read_docx(data)
    raise IngestError(f"unsupported file type {suffix or '(no extension)'}")


def assemble(doc: Document, contents: list[PageContent]) -> Document:
    """Join page texts into the raw text (form feed between pages) and record the pages."""
    parts, pages, offset = [], [], 0
    for number, content in enumerate(contents, start=1):
        text = normalise_text(content.text)
        if text and not text.endswith("\n"):
            text += "\n"
        if number < len(contents):
            text += PAGE_SEPARATOR
        fields = content.model_dump(exclude={"text"})
        pages.append(Page(number=number, start=offset, end=offset + len(text), **fields))
        parts.append(text)
        offset += len(text)
    doc.raw_text, doc.pages = "".join(parts), pages
    sources = {p.source for p in pages}
    doc.text_source = sources.pop() if len(sources) == 1 else "mixed"
    confidences = [p.confidence for p in pages if p.confidence is not None]
    doc.ocr_confidence = round(sum(confidences) / len(confidences), 3) if confidences else None
    failed = [p for p in pages if p.error]
    if failed and len(failed) == len(pages):
        return doc.fail("no page could be read: " + failed[0].error)
    if failed:
        doc.status = "partial"
        doc.warnings.extend(f"page {p.number} not read: {p.error}" for p in failed)
    return doc


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
        else:
            assemble(doc, read_pages(data, suffix, options))
    except IngestError as exc:
        return doc.fail(str(exc))
    doc.text = doc.raw_text
    return doc
