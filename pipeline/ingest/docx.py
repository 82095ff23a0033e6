"""Reader for Word files (.docx): paragraphs and tables in document order.

The förbund's slutrapport template is often filled in Word, with the goal and cost tables
as real tables; they are written as tab-separated rows (one row a line) where they stand,
and kept as cells on the page. A .docx has no fixed pages, so the file is one page.
"""

from __future__ import annotations

import io
import time
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from models.document import PageContent
from pipeline.ingest.errors import IngestError


def table_rows(table: Table) -> list[list[str]]:
    """Rows of cell texts; a merged cell (repeated by python-docx) is kept once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    return rows


def body_blocks(document) -> list[Paragraph | Table]:
    blocks = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            blocks.append(Paragraph(child, document))
        elif child.tag.endswith("}tbl"):
            blocks.append(Table(child, document))
    return blocks


def read_docx(data: bytes) -> list[PageContent]:
    started = time.perf_counter()
    if not data:
        raise IngestError("empty file (0 bytes)")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"not a readable Word file (.docx): {exc}") from None
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for block in body_blocks(document):
        if isinstance(block, Table):
            rows = table_rows(block)
            tables.append(rows)
            lines.extend("\t".join(r) for r in rows)
        else:
            lines.append(block.text)
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise IngestError("no text: the Word file holds no paragraphs or tables with text")
    return [
        PageContent(text=text + "\n", source="docx", tables=tables, seconds=time.perf_counter() - started)
    ]
