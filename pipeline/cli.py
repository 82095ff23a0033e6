"""The `finsam` command: the only place that prints or exits.

Exit codes (CONTRACT.md): 0 all converted, 1 some documents failed (the rest written),
2 usage error (bad option, no inputs, an output directory that cannot be replaced, an
unreachable Dask scheduler); 130 when stopped by Ctrl-C (the old dataset is kept).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.runner import forkserver

if TYPE_CHECKING:
    from models.document import Document
    from pipeline.runner.batch import BatchResult

# The pipeline's modules are imported in the commands that use them, not here: they take
# about half a second, which `convert` spends after starting its workers' forkserver (so
# both load at once on two cores), and `--help` not at all.

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])
# Piped output (a file, CI logs) gets a fixed width rather than rich's 80 columns.
out_console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, soft_wrap=True)


class Executor(StrEnum):
    local = "local"
    serial = "serial"
    dask = "dask"


# Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130
MEGABYTE = 1024 * 1024


def usage_error(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


@app.command()
def convert(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset directory to (re)write.")],
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: the cores).")] = None,
    executor: Annotated[
        Executor, typer.Option(help="local (worker processes), serial (one process, for debugging), or dask.")
    ] = Executor.local,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (implies --executor dask)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Convert every file, even those unchanged since the last run.")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write OUT/report.html at the end (the default).")
    ] = True,
) -> None:
    """Convert files and folders into the parquet dataset in OUT.

    Files unchanged since the last run into OUT (see its manifest.json) are not converted
    again: their rows are carried over. OUT also gets finsam.duckdb (views over the tables)
    and report.html (the batch at a glance, see `finsam report`)."""
    kind = Executor.dask if scheduler else executor
    from pipeline.export.manifest import likely_converted
    from pipeline.options import Options
    from pipeline.runner.inputs import InputError, discover

    try:
        files = discover(paths)
    except InputError as exc:
        raise usage_error(str(exc)) from None
    if kind is Executor.local and (todo := likely_converted(files, out, Options(), force)):
        # Its loading overlaps the imports below; a run with nothing to do needs none.
        forkserver.start(todo, workers or forkserver.default_workers())
    from pipeline.export.database import ensure_database
    from pipeline.export.parquet import OutputError
    from pipeline.runner.executors import ExecutorError, make_executor

    began = time.perf_counter()
    try:
        with make_executor(kind.value, workers, scheduler) as runner:
            result = convert_with_progress(files, out, runner, force, [str(p) for p in paths])
    except (OutputError, ExecutorError) as exc:
        raise usage_error(str(exc)) from None
    except KeyboardInterrupt:
        err_console.print(f"interrupted: {out} was left as it was", highlight=False)
        raise typer.Exit(code=INTERRUPTED) from None
    print_summary(result, out, time.perf_counter() - began)
    try:
        ensure_database(out)  # a dataset kept from a finsam version without it
        # A dataset that changed is a new directory without report.html; one kept as it
        # was keeps its report, so a run with nothing to do stays quick.
        if report and not (out / REPORT).exists() and (problem := write_report_timed(out)):
            # The dataset is complete and its exit code says how the documents went; a report
            # that could not be written is said, not turned into a usage error.
            err_console.print(
                f"[yellow]warning:[/yellow] {problem}; the dataset is complete", highlight=False
            )
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the dataset in {out} is complete, not its report", highlight=False)
        raise typer.Exit(code=INTERRUPTED) from None
    raise typer.Exit(code=1 if result.failed else 0)


def convert_with_progress(
    files: list[Path], out: Path, runner, force: bool, inputs: list[str]
) -> BatchResult:
    """run_batch with a progress bar on stderr; a failed document is reported above the bar."""
    from pipeline.options import Options
    from pipeline.runner.batch import run_batch

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("converting", total=len(files))

        def on_file(path: str, docs, reused: bool) -> None:
            failed = [d for d in docs if d.status == "failed"]
            if failed:
                progress.console.print(f"[yellow]failed:[/yellow] {path}: {failed[0].error}", highlight=False)
            progress.advance(task)

        return run_batch(files, out, Options(), runner, force=force, inputs=inputs, on_file=on_file)


def print_summary(result: BatchResult, out: Path, seconds: float) -> None:
    by_type = Table(title=f"{result.documents} documents", title_justify="left")
    by_type.add_column("type")
    statuses = ("ok", "partial", "failed")
    for status in statuses:
        by_type.add_column(status, justify="right")
    tally = result.by_type_status
    for doc_type in sorted({doc_type for doc_type, _ in tally}):
        by_type.add_row(doc_type, *(str(tally[(doc_type, s)] or "") for s in statuses))
    rows = Table(title=f"dataset in {out}", title_justify="left")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, count in result.rows.items():
        rows.add_row(f"{name}.parquet", str(count))
    out_console.print(by_type)
    out_console.print(rows)
    files = f"{result.converted} files converted, {result.reused} unchanged reused"
    if result.redo_reason and result.redo_reason != "no earlier dataset":
        files += f" (nothing reused: {result.redo_reason})"
    if result.peak_rss:
        files += f"; peak memory per worker {result.peak_rss / MEGABYTE:.0f} MB"
        files += f" (Tesseract {result.child_peak_rss / MEGABYTE:.0f} MB)" if result.child_peak_rss else ""
    out_console.print(files, highlight=False)
    out_console.print(f"{result.warned} documents with warnings; {seconds:.2f} s elapsed", highlight=False)


REPORT = "report.html"


def write_report_timed(directory: Path) -> str | None:
    """Write DIR/report.html and say where and how long it took; why not, if it could not be."""
    began = time.perf_counter()
    # Imported here: pandas and matplotlib take a second to load, which `text` or `clean`
    # of one file, and a convert with nothing to do, need not pay.
    from pipeline.report.build import write_report
    from pipeline.report.dataset import NotADataset

    try:
        path = write_report(directory)
    except (NotADataset, OSError) as exc:
        return f"cannot write the report of {directory}: {exc}"
    out_console.print(f"report: {path} ({time.perf_counter() - began:.2f} s)", highlight=False)
    return None


@app.command(name="report")
def report_command(
    directory: Annotated[Path, typer.Argument(help="A dataset directory written by `finsam convert`.")],
) -> None:
    """Write DIR/report.html: the batch at a glance, its plots, warnings and review queue.

    Reads only DIR (the parquet files and manifest.json); also writes DIR/finsam.duckdb
    when it is missing."""
    import duckdb

    from pipeline.export.database import ensure_database
    from pipeline.export.parquet import MANIFEST

    if not (directory / MANIFEST).is_file():
        raise usage_error(f"{directory} is not a finsam dataset (no {MANIFEST})")
    if problem := write_report_timed(directory):
        raise usage_error(problem)
    try:
        ensure_database(directory)
    except (duckdb.Error, OSError) as exc:
        raise usage_error(f"cannot write {directory}/finsam.duckdb: {exc}") from None


def read_one(path: Path, stages) -> Document:
    from models.document import Document
    from pipeline.options import Options

    if not path.is_file():
        raise usage_error(f"no such file: {path}")
    doc = Document(source_file=str(path))
    for stage in stages:
        doc = stage(doc, Options())
    if doc.failed:
        err_console.print(f"[red]failed:[/red] {path}: {doc.error}", highlight=False)
        raise typer.Exit(code=1)
    for warning in doc.warnings if doc.status == "partial" else []:
        err_console.print(f"[yellow]warning:[/yellow] {path}: {warning}", highlight=False)
    return doc


@app.command()
def text(
    path: Annotated[Path, typer.Argument(help="One file.")],
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Per page on stderr: source, confidence.")
    ] = False,
) -> None:
    """Print the raw extracted text (text layer or OCR), before correction."""
    from pipeline import ingest

    doc = read_one(path, [ingest.run])
    sys.stdout.write(doc.raw_text)
    if verbose:
        for page in doc.pages:
            err_console.print(page_summary(page), highlight=False)
        err_console.print(
            f"{path}: {doc.text_source}, {len(doc.pages)} pages, status {doc.status}", highlight=False
        )


def page_summary(page) -> str:
    """One line per page: where its text came from and how sure OCR was."""
    parts = [f"page {page.number}: {page.source}", f"{page.end - page.start} chars"]
    if page.confidence is not None:
        parts.append(f"OCR confidence {page.confidence:.2f}")
    if page.tables:
        parts.append(f"{len(page.tables)} tables")
    if page.seconds is not None:
        parts.append(f"{page.seconds:.2f} s")
    if page.error:
        parts.append(f"NOT READ: {page.error}")
    return ", ".join(parts)


@app.command(name="clean")
def clean_command(
    path: Annotated[Path, typer.Argument(help="One file.")],
    diff: Annotated[bool, typer.Option("--diff", help="Show every change instead of the text.")] = False,
) -> None:
    """Print the corrected text of one file (extraction + OCR-error correction)."""
    from pipeline import clean, ingest
    from pipeline.report.terminal import corrections_table

    doc = read_one(path, [ingest.run, clean.run])
    if not diff:
        sys.stdout.write(doc.text)
        return
    out_console.print(corrections_table(doc))
    for warning in doc.warnings:
        out_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


@app.command()
def inspect(path: Annotated[Path, typer.Argument(help="One file.")]) -> None:
    """Show what the pipeline makes of one file: type, sections, records, corrections."""
    from pipeline.options import Options
    from pipeline.runner.stages import process_file

    if not path.is_file():
        raise usage_error(f"no such file: {path}")
    docs = process_file(path, Options())
    for doc in docs:
        print_document(doc)
    raise typer.Exit(code=1 if any(d.failed for d in docs) else 0)


def print_document(doc: Document) -> None:
    from pipeline.report.terminal import document_view

    for part in document_view(doc):
        out_console.print(part)
    out_console.print()


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        exit_now(exc.code)
    exit_now(0)


def exit_now(code: int | str | None) -> None:
    """End the process as sys.exit(code) would, without the interpreter's final teardown.

    Tearing down every module (pandas, pyarrow, DuckDB) took 0.1-0.25 s after the command
    had finished: 3-4% of converting the text samples. Everything a command writes is
    closed and in place by then, the atexit handlers still run, and the standard streams
    are flushed. A thread still running (none should be) gets the normal exit instead."""
    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, or a broken pipe
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
