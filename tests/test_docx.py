"""Word files: paragraphs and tables in document order, broken files refused clearly."""

from __future__ import annotations

import docx
import pytest

from models.document import Document
from pipeline import ingest
from pipeline.ingest.docx import read_docx
from pipeline.ingest.errors import IngestError
from pipeline.options import Options


def make_docx(path) -> None:
    document = docx.Document()
    document.add_paragraph("Slutrapport")
    document.add_paragraph("6. Ekonomisk rapport")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(
        table.rows,
        [["Kostnadsslag", "Budget", "Utfall"], ["Lönekostnader", "620000", "620000"], ["Summa", "", ""]],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    merged = document.add_table(rows=1, cols=3)
    merged.rows[0].cells[0].merge(merged.rows[0].cells[1]).text = "Organisation: Timrå kommun"
    document.add_paragraph("7. Underskrifter")
    document.save(path)


def test_paragraphs_and_tables_in_document_order(tmp_path):
    path = tmp_path / "slutrapport.docx"
    make_docx(path)
    (page,) = read_docx(path.read_bytes())
    assert page.source == "docx"
    assert page.text.splitlines() == [
        "Slutrapport",
        "6. Ekonomisk rapport",
        "Kostnadsslag\tBudget\tUtfall",
        "Lönekostnader\t620000\t620000",
        "Summa\t\t",
        "Organisation: Timrå kommun\t",
        "7. Underskrifter",
    ]
    assert page.tables[0][1] == ["Lönekostnader", "620000", "620000"]


def test_docx_document_reaches_the_cost_table(tmp_path):
    path = tmp_path / "slutrapport.docx"
    make_docx(path)
    doc = ingest.run(Document(source_file=str(path)), Options())
    assert doc.status == "ok" and doc.text_source == "docx" and len(doc.pages) == 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"PK\x03\x04 not really a zip", "not a readable Word file"),
        (b"plain text", "not a readable Word file"),
    ],
)
def test_broken_word_files_fail_with_a_reason(data, reason):
    with pytest.raises(IngestError, match=reason):
        read_docx(data)
