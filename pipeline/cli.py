"""The `finsam` command: the only place that prints or exits.

Exit codes (CONTRACT.md): 0 all converted, 1 some documents failed (the rest written),
2 usage error (bad option, no inputs, an output directory that cannot be replaced).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from models.document import Document
from pipeline import __version__, clean, ingest
from pipeline.export.parquet import OutputError, write_dataset
from pipeline.options import Options
from pipeline.runner import InputError, discover, process_file, run_pool, run_serial

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])
# Piped output (a file, CI logs) gets a fixed width rather than rich's 80 columns.
out_console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, soft_wrap=True)


class Executor(StrEnum):
    local = "local"
    serial = "serial"
    dask = "dask"


def usage_error(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


@app.command()
def convert(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset directory to (re)write.")],
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: the cores).")] = None,
    executor: Annotated[
        Executor, typer.Option(help="local (process pool), serial, or dask.")
    ] = Executor.local,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
) -> None:
    """Convert files and folders into the parquet dataset in OUT."""
    if executor is Executor.dask or scheduler:
        raise usage_error("the dask executor is not available yet; use --executor local or serial")
    try:
        files = discover(paths)
    except InputError as exc:
        raise usage_error(str(exc)) from None
    workers = workers or os.cpu_count() or 1
    options = Options()
    began = time.perf_counter()
    docs = collect(files, options, workers if executor is Executor.local else 1)
    manifest = {"finsam_version": __version__, "inputs": [str(p) for p in paths]}
    try:
        counts = write_dataset(docs, out, manifest)
    except OutputError as exc:
        raise usage_error(str(exc)) from None
    print_summary(docs, counts, out, time.perf_counter() - began)
    raise typer.Exit(code=1 if any(d.failed for d in docs) else 0)


def collect(files: list[Path], options: Options, workers: int) -> list[Document]:
    """Run the batch with a progress bar on stderr; documents come back in input order."""
    results: dict[Path, list[Document]] = {}
    runs = (
        run_serial(files, options) if workers <= 1 or len(files) == 1 else run_pool(files, options, workers)
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("converting", total=len(files))
        for path, docs, _seconds in runs:
            results[path] = docs
            failed = [d for d in docs if d.failed]
            if failed:
                progress.console.print(f"[yellow]failed:[/yellow] {path}: {failed[0].error}", highlight=False)
            progress.advance(task)
    return [doc for path in files for doc in results[path]]


def print_summary(docs: list[Document], counts: dict[str, int], out: Path, seconds: float) -> None:
    by_type = Table(title=f"{len(docs)} documents", title_justify="left")
    by_type.add_column("type")
    statuses = ("ok", "partial", "failed")
    for status in statuses:
        by_type.add_column(status, justify="right")
    tally = Counter((d.doc_type, d.status) for d in docs)
    for doc_type in sorted({d.doc_type for d in docs}):
        by_type.add_row(doc_type, *(str(tally[(doc_type, s)] or "") for s in statuses))
    rows = Table(title=f"dataset in {out}", title_justify="left")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, count in counts.items():
        rows.add_row(f"{name}.parquet", str(count))
    out_console.print(by_type)
    out_console.print(rows)
    warned = sum(1 for d in docs if d.warnings)
    out_console.print(f"{warned} documents with warnings; {seconds:.2f} s elapsed", highlight=False)


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
def clean_command(path: Annotated[Path, typer.Argument(help="One file.")]) -> None:
    """Print the corrected text of one file (extraction + OCR-error correction)."""
    sys.stdout.write(read_one(path, [ingest.run, clean.run]).text)


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
