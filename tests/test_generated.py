"""The generated samples (samples/generated/, `make samples`) through the real readers.

Each file has its ground truth beside it (NAME.gt.txt); OCR runs real Tesseract.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from models.document import Document
from pipeline import ingest
from pipeline.metrics import cer
from pipeline.options import Options
from tests.conftest import ROOT, SLUTRAPPORTER, finsam

GENERATED = ROOT / "samples" / "generated"
BROKEN = ROOT / "tests" / "fixtures" / "broken"
BORN_DIGITAL = GENERATED / "slutrapport-arbetsmarknadstorg.pdf"
MIXED = GENERATED / "slutrapport-arbetsmarknadstorg-mixed.pdf"
PHOTO = GENERATED / "redovisning-2018-timra-photo.jpg"
WORD = GENERATED / "slutrapport-samverkansmodell.docx"
# Issue target: a born-digital PDF's text within 0.5% CER of its ground truth.
MAX_TEXT_LAYER_CER = 0.005


def truth(path: Path) -> str:
    return path.with_name(path.name + ".gt.txt").read_text(encoding="utf-8")


def ingested(path: Path) -> Document:
    return ingest.run(Document(source_file=str(path)), Options())


def test_born_digital_pdf_text_and_tables():
    doc = ingested(BORN_DIGITAL)
    assert doc.status == "ok" and doc.text_source == "pdf_text" and len(doc.pages) == 5
    assert cer(doc.raw_text, truth(BORN_DIGITAL)) <= MAX_TEXT_LAYER_CER
    tables = [table for page in doc.pages for table in page.tables]
    costs = next(t for t in tables if t[0] == ["Kostnadsslag", "Budget", "Utfall"])
    assert ["Lönekostnader", "746 671 kr", "746 671 kr"] in costs and costs[-1] == [
        "Summa",
        "877 212 kr",
        "877 212 kr",
    ]
    goals = next(t for t in tables if t[0][0].startswith("Ange uppsatta mål") or "Ja eller nej" in t[0][1])
    assert [row[1] for row in goals[1:]] == [
        "Ja",
        "Ja, med förbättrade gemensamma rutiner vid implementering av BIP",
        "Ja, i de fall som personen går vidare mot sysselsättning i form av arbetsträning/studier",
        "Ja",
    ]


def test_word_file_matches_its_ground_truth():
    doc = ingested(WORD)
    assert doc.status == "ok" and doc.text_source == "docx"
    assert cer(doc.raw_text, truth(WORD)) <= MAX_TEXT_LAYER_CER


@pytest.mark.slow
def test_mixed_pdf_is_read_page_by_page():
    doc = ingested(MIXED)
    assert [p.source for p in doc.pages] == ["pdf_text", "ocr", "pdf_text"] and doc.text_source == "mixed"
    assert (
        doc.pages[1].confidence > 0.8
        and doc.pages[1].words
        and doc.ocr_confidence == pytest.approx(doc.pages[1].confidence, abs=0.001)
    )
    assert cer(doc.raw_text, truth(MIXED)) < 0.02


@pytest.mark.slow
def test_photo_ocr_is_no_worse_than_plain_tesseract():
    doc = ingested(PHOTO)
    plain = subprocess.run(
        ["tesseract", str(PHOTO), "-", "-l", "swe"], capture_output=True, text=True, check=True
    )
    ours, theirs = cer(doc.raw_text, truth(PHOTO)), cer(plain.stdout, truth(PHOTO))
    assert doc.text_source == "ocr" and ours <= theirs and ours < 0.02


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken-truncated.pdf", "not a readable PDF (damaged or truncated)"),
        ("broken-password.pdf", "password-protected PDF"),
        ("broken-zero-pages.pdf", "PDF has no pages"),
        ("broken-empty.png", "empty file (0 bytes)"),
    ],
)
def test_broken_files_fail_with_a_clear_reason(name, reason):
    doc = ingested(BROKEN / name)
    assert doc.status == "failed" and doc.error.startswith(reason)


def test_broken_files_in_a_batch_are_failed_rows_and_the_rest_is_written(tmp_path):
    out = tmp_path / "out"
    result = finsam("convert", str(BROKEN), str(SLUTRAPPORTER), "--out", str(out))
    assert result.returncode == 1
    docs = pd.read_parquet(out / "documents.parquet")
    failed = docs[docs.status == "failed"]
    assert sorted(Path(f).name for f in failed.source_file) == sorted(p.name for p in BROKEN.iterdir())
    assert failed.error.notna().all() and (docs[docs.status == "ok"].doc_type == "slutrapport").sum() == 5


def test_scanned_slutrapport_gives_the_records_of_its_text_original(sample_dataset):
    docs = pd.read_parquet(sample_dataset / "documents.parquet")
    costs = pd.read_parquet(sample_dataset / "costs.parquet")
    goals = pd.read_parquet(sample_dataset / "goals.parquet")
    scan = docs[docs.source_file.str.endswith("slutrapport-arbetsmarknadstorg-scan.pdf")].doc_id.iloc[0]
    text = docs[
        docs.source_file.str.endswith("slutrapporter-2019-2022-harnosand-timra.txt") & (docs.part == 0)
    ]
    original = text.doc_id.iloc[0]

    def cost_rows(doc_id):
        return sorted(
            map(tuple, costs[costs.doc_id == doc_id][["category", "kind", "amount_sek"]].values.tolist())
        )

    assert cost_rows(scan) == cost_rows(original) and len(cost_rows(scan)) == 12
    achieved = [list(goals[goals.doc_id == d].achieved) for d in (scan, original)]
    assert achieved[0] == achieved[1] == ["yes"] * 4
