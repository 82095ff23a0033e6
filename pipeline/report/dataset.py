"""Read a dataset directory for the report: manifest.json and every parquet table.

Only DIR is read, never the sources, so a report can be made for any dataset, also one
copied elsewhere. A dataset from an older finsam that lacks a newer column gets it empty
rather than failing, since the report is how one would look at such a dataset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from models.tables import TABLES
from pipeline.export.manifest import read_manifest
from pipeline.export.parquet import MANIFEST


class NotADataset(Exception):
    """The directory is not a readable finsam dataset."""


@dataclass
class Dataset:
    directory: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]
    written: dt.datetime  # when documents.parquet was written (local time)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def read_table(directory: Path, name: str) -> pd.DataFrame:
    path = directory / f"{name}.parquet"
    try:
        frame = pd.read_parquet(path)
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise NotADataset(f"{path} cannot be read: {exc}") from None
    return frame.reindex(columns=list(TABLES[name].model_fields))


def read_dataset(directory: Path) -> Dataset:
    """Every table of the dataset in `directory`, or NotADataset saying what is wrong."""
    if not directory.is_dir():
        raise NotADataset(f"{directory} is not a directory")
    manifest = read_manifest(directory)
    if not isinstance(manifest, dict):
        raise NotADataset(f"{directory} is not a finsam dataset: it has no readable {MANIFEST}")
    tables = {name: read_table(directory, name) for name in TABLES}
    written = dt.datetime.fromtimestamp((directory / "documents.parquet").stat().st_mtime)
    return Dataset(directory, manifest, tables, written)
