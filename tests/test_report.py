"""The batch report: made by convert and by `finsam report`, opened in a real Chromium.

The browser test loads DIR/report.html of the samples' dataset from a file:// URL in
Debian's /usr/bin/chromium (installed by `make test`, never downloaded), with every
request other than the page itself refused, and keeps a full-page screenshot in
tests/artifacts/report.png (or $FINSAM_ARTIFACTS/report.png).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.report import build, plots, review
from pipeline.report.dataset import read_dataset
from tests.conftest import ROOT, SAMPLES, finsam

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("FINSAM_ARTIFACTS") or ROOT / "tests" / "artifacts")
QUICK = SAMPLES / "redovisning-2018-timra-integrationsprojekt.txt"


def copy_dataset(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# --------------------------------------------------------------------------- in a browser


@pytest.mark.slow
def test_the_report_opens_in_chromium_offline_without_errors_and_shows_its_plots(sample_dataset):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test-deps` installs it"
    documents = pd.read_parquet(sample_dataset / "documents.parquet")
    errors, refused = [], []

    def only_the_file(route) -> None:
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_the_file)
            page.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto((sample_dataset / "report.html").as_uri(), wait_until="load")

            assert page.title() == f"finsam report: {sample_dataset.name}"
            for section in ("overview", "plots", "warnings", "review", "documents"):
                assert page.locator(f"#{section}").is_visible()
            assert page.locator("#summary-documents").inner_text() == str(len(documents)) == "17"
            assert page.locator("#summary-ok").inner_text() == str((documents.status == "ok").sum())
            assert page.locator("#documents-table tbody tr").count() == len(documents)
            assert page.locator("details.doc").count() == len(documents)
            # The three plots are drawn: inline SVG with a real size and bars in it.
            svgs = page.locator("svg.plot")
            assert svgs.count() == 3
            for index in range(3):
                box = svgs.nth(index).bounding_box()
                assert box and box["width"] > 300 and box["height"] > 80
            # One bar per OCR'd document (blue: none of the samples is below the threshold).
            ocr_bars = page.locator(f'#plot-ocr path[style*="fill: {plots.BAR_COLOUR}"]')
            assert ocr_bars.count() == documents.ocr_confidence.notna().sum() == 4
            assert page.locator("#plot-types").get_by_text("slutrapport").count() == 1
            # The review queue and the warnings the samples are known to raise.
            assert page.locator("#review-corrections").is_visible()
            assert page.locator("#warnings-missing_sections").get_by_text("7 Underskrifter").count() >= 1
            assert page.locator("#warnings-sum_mismatch").get_by_text("Summa 410000").is_visible()

            # The inline script works: filter the documents, follow a link into one.
            page.fill("#filter", "protokoll-ansokan")
            assert page.locator("#shown").inner_text() == "3 of 17 documents"
            assert page.locator("#documents-table tbody tr:visible").count() == 3
            page.fill("#filter", "")
            scan = documents[documents.source_file.str.endswith("scan.tif")].doc_id.iloc[0]
            page.click(f"#documents-table a[href='#doc-{scan}']")
            assert page.locator(f"#doc-{scan}").get_attribute("open") is not None
            assert page.locator(f"#doc-{scan} table.goals tbody tr").count() == 4

            page.click("#expand")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert refused == []
    assert (ARTIFACTS / "report.png").stat().st_size > 100_000


def test_the_page_loads_nothing_from_outside(sample_dataset):
    html = (sample_dataset / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link[^>]*stylesheet", html)
    assert not re.search(r"""\b(?:src|href)=["']?(?:https?:)?//""", html)
    assert not re.search(r"url\((?!#)", html)  # CSS and SVG refer only to ids on the page
    assert html.count("<svg ") == 3


# --------------------------------------------------------------------------- content


def test_document_text_is_escaped(sample_dataset, tmp_path):
    dataset = copy_dataset(sample_dataset, tmp_path / "out")
    table = pq.read_table(dataset / "documents.parquet")
    titles = table.column("title").to_pylist()
    titles[0] = "<script>alert('x')</script> & <b>fet</b>"
    table = table.set_column(table.schema.get_field_index("title"), table.schema.field("title"), [titles])
    pq.write_table(table, dataset / "documents.parquet")
    html = build.write_report(dataset).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;" in html


def test_review_queue_lists_the_least_sure_corrections_with_their_sentence(sample_dataset):
    dataset = read_dataset(sample_dataset)
    corrections = dataset["corrections"]
    labels = build.document_labels(dataset["documents"])
    queue = review.correction_queue(corrections, dataset["sections"], labels)
    doubtful = corrections[corrections.confidence < review.CORRECTION_THRESHOLD]
    assert queue.total == len(doubtful) > 0 and len(queue.rows) == min(len(doubtful), review.REVIEW_LIMIT)
    confidences = [row["confidence"] for row in queue.rows]
    assert confidences == sorted(confidences) and confidences[-1] < review.CORRECTION_THRESHOLD
    assert all(row["page"] and row["document"] in labels.values() for row in queue.rows)
    # The corrected word is found in its section's text for nearly every change.
    placed = [row for row in queue.rows if row["context"]]
    assert len(placed) >= 0.8 * len(queue.rows)
    assert all(row["context"][1] == row["corrected"] for row in placed)
    assert all(row["section"] for row in placed)


def test_review_queue_lists_doubtful_records_and_unread_values(sample_dataset):
    dataset = read_dataset(sample_dataset)
    labels = build.document_labels(dataset["documents"])
    queue = review.record_queue(dataset["goals"], dataset["costs"], dataset["projects"], labels)
    goals = dataset["goals"]
    unread = goals[goals.achieved.isna() & goals.achieved_raw.notna()]
    low = goals[goals.confidence < review.RECORD_THRESHOLD]
    assert queue.total >= len(set(unread.index) | set(low.index)) > 0
    kept = [row for row in queue.rows if row["reason"] == "kept as read"]
    # The fourth slutrapport answers one goal "JA/NEJ": kept as read, on page 13.
    assert any(row["written"] == "achieved: JA/NEJ" and row["page"] == "13" for row in kept)
    assert all(
        row["confidence"] < review.RECORD_THRESHOLD or row["reason"] == "kept as read" for row in queue.rows
    )


def test_warnings_are_sorted_into_kinds_with_their_pages(sample_dataset):
    dataset = read_dataset(sample_dataset)
    labels = build.document_labels(dataset["documents"])
    groups = {
        group["kind"]: group["queue"].rows
        for group in review.warning_groups(dataset["documents"], dataset["goals"], dataset["costs"], labels)
    }
    assert list(groups)[:2] == ["missing_sections", "sum_mismatch"]
    missing = {row["document"] for row in groups["missing_sections"]}
    assert "slutrapport-arbetsmarknadstorg-scan.tif" in missing
    sums = {(row["document"], row["page"]) for row in groups["sum_mismatch"]}
    assert ("protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt · part 1", "5") in sums
    every = [w for ws in dataset["documents"].warnings for w in ws]
    assert sum(len(rows) for rows in groups.values()) == len(every)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("missing required sections: 5 Analys; 7 Underskrifter", "missing_sections"),
        ("costs-1: outcome lines sum to 877000, Summa says 877212", "sum_mismatch"),
        ("costs-2: budget 2016 Summa 410000 has no line amounts", "sum_mismatch"),
        ("page 1: doubtful amount '3 75,1 000' left as read", "doubtful_amount"),
        (
            "insats 'SAM': organisation read as 'Iläl nösands kommun', taken as known 'Härnösands kommun'",
            "ocr_damage",
        ),
        ("2e11bd80ac39317e-3-g7: answer 'JA/NEJ' is not read as yes, no or partly", "goals"),
        ("page 19 repeats page 18; the repeat is ignored", "duplicates"),
        ("something new", "other"),
    ],
)
def test_warning_kinds(text, kind):
    assert review.warning_kind(text) == kind


def test_a_correction_is_placed_in_the_corrected_text_after_the_changes_before_it():
    corrections = pd.DataFrame(
        {
            "doc_id": ["aaaa-0", "aaaa-0", "aaaa-1", "bbbb-0"],
            "start": [10, 30, 50, 10],
            "original": ["a b", "x", "yy", "q"],
            "corrected": ["ab", "xyz", "y", "q"],
        }
    )
    # The parts of one file share its offsets: aaaa-1 is shifted by the changes in aaaa-0.
    assert list(review.clean_offsets(corrections)) == [10, 30 - 1, 50 - 1 + 2, 10]


def test_context_is_the_occurrence_nearest_the_estimate():
    text = "att det är så. " * 3 + "Målet är nått och det är bra."
    before, word, after = review.context_in(text, "det", estimate=62)
    assert word == "det" and before.endswith("nått och ") and after.startswith(" är bra")
    assert review.context_in(text, "saknas", 10) is None


def test_a_large_batch_stays_one_quick_page_with_capped_lists(sample_dataset):
    """Hundreds of documents: the lists are capped and say how many more, plots stay readable."""
    dataset = read_dataset(sample_dataset)
    copies = 30
    tables = {}
    for name, frame in dataset.tables.items():
        frames = []
        for copy in range(copies):
            renamed = frame.copy()
            renamed["doc_id"] = renamed.doc_id + f"x{copy}"
            if name == "documents":
                renamed["source_file"] = renamed.source_file + f".{copy}"
            frames.append(renamed)
        tables[name] = pd.concat(frames, ignore_index=True)
    dataset.tables = tables
    began = time.perf_counter()
    html = build.render(dataset)
    seconds = time.perf_counter() - began
    documents = len(tables["documents"])
    assert documents == 17 * copies
    assert html.count('<details class="doc') == documents
    doubtful = (tables["corrections"].confidence < review.CORRECTION_THRESHOLD).sum()
    assert f"… and {doubtful - review.REVIEW_LIMIT} more below" in html
    ocr_plot = re.search(r'<svg class="plot" id="plot-ocr".*?</svg>', html, re.DOTALL).group(0)
    bars = ocr_plot.count(f"fill: {plots.BAR_COLOUR}")
    assert tables["documents"].ocr_confidence.notna().sum() > bars == plots.MAX_BARS
    assert f"the {plots.MAX_BARS} lowest are drawn" in html
    assert seconds < 30, f"{documents} documents took {seconds:.1f} s"


# --------------------------------------------------------------------------- commands


def test_convert_writes_report_and_database_and_a_kept_dataset_keeps_its_report(tmp_path):
    out = tmp_path / "out"
    first = finsam("convert", str(QUICK), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert f"report: {out / 'report.html'}" in first.stdout
    report, database = out / "report.html", out / "finsam.duckdb"
    assert report.stat().st_size > 10_000 and database.is_file()
    written = report.stat().st_mtime_ns
    again = finsam("convert", str(QUICK), "--out", str(out))
    assert "0 files converted, 1 unchanged reused" in again.stdout and "report:" not in again.stdout
    assert report.stat().st_mtime_ns == written
    forced = finsam("convert", str(QUICK), "--out", str(out), "--force")
    assert forced.returncode == 0 and "report:" in forced.stdout
    assert not list(tmp_path.glob(".out.*")) and not list(out.glob(".*"))  # no temporary left


def test_failed_documents_head_the_warnings_and_the_counts(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tom.txt").write_bytes(b"")
    shutil.copy(QUICK, folder / "bra.txt")
    result = finsam("convert", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "report:" in result.stdout  # failures are reported too
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    failed = html.split('id="warnings-failed"', 1)[1].split("</details>", 1)[0]
    assert "tom.txt" in failed and "empty file (0 bytes)" in failed and "bra.txt" not in failed
    assert '<span class="number" id="summary-failed">1</span>' in html
    assert html.index('id="warnings-failed"') < html.index('id="review"')


def test_no_report_leaves_the_report_out_but_not_the_database(tmp_path):
    out = tmp_path / "out"
    result = finsam("convert", str(QUICK), "--out", str(out), "--no-report")
    assert result.returncode == 0 and "report:" not in result.stdout
    assert not (out / "report.html").exists() and (out / "finsam.duckdb").is_file()
    assert "--no-report" in finsam("convert", "--help").stdout


def test_report_command_writes_the_report_and_a_missing_database(sample_dataset, tmp_path):
    dataset = copy_dataset(sample_dataset, tmp_path / "kopia")
    (dataset / "report.html").unlink()
    (dataset / "finsam.duckdb").unlink()
    result = finsam("report", str(dataset))
    assert result.returncode == 0, result.stderr
    assert f"report: {dataset / 'report.html'}" in result.stdout
    html = (dataset / "report.html").read_text(encoding="utf-8")
    assert "finsam report: kopia" in html and (dataset / "finsam.duckdb").is_file()


@pytest.mark.parametrize("make", ["missing", "empty", "other files", "broken table"])
def test_report_of_something_that_is_no_dataset_is_a_one_line_usage_error(sample_dataset, tmp_path, make):
    target = tmp_path / "dir"
    if make == "empty":
        target.mkdir()
    elif make == "other files":
        target.mkdir()
        (target / "anteckningar.txt").write_text("hej", encoding="utf-8")
    elif make == "broken table":
        copy_dataset(sample_dataset, target)
        (target / "goals.parquet").write_bytes(b"not parquet")
    result = finsam("report", str(target))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("error:")
    if make == "broken table":
        assert "goals.parquet cannot be read" in result.stderr
    else:
        assert "not a finsam dataset" in result.stderr and not (target / "report.html").exists()


def test_the_reports_template_does_not_make_convert_redo_everything():
    from pipeline.export import manifest

    files = manifest.data_files()
    assert not [f for f in files if "report" in f.parts]
    assert any(f.suffix == ".yaml" for f in files)  # the segment templates still count
    assert (build.TEMPLATES / "report.html.j2").is_file()
