"""What a worker does with one file: run the stages and hand back table rows, not Documents.

A Document carries the whole raw and corrected text, every page and every OCR word box;
the dataset needs only its rows. So the worker turns its Documents into arrow tables (one
per dataset table) before sending them back: that is far less to pickle across processes
or machines, and the parent can write them to parquet as they come without holding any
Document. The same FileResult stands for a file whose worker crashed or hung: the
executors build it in the parent with one failed document saying why.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from models.document import Document
from pipeline.export.manifest import file_sha256
from pipeline.export.parquet import arrow_tables
from pipeline.options import Options
from pipeline.runner.stages import process_file

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
    tables: dict[str, pa.Table]
    seconds: float
    # Peak resident memory of the worker process so far, and of the largest program it ran
    # (Tesseract), in bytes; 0 when not known (the file ran in a worker that then died).
    peak_rss: int = 0
    child_peak_rss: int = 0
    summaries: list[DocSummary] = field(init=False)

    def __post_init__(self) -> None:
        self.summaries = summaries(self.tables["documents"])

    @property
    def sha256(self) -> str | None:
        return next((s for s in self.tables["documents"].column("source_sha256").to_pylist() if s), None)


def summaries(documents: pa.Table) -> list[DocSummary]:
    """The summary of every row of a documents table (from a worker or the old dataset)."""
    columns = documents.select(list(SUMMARY_COLUMNS)).to_pylist()
    return [
        DocSummary(row["source_file"], row["doc_type"], row["status"], row["error"], bool(row["warnings"]))
        for row in columns
    ]


def peak_memory() -> tuple[int, int]:
    """(this process, its largest finished child) peak resident memory in bytes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own * RSS_UNIT_BYTES, child * RSS_UNIT_BYTES


def convert_file(path: Path, options: Options) -> FileResult:
    """The task every executor runs: one file through every stage, as table rows."""
    started = time.perf_counter()
    tables = arrow_tables(process_file(path, options))
    own, child = peak_memory()
    return FileResult(str(path), tables, time.perf_counter() - started, own, child)


def failed_result(path: Path, error: str, seconds: float) -> FileResult:
    """A file whose worker could not finish it: one failed document saying why.

    The file is hashed here so its doc_id is the one a successful run would give."""
    try:
        sha256 = file_sha256(path)
    except OSError:
        sha256 = None
    doc = Document(source_file=str(path), source_sha256=sha256).fail(error)
    return FileResult(str(path), arrow_tables([doc]), seconds)
