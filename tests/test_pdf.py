"""PDF reading: text layers, tables as cells, per-page OCR decisions, broken files."""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from models.document import Document
from pipeline import ingest
from pipeline.ingest.errors import IngestError
from pipeline.ingest.pdf import read_pdf, text_layer_problem
from pipeline.options import Options
from tests.conftest import DELARSRAPPORT, SLUTRAPPORTER

COST_ROWS = [
    ["Kostnadsslag", "Budget", "Utfall"],
    ["Lönekostnader", "746 671 kr", "746 671 kr"],
    ["Lokalkostnader", "97 541 kr", "97 541 kr"],
    ["Summa", "844 212 kr", "844 212 kr"],
]
PROSE = "Samordningsförbundet Härnösand Timrå har beviljat medel till insatsen under året."


def make_pdf(path, pages: list[list]) -> None:
    """A born-digital PDF; each page a list of paragraphs (str) and tables (list of rows)."""
    styles = getSampleStyleSheet()
    story = []
    for number, page in enumerate(pages):
        if number:
            story.append(PageBreak())
        for block in page:
            if isinstance(block, str):
                story.append(Paragraph(block, styles["Normal"]))
            else:
                table = Table(block)
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
                story.append(table)
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)


def ingest_path(path) -> Document:
    return ingest.run(Document(source_file=str(path)), Options())


def test_text_layer_and_ruled_table_arrive_as_text_and_cells(tmp_path):
    path = tmp_path / "rapport.pdf"
    make_pdf(path, [["6. Ekonomisk rapport", PROSE, COST_ROWS, "7. Underskrifter"]])
    (page,) = read_pdf(path.read_bytes(), Options())
    assert page.source == "pdf_text" and page.confidence is None
    assert page.tables == [COST_ROWS]
    lines = page.text.splitlines()
    # Reading order kept: heading, prose, the table as tab-separated rows, then the next heading.
    assert lines[0] == "6. Ekonomisk rapport" and lines[-1] == "7. Underskrifter"
    assert "Lönekostnader\t746 671 kr\t746 671 kr" in lines
    assert lines.index("Kostnadsslag\tBudget\tUtfall") < lines.index("Summa\t844 212 kr\t844 212 kr")


def test_pages_are_joined_with_form_feeds_and_start_on_a_new_line(tmp_path):
    path = tmp_path / "tva-sidor.pdf"
    make_pdf(path, [[PROSE], ["6. Ekonomisk rapport", PROSE]])
    doc = ingest_path(path)
    assert doc.status == "ok" and doc.text_source == "pdf_text" and len(doc.pages) == 2
    second = doc.raw_text[doc.pages[1].start : doc.pages[1].end]
    assert doc.raw_text[doc.pages[1].start - 2 : doc.pages[1].start] == "\f\n"
    assert second.startswith("6. Ekonomisk rapport")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no text layer"),
        ("12", "no text layer"),
        (PROSE * 3, None),
        (SLUTRAPPORTER.read_text(encoding="utf-8")[:3000], None),
        (DELARSRAPPORT.read_text(encoding="utf-8")[:3000], "known words"),
        ("\ue000\ue001\ue002 " * 40, "junk characters"),
    ],
)
def test_text_layer_quality(text, problem):
    found = text_layer_problem(text)
    assert found is None if problem is None else problem in found


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n%%EOF", "not a readable PDF"),
        (b"this is not a pdf at all", "not a readable PDF"),
    ],
)
def test_broken_pdf_bytes_fail_with_a_reason(data, reason):
    with pytest.raises(IngestError, match=reason):
        read_pdf(data, Options())


def test_pages_to_ocr_are_prepared_one_ahead_in_a_thread_of_their_own():
    # The next page is rendered and deskewed while Tesseract reads this one: read_ahead makes
    # each item in a background thread, keeps the order and passes an error on.
    import threading

    from pipeline.ingest.pdf import read_ahead

    made_in, taken = [], []

    def pages():
        for number in range(4):
            made_in.append((number, threading.current_thread().name, list(taken)))
            yield number

    for number in read_ahead(pages()):
        taken.append(number)
    assert taken == [0, 1, 2, 3]
    assert all(name.startswith("finsam-render") for _, name, _ in made_in)
    # page 2 was made while page 1 was being worked on, before the caller took it
    assert made_in[2][2] in ([0], [0, 1])

    def broken():
        yield 0
        raise ValueError("damaged page")

    with pytest.raises(ValueError, match="damaged page"):
        list(read_ahead(broken()))
