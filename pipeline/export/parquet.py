"""Write the dataset: one parquet file per table, swapped into place as a whole.

Files are written into a temporary directory beside DIR, then DIR is replaced by it, so a
crash or a Ctrl-C mid-run leaves the previous dataset as it was. A DIR that holds files
but no finsam manifest is refused rather than replaced: it may be somebody's folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from models.document import Document
from models.schema import arrow_schema
from models.tables import TABLES
from pipeline.export.rows import table_rows

MANIFEST = "manifest.json"
DIR_MODE = 0o755


class OutputError(Exception):
    """The output directory cannot be written or replaced."""


def collect_rows(docs: Iterable[Document]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for doc in docs:
        for name, rows in table_rows(doc).items():
            tables[name].extend(row.model_dump() for row in rows)
    return tables


def write_table(rows: list[dict], name: str, directory: Path) -> None:
    table = pa.Table.from_pylist(rows, schema=arrow_schema(TABLES[name]))
    pq.write_table(table, directory / f"{name}.parquet")


def check_replaceable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise OutputError(f"refusing to replace {out}: it is not empty and holds no finsam dataset")


def replace_directory(new: Path, out: Path) -> None:
    """Move `new` to `out`; the old dataset is removed only once the new one is in place."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old / out.name)
        os.rename(new, out)
        shutil.rmtree(old)
    else:
        os.rename(new, out)


def write_dataset(docs: Iterable[Document], out: Path, manifest: dict) -> dict[str, int]:
    """Write every table into `out`; returns the row count per table."""
    out = out.resolve()
    check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    tmp.chmod(DIR_MODE)  # mkdtemp makes it private; a dataset is meant to be shared
    try:
        tables = collect_rows(docs)
        for name, rows in tables.items():
            write_table(rows, name, tmp)
        counts = {name: len(rows) for name, rows in tables.items()}
        (tmp / MANIFEST).write_text(
            json.dumps({**manifest, "rows": counts}, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        replace_directory(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts
