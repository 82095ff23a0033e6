from pathlib import Path

import pytest

from models.document import Document
from pipeline import ingest
from pipeline.ingest.errors import IngestError
from pipeline.ingest.text import decode_bytes, read_text, split_pages
from pipeline.options import Options


def ingest_file(path: Path) -> Document:
    return ingest.run(Document(source_file=str(path)), Options())


def test_utf8_with_bom_and_crlf_is_normalised():
    text, pages = read_text("\ufeffFörbundet\r\när här\r\n".encode())
    assert text == "Förbundet\när här\n"
    assert len(pages) == 1


def test_cp1252_file_keeps_swedish_letters():
    data = "Samordningsförbundet i Härnösand Timrå beviljar 30 000 kr till insatsen.".encode("cp1252")
    text, _ = decode_bytes(data)
    assert "förbundet" in text and "Härnösand" in text and "Timrå" in text


def test_decomposed_letters_are_composed():
    text, _ = read_text("a\u030a".encode())  # å written as a + combining ring
    assert text == "å"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n  \t\n", "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary content"),
        (bytes(range(1, 32)) * 40, "binary content"),
    ],
)
def test_unreadable_bytes_are_refused_with_reason(data, reason):
    with pytest.raises(IngestError, match=reason):
        read_text(data)


def test_page_breaks_from_form_feed_and_blank_line_runs():
    text = "sida ett\fsida två\n\n\n\nsida tre\n\nsamma sida"
    pages = split_pages(text)
    assert [text[p.start : p.end].strip() for p in pages] == [
        "sida ett",
        "sida två",
        "sida tre\n\nsamma sida",
    ]
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[-1].end == len(text)


def test_slutrapporter_sample_pages(tmp_path):
    doc = ingest_file(Path(__file__).parents[1] / "samples" / "slutrapporter-2019-2022-harnosand-timra.txt")
    assert doc.status == "ok" and doc.text_source == "text"
    assert len(doc.source_sha256) == 64
    # The converted scan marks its page breaks with blank-line runs; there are over 20.
    assert len(doc.pages) > 20
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.raw_text)


def test_unsupported_formats_fail_clearly(tmp_path):
    other = tmp_path / "rapport.xls"
    other.write_bytes(b"x")
    assert ingest_file(other).error == "unsupported file type .xls"


def test_missing_file_fails_the_document(tmp_path):
    doc = ingest_file(tmp_path / "borta.txt")
    assert doc.status == "failed" and doc.error.startswith("cannot read file")
