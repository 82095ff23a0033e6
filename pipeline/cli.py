"""The `finsam` command: the only place that prints or exits.

Exit codes (CONTRACT.md): 0 all converted, 1 some documents failed (the rest written),
2 usage error (bad option, no inputs, an output directory that cannot be replaced, an
unreachable Dask scheduler); 130 when stopped by Ctrl-C (the old dataset is kept).
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from models.document import Document
from pipeline import clean, ingest
from pipeline.export.parquet import OutputError
from pipeline.options import Options
from pipeline.runner import InputError, discover, process_file
from pipeline.runner.batch import BatchResult, run_batch
from pipeline.runner.executors import ExecutorError, make_executor

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
) -> None:
    """Convert files and folders into the parquet dataset in OUT.

    Files unchanged since the last run into OUT (see its manifest.json) are not converted
    again: their rows are carried over."""
    try:
        files = discover(paths)
    except InputError as exc:
        raise usage_error(str(exc)) from None
    kind = Executor.dask if scheduler else executor
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
    raise typer.Exit(code=1 if result.failed else 0)


def convert_with_progress(
    files: list[Path], out: Path, runner, force: bool, inputs: list[str]
) -> BatchResult:
    """run_batch with a progress bar on stderr; a failed document is reported above the bar."""
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


def read_one(path: Path, stages) -> Document:
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
    doc = read_one(path, [ingest.run, clean.run])
    if not diff:
        sys.stdout.write(doc.text)
        return
    out_console.print(corrections_table(doc))
    for warning in doc.warnings:
        out_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


# Characters of raw text shown on each side of a change in `clean --diff`.
DIFF_CONTEXT = 25


def corrections_table(doc: Document) -> Table:
    """Every change the cleaner made, with its place, rule, confidence and context."""
    table = Table(title=f"{len(doc.corrections)} corrections in {doc.source_file}", title_justify="left")
    for column in ("page", "offset", "rule", "confidence", "change in context"):
        table.add_column(column, overflow="fold")
    for c in doc.corrections:
        before = escape(doc.raw_text[max(c.start - DIFF_CONTEXT, 0) : c.start].replace("\n", " "))
        after = escape(doc.raw_text[c.end : c.end + DIFF_CONTEXT].replace("\n", " "))
        change = f"[red]{escape(c.original)}[/] → [green]{escape(c.corrected)}[/]"
        table.add_row(
            str(c.page), str(c.start), c.rule, f"{c.confidence:.2f}", f"…{before}⟨{change}⟩{after}…"
        )
    return table


@app.command()
def inspect(path: Annotated[Path, typer.Argument(help="One file.")]) -> None:
    """Show what the pipeline makes of one file: type, sections, records, corrections."""
    if not path.is_file():
        raise usage_error(f"no such file: {path}")
    docs = process_file(path, Options())
    for doc in docs:
        print_document(doc)
    raise typer.Exit(code=1 if any(d.failed for d in docs) else 0)


# Columns shown per record table in `inspect` (the rest is in the parquet files).
INSPECT_COLUMNS = {
    "projects": ("name", "owner", "co_applicants", "amount_sek", "period_start", "period_end", "page"),
    "parties": ("role", "organisation", "person", "email", "page"),
    "goals": ("level", "goal", "achieved", "outcome", "page"),
    "decisions": ("paragraph", "title", "decision", "amount_sek", "recipient"),
}


def print_document(doc: Document) -> None:
    score = f"score {doc.template_score:.2f}"
    tree = Tree(f"[bold]{doc.doc_id}[/bold] part {doc.part}: {doc.doc_type} ({score}), {doc.status}")
    if doc.error:
        tree.add(f"[red]error:[/red] {doc.error}")
    for name in ("title", "organisation", "project_name", "period_start", "period_end", "granted_sek"):
        tree.add(f"{name}: {getattr(doc, name)}")
    sections = tree.add(f"sections ({len(doc.sections)})")
    for s in doc.sections:
        where = f"[dim]→ {s.key}, score {s.score:.2f}, page {s.page}[/dim]"
        sections.add(f"{'  ' * (s.level - 1)}{s.number} {s.heading} {where}")
    for warning in doc.warnings:
        tree.add(f"[yellow]warning:[/yellow] {warning}")
    out_console.print(tree)
    if doc.costs:
        out_console.print(cost_table(doc))
    for name, columns in INSPECT_COLUMNS.items():
        if rows := getattr(doc, name):
            out_console.print(record_table(f"{name} ({len(rows)})", columns, [r.model_dump() for r in rows]))
    if doc.corrections:
        columns = ("page", "start", "original", "corrected", "rule", "confidence")
        out_console.print(
            record_table(
                f"corrections ({len(doc.corrections)})", columns, [c.model_dump() for c in doc.corrections]
            )
        )


def cost_table(doc: Document) -> Table:
    """Costs as the report prints them: a line per label, a column per kind (budget, outcome)."""
    kinds = list(dict.fromkeys(c.kind for c in doc.costs))
    lines: dict[tuple[str, str, str], dict[str, str]] = {}
    for c in doc.costs:
        shown = f"{c.amount_sek:,}".replace(",", " ") if c.amount_sek is not None else f"? {c.amount_raw!r}"
        lines.setdefault((c.table, c.label, c.category), {"page": str(c.page)})[c.kind] = shown
    table = Table(title=f"costs ({len(doc.costs)} amounts)", title_justify="left")
    for column in ("table", "label", "category", *kinds, "page"):
        table.add_column(column, justify="right" if column in kinds else "left", overflow="fold")
    for (name, label, category), cells in lines.items():
        table.add_row(name, label, category, *(cells.get(k, "") for k in kinds), cells["page"])
    return table


def record_table(title: str, columns: tuple[str, ...], rows: list[dict]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell_text(row[c]) for c in columns))
    return table


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
