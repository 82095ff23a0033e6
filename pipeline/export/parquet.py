"""Write the dataset: one parquet file per table, swapped into place as a whole.

Files are written into a temporary directory beside DIR, then DIR is replaced by it, so a
crash or a Ctrl-C mid-run leaves the previous dataset as it was. A DIR that holds files
but no finsam manifest is refused rather than replaced: it may be somebody's folder.

A batch streams: DatasetWriter appends each file's rows as they arrive (buffered into row
groups) and reports where they went, so the manifest can find a file's rows again; an
incremental run copies the rows of unchanged files from the old dataset with OldTables,
which reads forward in batches. Neither holds a whole table in memory.

The staging directory also gets finsam.duckdb (views over the parquet files, see
database.py) before the swap, so a dataset never appears without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from models.document import Document
from models.schema import arrow_schema
from models.tables import TABLES
from pipeline.export.manifest import MANIFEST
from pipeline.export.rows import Rows, collect_rows

DIR_MODE = 0o755
# Rows are buffered per table and written as one row group once this many have gathered,
# or this many bytes: big enough for columnar compression and fast scans, small enough that
# the buffers of eight tables stay a few tens of MB (the section texts are the bulk).
ROW_GROUP_ROWS = 50_000
ROW_GROUP_BYTES = 8 * 1024 * 1024
# Rows read at a time from the old dataset when its rows are carried over.
READ_BATCH_ROWS = 10_000


class OutputError(Exception):
    """The output directory cannot be written or replaced."""


def arrow_tables(rows: Rows) -> dict[str, pa.Table]:
    """Every table's rows (collect_rows) as arrow tables with the dataset's schemas."""
    return {name: pa.Table.from_pylist(rows[name], schema=arrow_schema(TABLES[name])) for name in TABLES}


def write_table(rows: list[dict], name: str, directory: Path) -> None:
    table = pa.Table.from_pylist(rows, schema=arrow_schema(TABLES[name]))
    pq.write_table(table, directory / f"{name}.parquet")


def check_replaceable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise OutputError(f"refusing to replace {out}: it is not empty and holds no finsam dataset")


def replace_directory(new: Path, out: Path) -> None:
    """Move `new` to `out`; the old dataset is removed only once the new one is in place.

    Ctrl-C is held back between the two renames, where DIR briefly does not exist."""
    if not out.exists():
        os.rename(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        os.rename(out, old / out.name)
        os.rename(new, out)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    shutil.rmtree(old)


def write_manifest(directory: Path, manifest: dict) -> None:
    """Write manifest.json through a temporary file, so it is never seen half-written."""
    text = json.dumps(manifest, indent=1, ensure_ascii=False)
    temporary = directory / f".{MANIFEST}.new"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, directory / MANIFEST)


def staging_directory(out: Path) -> Path:
    """A fresh temporary directory beside `out` (which must be replaceable)."""
    check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    tmp.chmod(DIR_MODE)  # mkdtemp makes it private; a dataset is meant to be shared
    return tmp


def write_dataset(docs: Iterable[Document], out: Path, manifest: dict) -> dict[str, int]:
    """Write a few Documents held in memory into `out`; returns the row count per table."""
    # Imported here, by the parent that writes the dataset: workers need no duckdb.
    from pipeline.export.database import DATABASE, create_database

    out = out.resolve()
    tmp = staging_directory(out)
    try:
        tables = collect_rows(docs)
        for name, rows in tables.items():
            write_table(rows, name, tmp)
        counts = {name: len(rows) for name, rows in tables.items()}
        create_database(tmp / DATABASE, tmp)
        write_manifest(tmp, {**manifest, "rows": counts})
        replace_directory(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


class DatasetWriter:
    """A new dataset filled as results come in, swapped into `out` by commit().

    Used as a context manager: leaving it without commit (an error, a Ctrl-C) removes the
    temporary directory and leaves `out` as it was."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.tmp = staging_directory(self.out)
        self.schemas = {name: arrow_schema(model) for name, model in TABLES.items()}
        self.writers = {
            name: pq.ParquetWriter(self.tmp / f"{name}.parquet", self.schemas[name]) for name in TABLES
        }
        self.buffers: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        # Rows and bytes in each buffer, kept as tables come (summing them anew for every
        # file was quadratic: a table's nbytes walks its buffers).
        self.buffered_rows = dict.fromkeys(TABLES, 0)
        self.buffered_bytes = dict.fromkeys(TABLES, 0)
        self.rows = dict.fromkeys(TABLES, 0)
        self.committed = False

    def append(self, tables: dict[str, pa.Table]) -> dict[str, list[int]]:
        """Add one file's rows; returns where they went: table -> [first row, count]."""
        ranges = {}
        for name, table in tables.items():
            if not table.num_rows:
                continue
            ranges[name] = [self.rows[name], table.num_rows]
            self.rows[name] += table.num_rows
            self.buffers[name].append(table)
            self.buffered_rows[name] += table.num_rows
            self.buffered_bytes[name] += table.nbytes
            if self.buffered_enough(name):
                self.flush(name)
        return ranges

    def buffered_enough(self, name: str) -> bool:
        return self.buffered_rows[name] >= ROW_GROUP_ROWS or self.buffered_bytes[name] >= ROW_GROUP_BYTES

    def flush(self, name: str) -> None:
        if self.buffers[name]:
            tables = [t.cast(self.schemas[name]) for t in self.buffers[name]]
            self.writers[name].write_table(pa.concat_tables(tables))
            self.buffers[name] = []
            self.buffered_rows[name] = self.buffered_bytes[name] = 0

    def commit(self, manifest: dict) -> dict[str, int]:
        """Finish every file, add the manifest and put the dataset in place of `out`."""
        from pipeline.export.database import DATABASE, create_database

        for name, writer in self.writers.items():
            self.flush(name)
            writer.close()
        counts = dict(self.rows)
        create_database(self.tmp / DATABASE, self.tmp)
        write_manifest(self.tmp, {**manifest, "rows": counts})
        replace_directory(self.tmp, self.out)
        self.committed = True
        return counts

    def abort(self) -> None:
        for writer in self.writers.values():
            with contextlib.suppress(Exception):  # the directory goes anyway
                writer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.committed:
            self.abort()


class OldTables:
    """Rows of the dataset in `directory`, taken by position, reading forward in batches.

    Files are carried over in the order they were written, so reading goes forward; a
    request behind the current batch starts that table's reading again (slower, not wrong)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.cursors: dict[str, _Cursor] = {}

    def take(self, name: str, offset: int, count: int) -> pa.Table:
        cursor = self.cursors.get(name)
        if cursor is None or offset < cursor.start:
            cursor = self.cursors[name] = _Cursor(self.directory / f"{name}.parquet")
        pieces = []
        while count > 0:
            batch = cursor.batch_at(offset)
            local = offset - cursor.start
            taken = min(count, batch.num_rows - local)
            pieces.append(batch.slice(local, taken))
            offset, count = offset + taken, count - taken
        return pa.Table.from_batches(pieces, schema=arrow_schema(TABLES[name]))

    def take_ranges(self, ranges: dict[str, list[int]]) -> dict[str, pa.Table]:
        """Every table's rows of one file, given where they are (the manifest's ranges)."""
        empty = [0, 0]
        return {name: self.take(name, *ranges.get(name, empty)) for name in TABLES}


class _Cursor:
    """A forward reader over one parquet file: the current batch and its first row."""

    def __init__(self, path: Path) -> None:
        self.batches = pq.ParquetFile(path).iter_batches(batch_size=READ_BATCH_ROWS)
        self.batch: pa.RecordBatch | None = None
        self.start = 0

    def batch_at(self, offset: int) -> pa.RecordBatch:
        while self.batch is None or offset >= self.start + self.batch.num_rows:
            if self.batch is not None:
                self.start += self.batch.num_rows
            self.batch = next(self.batches)
        return self.batch


def dataset_problem(directory: Path, rows: dict[str, int]) -> str | None:
    """Why the parquet files in `directory` do not hold what the manifest says, or None."""
    for name, model in TABLES.items():
        path = directory / f"{name}.parquet"
        try:
            metadata = pq.read_metadata(path)
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException) as exc:
            return f"{name}.parquet cannot be read: {exc}"
        if not schema.equals(arrow_schema(model), check_metadata=False):
            return f"{name}.parquet has other columns than this version writes"
        if metadata.num_rows != rows.get(name):
            return f"{name}.parquet holds {metadata.num_rows} rows, the manifest says {rows.get(name)}"
    return None


def source_files(directory: Path) -> list[str]:
    """The source_file column of the documents table, in row order."""
    return pq.read_table(directory / "documents.parquet", columns=["source_file"]).column(0).to_pylist()
