"""What a worker does with one file: run the stages and hand back table rows, not Documents.

A Document carries the whole raw and corrected text, every page and every OCR word box;
the dataset needs only its rows. So the worker turns its Documents into rows (one list of
plain dicts per dataset table) before sending them back: that is far less to pickle across
processes or machines, and the parent can write them to parquet as they come without
holding any Document. The parent, not the worker, makes arrow tables of the rows: building
the first one makes pyarrow import pandas (a third of a second), which a worker then need
not load, and in a run with fewer workers than cores the parent builds them on a core the
workers leave idle. The same FileResult stands for a file whose worker crashed or hung:
the executors build it in the parent with one failed document saying why.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from models.document import Document
from pipeline.export.manifest import file_sha256
from pipeline.export.rows import Rows, collect_rows
from pipeline.options import Options
from pipeline.runner.stages import process_file

if TYPE_CHECKING:  # a worker imports no pyarrow: the parent makes the tables
    import pyarrow as pa

# ru_maxrss is in kilobytes on Linux.
RSS_UNIT_BYTES = 1024
# The columns of the documents table a DocSummary is made of.
SUMMARY_COLUMNS = ("source_file", "doc_type", "status", "error", "warnings")


@dataclass(frozen=True)
class DocSummary:
    """What the batch summary shows of one document."""

    source_file: str
    doc_type: str
    status: str
    error: str | None
    warned: bool


@dataclass
class FileResult:
    path: str
    rows: Rows  # table name -> its rows (DatasetRow.model_dump() dicts)
    seconds: float
    # Peak resident memory of the worker process so far, and of the largest program it ran
    # (Tesseract), in bytes; 0 when not known (the file ran in a worker that then died).
    peak_rss: int = 0
    child_peak_rss: int = 0
    summaries: list[DocSummary] = field(init=False)

    def __post_init__(self) -> None:
        self.summaries = [summary(row) for row in self.rows["documents"]]

    @cached_property
    def tables(self) -> dict[str, pa.Table]:
        """The rows as arrow tables with the dataset's schemas; built where first asked for
        (the parent), after the result has crossed from the worker."""
        from pipeline.export.parquet import arrow_tables

        return arrow_tables(self.rows)

    @property
    def sha256(self) -> str | None:
        return next((row["source_sha256"] for row in self.rows["documents"] if row["source_sha256"]), None)


def summaries(documents: pa.Table) -> list[DocSummary]:
    """The summary of every row of a documents table (from a worker or the old dataset)."""
    return [summary(row) for row in documents.select(list(SUMMARY_COLUMNS)).to_pylist()]


def summary(row: dict) -> DocSummary:
    """The summary of one documents row (a dict with at least SUMMARY_COLUMNS)."""
    return DocSummary(row["source_file"], row["doc_type"], row["status"], row["error"], bool(row["warnings"]))


def peak_memory() -> tuple[int, int]:
    """(this process, its largest finished child) peak resident memory in bytes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own * RSS_UNIT_BYTES, child * RSS_UNIT_BYTES


def convert_file(path: Path, options: Options) -> FileResult:
    """The task every executor runs: one file through every stage, as table rows."""
    started = time.perf_counter()
    rows = collect_rows(process_file(path, options))
    own, child = peak_memory()
    return FileResult(str(path), rows, time.perf_counter() - started, own, child)


def failed_result(path: Path, error: str, seconds: float) -> FileResult:
    """A file whose worker could not finish it: one failed document saying why.

    The file is hashed here so its doc_id is the one a successful run would give."""
    try:
        sha256 = file_sha256(path)
    except OSError:
        sha256 = None
    doc = Document(source_file=str(path), source_sha256=sha256).fail(error)
    return FileResult(str(path), collect_rows([doc]), seconds)
