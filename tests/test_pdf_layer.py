"""The PDFium text-layer reader (pdf_layer.py) against pdfplumber, page by page, on real PDFs.

pdf.py reads born-digital pages with PDFium and falls back to pdfplumber, which read every
page before. Both must give a page the same text and the same tables, cell for cell, and
the same decision about OCR, or the records built from a file would depend on the reader.
Each page is read both ways here, with pdf.py's own two functions for them. The inputs are
the generated samples and the layouts of tests/fixtures/layout_pdfs.py; no normalisation is
applied. Where the readers differ on purpose (pdfplumber's result is clearly wrong there),
a test below says so and pins both results.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from pipeline.ingest.pdf import PlumberPages, image_cover, pdfium_layer, plumber_layer, read_pdf
from pipeline.ingest.pdf_layer import UnsupportedPage, read_layer
from pipeline.options import Options
from tests.conftest import SAMPLES
from tests.fixtures import layout_pdfs

GENERATED = SAMPLES / "generated"
SAMPLE_PDFS = ["slutrapport-arbetsmarknadstorg.pdf", "slutrapport-arbetsmarknadstorg-mixed.pdf"]
# Layouts whose pages the PDFium reader leaves to pdfplumber (index of such pages).
FALLBACK_PAGES = {"rotated-page": {1}, "skewed-layer": {0}}
# Layouts where the readers differ on purpose; see test_where_pdfplumber_is_clearly_wrong.
DIFFERENT = {"letter-spaced", "kerned-words", "fake-bold"}


def both_readers(data: bytes) -> list[tuple[int, tuple | None, tuple]]:
    """(page index, PDFium's (text, tables, problem), pdfplumber's) for each page; None for
    PDFium's when its reader leaves the page to pdfplumber."""
    document = pdfium.PdfDocument(data)
    plumber = PlumberPages(data)
    pages = []
    try:
        for index in range(len(document)):
            try:
                new = pdfium_layer(document, index)
            except UnsupportedPage:
                new = None
            pages.append((index, new, plumber_layer(plumber, index)))
    finally:
        plumber.close()
        document.close()
    return pages


def assert_same(name: str, index: int, new: tuple, old: tuple) -> None:
    new_text, new_tables, new_problem = new
    old_text, old_tables, old_problem = old
    assert new_text == old_text, f"{name}, page {index + 1}: text differs"
    assert new_tables == old_tables, f"{name}, page {index + 1}: tables differ"
    assert new_problem == old_problem, f"{name}, page {index + 1}: OCR decision differs"


@pytest.mark.parametrize("name", SAMPLE_PDFS)
def test_generated_samples_read_the_same(name):
    pages = both_readers((GENERATED / name).read_bytes())
    assert all(new is not None for _, new, _ in pages)
    for index, new, old in pages:
        assert_same(name, index, new, old)
    if name == SAMPLE_PDFS[0]:
        assert sum(1 for _, new, _ in pages if new[1]) == 3  # three pages carry tables


@pytest.mark.parametrize("name", sorted(set(layout_pdfs.LAYOUTS) - DIFFERENT))
def test_layouts_read_the_same(name):
    pages = both_readers(layout_pdfs.LAYOUTS[name]())
    assert {index for index, new, _ in pages if new is None} == FALLBACK_PAGES.get(name, set())
    for index, new, old in pages:
        if new is not None:
            assert_same(name, index, new, old)


@pytest.mark.parametrize("name", SAMPLE_PDFS + sorted(layout_pdfs.LAYOUTS))
def test_image_cover_is_measured_the_same(name):
    data = (GENERATED / name).read_bytes() if name in SAMPLE_PDFS else layout_pdfs.LAYOUTS[name]()
    document = pdfium.PdfDocument(data)
    plumber = PlumberPages(data)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                cover = read_layer(page).image_cover()
            except UnsupportedPage:
                continue
            finally:
                page.close()
            assert cover == pytest.approx(image_cover(plumber.pdf.pages[index]), abs=1e-4)
    finally:
        plumber.close()
        document.close()


def test_layouts_cover_tables_columns_and_scans():
    """The layouts hold what their names promise, so the comparisons above test it."""
    tables = {
        name: both_readers(layout_pdfs.LAYOUTS[name]())[0][1][1]
        for name in ("horizontal-rules", "rect-cells", "grid-with-spans")
    }
    assert tables["horizontal-rules"] == []  # rules without verticals make no cells
    # Text running over a cell's edge is cut at character centres, as pdfplumber cuts it.
    assert tables["rect-cells"][0][3] == ["Övriga kommuner i lä", "n1e 2t34 567 8", "940", "12"]
    assert tables["grid-with-spans"][0][0] == ["Insats", "Ekonomi", ""]
    text, _, _ = both_readers(layout_pdfs.two_columns())[0][1]
    assert "Samordningsförbundet Härnösand och Målgruppen är unga vuxna som står långt" in text
    text, _, _ = both_readers(layout_pdfs.line_ends())[0][1]
    assert "närmat sig arbets-\nmarknaden." in text and "\n– uppföljning" in text
    scan, logo = both_readers(layout_pdfs.scan_with_stray_text())
    assert scan[1][2] == "scanned page with a stray text layer" and logo[1][2] is None


def test_where_pdfplumber_is_clearly_wrong():
    """pdfplumber starts a word at any gap over 3 pt between two characters and nowhere
    else, so it spells a heading set with 4 pt letter spacing letter by letter and runs
    together words that TeX-like output sets apart by kerning rather than by spaces. PDFium
    measures such gaps against the font's own space; inside a text object its reading is
    kept. PDFium also drops text drawn twice on the spot for a bold look, which pdfplumber
    reads letter by letter twice."""
    letter_spaced = both_readers(layout_pdfs.letter_spaced())[0]
    assert letter_spaced[1][0] == "SLUTRAPPORT\nInsatsen avslutades den 31 december 2021.\n"
    assert letter_spaced[2][0].startswith("S L U T R A P P O R T\n")
    kerned = both_readers(layout_pdfs.kerned_words())[0]
    assert kerned[1][0] == "Budget och utfall 2021\n"
    assert kerned[2][0] == "Budgetoch utfall2021\n"
    bold = both_readers(layout_pdfs.fake_bold())[0]
    assert bold[1][0].startswith("Beslut\n\nStyrelsen")
    assert bold[2][0].startswith("BBeesslluutt\n\nStyrelsen")


def test_rotated_page_is_read_by_pdfplumber():
    data = layout_pdfs.rotated_page()
    pages = read_pdf(data, Options())
    plumber = PlumberPages(data)
    expected = plumber_layer(plumber, 1)[0]
    plumber.close()
    assert [p.source for p in pages] == ["pdf_text", "pdf_text"]
    assert pages[1].text == expected and "Bilaga 1. Kostnader per kommun" in expected
