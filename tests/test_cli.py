"""The finsam command as users run it: real processes, real files, real exit codes."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT, SAMPLES, SLUTRAPPORTER, finsam

# The text samples: quick to convert (the generated scans need OCR, done once in conftest).
TEXT_SAMPLES = sorted(SAMPLES.glob("*.txt"))


def convert(*args):
    return finsam("convert", *[str(a) for a in args])


def test_demo_dataset_has_every_table_and_the_five_slutrapporter(sample_dataset):
    docs = pd.read_parquet(sample_dataset / "documents.parquet")
    slut = docs[docs.source_file == "samples/slutrapporter-2019-2022-harnosand-timra.txt"]
    assert list(slut.doc_type) == ["slutrapport"] * 5 and list(slut.part) == [0, 1, 2, 3, 4]
    assert (docs.status == "ok").all() and docs.doc_id.is_unique
    costs = pd.read_parquet(sample_dataset / "costs.parquet")
    assert set(slut.doc_id) <= set(costs.doc_id)
    # Every kind of input the samples hold is read: text, PDF text layer, OCR, mixed, Word.
    assert set(docs.text_source) == {"text", "pdf_text", "ocr", "mixed", "docx"}


def test_summary_shows_types_statuses_rows_and_time(tmp_path):
    result = convert(*TEXT_SAMPLES, "--out", tmp_path / "out")
    assert result.returncode == 0
    for expected in ("slutrapport", "documents.parquet", "costs.parquet", "s elapsed"):
        assert expected in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tom.txt", b"", "empty file (0 bytes)"),
        ("skrap.txt", bytes(range(256)) * 8, "binary content"),
        ("trasig.pdf", b"%PDF-1.4 ...", "not a readable PDF"),
        ("foto.jpg", b"\xff\xd8\xff\xe0 truncated", "not a readable image"),
        ("mall.docx", b"PK\x03\x04", "not a readable Word file"),
    ],
)
def test_a_bad_file_is_a_failed_row_and_the_batch_goes_on(tmp_path, name, content, reason):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    shutil.copy(SLUTRAPPORTER, folder / "bra.txt")
    result = convert(folder, "--out", tmp_path / "out")
    assert result.returncode == 1, result.stderr
    assert reason in result.stderr
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    failed = docs[docs.status == "failed"]
    assert len(failed) == 1 and reason in failed.error.iloc[0] and failed.source_file.iloc[0].endswith(name)
    assert (docs[docs.status == "ok"].doc_type == "slutrapport").sum() == 5


def test_missing_path_is_a_usage_error_in_one_line(tmp_path):
    result = convert(tmp_path / "finns-inte", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file or directory" in result.stderr
    assert not (tmp_path / "out").exists()


def test_folder_with_nothing_supported_is_a_usage_error(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tabell.xlsx").write_bytes(b"PK")
    result = convert(tmp_path / "in", "--out", tmp_path / "out")
    assert result.returncode == 2 and "no supported files" in result.stderr


def test_bad_option_is_a_usage_error(tmp_path):
    assert convert(SLUTRAPPORTER, "--out", tmp_path / "o", "--workers", "0").returncode == 2
    assert finsam("convert", str(SLUTRAPPORTER)).returncode == 2  # --out is required


def test_a_failed_run_never_corrupts_the_existing_dataset(tmp_path):
    out = tmp_path / "out"
    assert convert(SLUTRAPPORTER, "--out", out).returncode == 0
    before = pd.read_parquet(out / "documents.parquet")
    assert convert(tmp_path / "finns-inte", "--out", out).returncode == 2
    pd.testing.assert_frame_equal(pd.read_parquet(out / "documents.parquet"), before)


def test_serial_and_process_pool_give_the_same_dataset(tmp_path):
    assert convert(*TEXT_SAMPLES, "--out", tmp_path / "a", "--executor", "serial").returncode == 0
    assert convert(*TEXT_SAMPLES, "--out", tmp_path / "b", "--workers", "2").returncode == 0
    for name in ("documents", "costs", "corrections"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "a" / f"{name}.parquet"),
            pd.read_parquet(tmp_path / "b" / f"{name}.parquet"),
        )


def test_a_second_convert_reuses_unchanged_files_and_force_converts_them_again(tmp_path):
    quick = SAMPLES / "redovisning-2018-timra-integrationsprojekt.txt"
    first = convert(quick, "--out", tmp_path / "out")
    assert "1 files converted, 0 unchanged reused" in first.stdout
    again = convert(quick, "--out", tmp_path / "out")
    assert again.returncode == 0 and "0 files converted, 1 unchanged reused" in again.stdout
    forced = convert(quick, "--out", tmp_path / "out", "--force")
    assert "1 files converted, 0 unchanged reused (nothing reused: --force)" in forced.stdout
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert list(docs.source_file) == [str(quick)]


def test_convert_help_names_the_executor_and_incremental_options():
    result = finsam("convert", "--help")
    for option in ("--workers", "--executor", "--scheduler", "--force"):
        assert option in result.stdout


def test_the_command_imports_no_stage_before_convert_has_started_its_forkserver():
    # convert starts the workers' forkserver first, so that its loading (the pipeline, the
    # corrector's index, spaCy) overlaps the command's own imports: the module must be light,
    # and so must what convert imports to find its inputs and read the manifest before it.
    code = (
        "import sys, pipeline.cli, pipeline.runner.inputs, pipeline.export.manifest, pipeline.options; "
        "print([m for m in ('pipeline.runner.stages', 'pipeline.clean', 'models.document', "
        "'pyarrow', 'duckdb', 'pandas') if m in sys.modules])"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("ending", "code", "stdout", "stderr"),
    [
        ("exit_now(3)", 3, "out|atexit", ""),
        ("exit_now(None)", 0, "out|atexit", ""),
        ("exit_now('why')", 1, "out|atexit", "why"),
        # a thread still running gets the interpreter's own exit, which waits for it
        ("threading.Thread(target=lambda: (time.sleep(0.3), print('|thread', end=''))).start(); exit_now(4)",
         4, "out|thread|atexit", ""),
    ],
)  # fmt: skip
def test_the_command_ends_as_sys_exit_would(ending, code, stdout, stderr):
    # The CLI skips the interpreter's teardown at the end (cli.exit_now): the exit code, the
    # atexit handlers and everything written to stdout and stderr must survive that.
    program = (
        "import atexit, sys, threading, time; from pipeline.cli import exit_now; "
        "atexit.register(lambda: print('|atexit', end='')); print('out', end=''); " + ending
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr.strip()) == (code, stdout, stderr)


def test_text_prints_the_raw_text_and_clean_the_corrected(tmp_path):
    path = SAMPLES / "delarsrapport-2021-harnosand-timra.txt"
    raw, cleaned = finsam("text", str(path)), finsam("clean", str(path))
    assert raw.returncode == cleaned.returncode == 0
    assert raw.stdout == path.read_text(encoding="utf-8")
    assert "Samordningslörbundel" in raw.stdout and "Samordningslörbundel" not in cleaned.stdout
    assert "Samordningsförbundet i Härnösand Timrå redovisar" in cleaned.stdout


def test_text_of_a_bad_file_fails_with_its_reason(tmp_path):
    empty = tmp_path / "tom.txt"
    empty.write_bytes(b"")
    result = finsam("text", str(empty))
    assert result.returncode == 1 and "empty file" in result.stderr
    assert finsam("text", str(tmp_path / "finns-inte.txt")).returncode == 2


def test_inspect_shows_type_sections_records_and_corrections():
    result = finsam("inspect", str(SLUTRAPPORTER))
    assert result.returncode == 0
    assert result.stdout.count("slutrapport (score") == 5
    for expected in (
        "6 Ekonomisk rapport",
        "→ costs",
        "Arbetsmarknadstorg i Härnösand",
        "costs (12 amounts)",
        "repeats page 18",
    ):
        assert expected in result.stdout
    # Sections nest under their chapter in a tree; the header panel counts the records.
    assert "│   ├── 3.1 Bakgrund till insatsen → background" in result.stdout
    assert "costs 12" in result.stdout
    mangled = finsam("inspect", str(SAMPLES / "delarsrapport-2021-harnosand-timra.txt"))
    assert "corrections (" in mangled.stdout
    assert any("rcdovisar" in line and "redovisar" in line for line in mangled.stdout.splitlines())
    # Only the first corrections are shown, the rest counted by rule, with where to see them all.
    assert "the first 10 shown, all: finsam clean --diff" in mangled.stdout and "by rule: " in mangled.stdout


def test_text_verbose_tells_each_pages_source_and_confidence(tmp_path):
    from tests.fixtures.make_fixtures import paragraph_lines, render_text, to_bytes

    scan = tmp_path / "skannad.tif"
    scan.write_bytes(to_bytes([render_text(paragraph_lines()[:3])] * 2, "TIFF"))
    result = finsam("text", "--verbose", str(scan))
    assert result.returncode == 0 and "Samordningsförbundet" in result.stdout
    pages = [line for line in result.stderr.splitlines() if line.startswith("page ")]
    assert len(pages) == 2 and all(": ocr, " in line and "OCR confidence 0." in line for line in pages)
    layer = finsam("text", "-v", str(ROOT / "samples/generated/slutrapport-arbetsmarknadstorg.pdf"))
    assert "page 5: pdf_text" in layer.stderr and "2 tables" in layer.stderr


def test_clean_diff_lists_every_change_with_its_place_and_rule():
    mangled = finsam("clean", "--diff", str(SAMPLES / "delarsrapport-2021-harnosand-timra.txt"))
    assert mangled.returncode == 0
    count = int(mangled.stdout.split(" corrections in ", 1)[0].split()[-1])
    assert count > 100
    assert "⟨rcdovisar → redovisar⟩" in mangled.stdout and "token_fix" in mangled.stdout
    assert "doubtful amount '3 75,1 000' left as read" in mangled.stdout
    clean_text = finsam("clean", "--diff", str(SLUTRAPPORTER))
    assert clean_text.stdout.startswith("0 corrections in ")
