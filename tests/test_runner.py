"""Batches at scale: executors, incremental runs, crashes, hangs and Ctrl-C, all for real.

Real worker processes, a real Dask LocalCluster and the real `finsam convert` command; the
inputs are small variants of the quickest text sample, so the whole file runs in well
under a minute. A worker is crashed or hung through the executor's `task` argument (a task
defined here), never by touching the pipeline's stages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from models.tables import TABLES
from pipeline.export import manifest
from pipeline.export.parquet import MANIFEST
from pipeline.options import Options
from pipeline.runner import warm
from pipeline.runner.batch import run_batch
from pipeline.runner.dask_executor import DaskExecutor
from pipeline.runner.executors import SerialExecutor
from pipeline.runner.pages import fan_out, lanes_for
from pipeline.runner.pool import PoolExecutor
from pipeline.runner.work import convert_file
from tests.conftest import ROOT, SAMPLES
from tests.pool_tasks import observing_task

QUICK_SAMPLE = SAMPLES / "redovisning-2018-timra-integrationsprojekt.txt"
# Five pages to OCR, 10-20 s: a run over copies of it is surely still busy when interrupted.
SLOW_SAMPLE = SAMPLES / "generated" / "slutrapport-arbetsmarknadstorg-scan.pdf"


def make_inputs(folder: Path, count: int) -> list[Path]:
    """`count` different small reports (the quick sample with a numbered appendix line)."""
    folder.mkdir(exist_ok=True)
    text = QUICK_SAMPLE.read_text(encoding="utf-8")
    paths = []
    for number in range(count):
        path = folder / f"rapport-{number:02d}.txt"
        path.write_text(f"{text}\nBilaga {number + 1}: projektlista.\n", encoding="utf-8")
        paths.append(path)
    return paths


def frames(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}


def assert_same_dataset(a: Path, b: Path) -> None:
    for name, frame in frames(a).items():
        pd.testing.assert_frame_equal(frame, pd.read_parquet(b / f"{name}.parquet"), obj=name)


def convert(files, out, executor=None, **kwargs):
    with executor or SerialExecutor() as runner:
        return run_batch(files, out, kwargs.pop("options", Options()), runner, **kwargs)


def misbehaving_task(path: Path, options: Options):
    """convert_file, except for files named to crash or hang their worker."""
    if "exit" in path.name:
        os._exit(3)
    if "kill" in path.name:
        os.kill(os.getpid(), signal.SIGKILL)
    if "hang" in path.name:
        time.sleep(600)
    if "raise" in path.name:
        raise MemoryError("pretend the file was too big")
    return convert_file(path, options)


def one_page_scan(path: Path) -> Path:
    import pypdfium2 as pdfium

    source, single = pdfium.PdfDocument(SLOW_SAMPLE), pdfium.PdfDocument.new()
    single.import_pages(source, [0])
    single.save(path)
    return path


def test_a_worker_loads_what_cleaning_needs_while_tesseract_reads(tmp_path):
    # A pool worker loads the index, hunspell and spaCy in a thread once Tesseract begins on
    # its first page (warm.py), of a PDF or an image: well before cleaning waits for them. A
    # text file begins the load when cleaning needs it. Either way nothing is loaded twice.
    text = make_inputs(tmp_path / "in", 1)[0]
    scan = one_page_scan(tmp_path / "in" / "scan.pdf")
    photo = SAMPLES / "generated" / "redovisning-2018-timra-photo.jpg"
    seen = {}
    for first in (scan, photo, text):
        with PoolExecutor(workers=1, task=observing_task) as executor:
            for key, path in enumerate((first, text)):
                executor.submit(key, path, Options())
            seen[first.suffix] = [executor.next_result()[1] for _ in range(2)]
    for suffix in (".pdf", ".jpg"):
        began_before_needed = seen[suffix][0][0]
        assert began_before_needed < -1.0, suffix  # a page takes Tesseract more than a second
    assert seen[".txt"][0][0] >= 0.0
    runs = [run for suffix in (".pdf", ".jpg", ".txt") for run in seen[suffix]]
    assert [loads for _, loads, *_ in runs] == [(1, 1)] * 6
    assert [status for _, _, status, _ in runs] == ["ok"] * 6
    # A worker hands back rows, not arrow tables (work.py), and imports pytesseract without
    # pandas (pipeline/imports.py): neither pandas nor pyarrow is ever loaded in one.
    assert [imported for *_, imported in runs] == [[]] * 6


def test_a_file_may_need_tesseract_by_its_suffix():
    # What the forkserver loads for a batch depends on it (the next test).
    from pipeline.runner.forkserver import may_need_ocr

    assert not any(may_need_ocr(Path(name)) for name in ("a.txt", "b.md", "c.docx"))
    assert all(may_need_ocr(Path(name)) for name in ("a.pdf", "b.PDF", "c.jpg", "d.tiff", "e.png"))


FORKED_MODULES = """
import sys
from pathlib import Path
from pipeline.runner import forkserver
import tests.pool_tasks as tasks

forkserver.start([Path(name) for name in sys.argv[2:]], int(sys.argv[1]))
context = forkserver.context()
queue = context.SimpleQueue()
names = ["pipeline.ingest.pdf", "pdfplumber", "spacy"]
process = context.Process(target=tasks.report_modules, args=(queue, names))
process.start()
print(queue.get())
process.join()
"""


@pytest.mark.parametrize(
    ("workers", "files", "expected"),
    [
        (1, ["a.pdf", "b.txt"], {"pipeline.ingest.pdf": True, "pdfplumber": True, "spacy": False}),
        (2, ["a.pdf"], {"pipeline.ingest.pdf": True, "pdfplumber": True, "spacy": False}),
        (2, ["a.pdf", "b.tif"], {"pipeline.ingest.pdf": True, "pdfplumber": True, "spacy": True}),
        (1, ["a.txt", "b.docx"], {"pipeline.ingest.pdf": False, "pdfplumber": False, "spacy": True}),
    ],
)
def test_a_worker_is_forked_with_what_its_batch_needs_first(workers, files, expected):
    # With a PDF or an image: the readers, so that Tesseract can start at once; what cleaning
    # and extracting need is loaded beside Tesseract by the one worker that will run, or once
    # in the forkserver for several. Without: everything, loaded once for all workers.
    run = subprocess.run(
        [sys.executable, "-c", FORKED_MODULES, str(workers), *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == repr(expected)


# A command that starts pool workers; each run of its module body leaves a line in RUNS.
POOL_COMMAND = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
with open({runs!r}, "a") as runs:
    print(__name__, file=runs)

def task_of_this_module(path, options):
    return "defined in the command"

if __name__ == "__main__":
    from pipeline.options import Options
    from pipeline.runner.pool import PoolExecutor
    import tests.pool_tasks as tasks

    for task in (tasks.main_module_name, task_of_this_module):
        with PoolExecutor(1, task=task) as pool:
            pool.submit(0, Path("unused.txt"), Options())
            print(pool.next_result()[1])
"""


def test_a_worker_does_not_run_the_command_again_unless_its_task_is_defined_there(tmp_path):
    # multiprocessing runs the parent's main module again in every process it starts (not
    # by fork); for `finsam convert` that imported the command line into each worker.
    command, runs = tmp_path / "command.py", tmp_path / "runs.txt"
    command.write_text(POOL_COMMAND.format(root=str(ROOT), runs=str(runs)))
    run = subprocess.run([sys.executable, str(command)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    # The first worker kept the forkserver's own __main__; the second needs the command's
    # function, so it ran the command's module again to find it.
    assert run.stdout.split() == ["__main__", "defined", "in", "the", "command"]
    assert runs.read_text().split() == ["__main__", "__mp_main__"]


def test_dask_local_cluster_gives_the_same_dataset_as_serial(tmp_path):
    files = make_inputs(tmp_path / "in", 4)
    convert(files, tmp_path / "serial")
    result = convert(files, tmp_path / "dask", DaskExecutor(workers=2))
    assert result.converted == 4 and result.failed == 0
    assert_same_dataset(tmp_path / "serial", tmp_path / "dask")


def collector_state() -> tuple[tuple[int, ...], int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


def test_a_dask_worker_is_readied_at_its_first_file_as_a_pool_worker_is(tmp_path):
    # warm.settle: the pool workers' collector policy, and the load, frozen.
    [path] = make_inputs(tmp_path / "in", 1)
    with DaskExecutor(workers=1) as executor:
        executor.start()
        [(before, frozen_before)] = executor.client.run(collector_state).values()
        executor.submit(0, path, Options())
        _, result = executor.next_result()
        [(after, frozen_after)] = executor.client.run(collector_state).values()
    assert [summary.status for summary in result.summaries] == ["ok"]
    assert tuple(before) != warm.WORKER_GC_THRESHOLDS and frozen_before == 0
    assert tuple(after) == warm.WORKER_GC_THRESHOLDS
    assert frozen_after > 100_000  # the worker's objects and the load's: the index, spaCy


def test_local_pool_gives_the_same_dataset_as_serial(tmp_path):
    files = make_inputs(tmp_path / "in", 5)
    convert(files, tmp_path / "serial")
    convert(files, tmp_path / "pool", PoolExecutor(workers=2))
    assert_same_dataset(tmp_path / "serial", tmp_path / "pool")


def test_a_second_run_converts_nothing_and_keeps_the_dataset(tmp_path):
    files, out = make_inputs(tmp_path / "in", 3), tmp_path / "out"
    assert convert(files, out).converted == 3
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = convert(files, out)
    assert (again.converted, again.reused, again.documents) == (0, 3, 3)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_convert_readies_workers_for_the_files_the_manifest_does_not_vouch_for(tmp_path):
    # `finsam convert` asks likely_converted before it starts the workers' forkserver: none
    # when it is empty, and readied for those files (forkserver.start) when it is not.
    files, out, options = make_inputs(tmp_path / "in", 3), tmp_path / "out", Options()
    assert manifest.likely_converted(files, out, options) == files  # no dataset yet
    convert(files, out)
    assert manifest.likely_converted(files, out, options) == []
    assert manifest.likely_converted(files, out, options, force=True) == files
    assert manifest.likely_converted(files[:2], out, options) == []  # a file left out: no work
    assert manifest.likely_converted(files, out, Options(ocr_languages="swe+eng")) == files
    added = tmp_path / "in" / "added.txt"
    added.write_text(QUICK_SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert manifest.likely_converted([*files, added], out, options) == [added]
    later = files[2].stat().st_mtime_ns + 5_000_000_000
    os.utime(files[2], ns=(later, later))
    assert manifest.likely_converted(files, out, options) == [files[2]]  # maybe changed: make_plan hashes it


def test_only_a_changed_or_added_file_is_converted_and_the_rest_carried_over(tmp_path):
    files, out = make_inputs(tmp_path / "in", 4), tmp_path / "out"
    convert(files, out)
    files[1].write_text(files[1].read_text(encoding="utf-8") + "Tillägg.\n", encoding="utf-8")
    changed = convert(files, out)
    assert (changed.converted, changed.reused) == (1, 3)
    files = [*files, make_inputs(tmp_path / "more", 5)[4]]
    added = convert(files, out)
    assert (added.converted, added.reused) == (1, 4)
    convert(files, tmp_path / "fresh", force=True)
    assert_same_dataset(out, tmp_path / "fresh")  # the same rows, in the same order


def test_a_touched_file_with_the_same_content_is_reused(tmp_path):
    files, out = make_inputs(tmp_path / "in", 2), tmp_path / "out"
    convert(files, out)
    later = files[0].stat().st_mtime_ns + 5_000_000_000
    os.utime(files[0], ns=(later, later))
    assert convert(files, out).converted == 0
    recorded = manifest.read_manifest(out)["files"][0]
    assert recorded["mtime_ns"] == later  # the next run need not hash it again


def test_a_removed_file_loses_its_rows(tmp_path):
    files, out = make_inputs(tmp_path / "in", 3), tmp_path / "out"
    convert(files, out)
    result = convert(files[1:], out)
    assert (result.converted, result.reused) == (0, 2)
    assert sorted(pd.read_parquet(out / "documents.parquet").source_file) == sorted(map(str, files[1:]))
    convert(files[1:], tmp_path / "fresh")
    assert_same_dataset(out, tmp_path / "fresh")


def test_identical_copies_of_a_file_get_distinct_ids_that_survive_reruns(tmp_path):
    files, out = make_inputs(tmp_path / "in", 1), tmp_path / "out"
    # a slutrapport (sections, a project, goals) filed twice under different names
    report = (SAMPLES / "generated" / "slutrapport-arbetsmarknadstorg-scan.pdf.gt.txt").read_bytes()
    original, copy = tmp_path / "in" / "a-slutrapport.txt", tmp_path / "in" / "b-kopia.txt"
    original.write_bytes(report)
    copy.write_bytes(report)
    files = [original, copy, *files]
    convert(files, out)
    tables = frames(out)
    documents = tables["documents"].set_index("source_file")
    first, second = documents.doc_id[str(original)], documents.doc_id[str(copy)]
    assert second.startswith(first + "~") and len(set(documents.doc_id)) == 3
    for name, column in (("sections", "section_id"), ("goals", "goal_id"), ("projects", "project_id")):
        frame = tables[name]
        assert frame[column].is_unique, name
        of_copy = frame[frame.doc_id == second]
        assert len(of_copy) == len(frame[frame.doc_id == first]) > 0, name
        assert of_copy[column].str.startswith(second + "-").all(), name
    assert convert(files, out).converted == 0  # reused rows keep their distinct ids
    assert_same_dataset(out, tmp_path / "out")
    convert(files, tmp_path / "fresh", executor=PoolExecutor(2))
    assert_same_dataset(out, tmp_path / "fresh")


def test_force_a_new_version_or_a_changed_data_file_convert_everything(tmp_path, monkeypatch):
    files, out = make_inputs(tmp_path / "in", 2), tmp_path / "out"
    data = tmp_path / "data"
    data.mkdir()
    (data / "synonyms.tsv").write_text("lön\tpersonnel\n", encoding="utf-8")
    monkeypatch.setattr(manifest, "DATA_DIRS", (data,))
    monkeypatch.setattr(manifest, "ROOT", tmp_path)
    convert(files, out)
    forced = convert(files, out, force=True)
    assert forced.converted == 2 and forced.redo_reason == "--force"
    (data / "synonyms.tsv").write_text("lön\tpersonnel\nhyra\tpremises\n", encoding="utf-8")
    assert convert(files, out).converted == 2
    assert convert(files, out).converted == 0
    monkeypatch.setattr(manifest, "__version__", "99.0")
    assert convert(files, out).converted == 2
    assert convert(files, out, options=Options(ocr_languages="swe+eng")).converted == 2


def test_a_failed_file_is_tried_again_next_run(tmp_path):
    files, out = make_inputs(tmp_path / "in", 2), tmp_path / "out"
    empty = tmp_path / "in" / "tom.txt"
    empty.write_bytes(b"")
    assert convert([*files, empty], out).failed == 1
    assert convert([*files, empty], out).converted == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("exit.txt", "worker process died (exit code 3)"),
        ("kill.txt", "worker process died (killed by SIGKILL)"),
        ("raise.txt", "worker error: MemoryError: pretend the file was too big"),
    ],
)
def test_a_worker_that_dies_fails_only_its_file(tmp_path, name, reason):
    files = make_inputs(tmp_path / "in", 4)
    doomed = tmp_path / "in" / name
    doomed.write_text(QUICK_SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    inputs = [*files[:2], doomed, *files[2:]]
    result = convert(inputs, tmp_path / "out", PoolExecutor(workers=2, task=misbehaving_task))
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert list(docs.source_file) == list(map(str, inputs))  # still in input order
    failed = docs[docs.status == "failed"]
    assert list(failed.source_file) == [str(doomed)] and reason in failed.error.iloc[0]
    assert failed.source_sha256.iloc[0] is not None  # the same doc_id a good run gives
    assert result.failed == 1 and (docs.status == "ok").sum() == 4


def test_a_hung_worker_is_stopped_and_fails_only_its_file(tmp_path):
    files = make_inputs(tmp_path / "in", 3)
    hung = tmp_path / "in" / "hang.txt"
    hung.write_text("x", encoding="utf-8")
    options = Options(worker_timeout=4)  # a cold worker needs about 2 s for its first file
    executor = PoolExecutor(workers=2, task=misbehaving_task)
    convert([hung, *files], tmp_path / "out", executor, options=options)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert list(docs.status) == ["failed", "ok", "ok", "ok"]
    assert "no progress for 4 s: the worker was stopped" in docs.error.iloc[0]


def test_page_fan_out_keeps_order_and_uses_only_free_lanes():
    pulled, running, peak = [], [0], [0]

    def pages():
        for number in range(9):
            pulled.append((number, running[0]))
            yield number

    def ocr(number: int) -> int:
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        running[0] -= 1
        return number * 10

    assert fan_out(ocr, pages(), lambda: 3, max_lanes=4) == [n * 10 for n in range(9)]
    assert peak[0] == 3
    assert all(busy <= 3 for _, busy in pulled)  # a page is rendered only when a lane is free
    assert lanes_for(capacity=4, busy=1) == 4 and lanes_for(4, 2) == 2 and lanes_for(4, 4) == 1


def test_ctrl_c_leaves_the_previous_dataset_intact(tmp_path):
    out = tmp_path / "out"
    small = make_inputs(tmp_path / "small", 1)
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "convert", *map(str, small), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    slow = tmp_path / "slow"
    slow.mkdir()
    for number in range(3):
        (slow / f"scan-{number}.pdf").write_bytes(SLOW_SAMPLE.read_bytes())
    command = [sys.executable, "-m", "pipeline.cli", "convert", str(slow), "--out", str(out)]
    # A shell starts a background job (`make test &`) with SIGINT ignored, and the command
    # would inherit that and rightly never see the Ctrl-C: it is given the default back.
    run = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".out.new-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the workers are reading the scans
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130, stderr
    assert stderr.strip().splitlines() == [f"interrupted: {out} was left as it was"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "slow", "small"]
    assert (out / MANIFEST).exists()
