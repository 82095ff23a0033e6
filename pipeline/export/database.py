"""DIR/finsam.duckdb: an embedded DuckDB database with one view per parquet table.

Analysts open one file and find every table by name (`select * from goals`) with the
column meanings as comments, instead of spelling out parquet paths. The database holds
only view definitions (a few KB); the rows stay in the parquet files.

The views read the files by bare name (`read_parquet('goals.parquet')`), which DuckDB
resolves against the working directory first and then its `file_search_path`. That keeps
the views valid when DIR is moved, copied or zipped, and lets the database be written in
the dataset's staging directory before the atomic swap (an absolute path would point at
that temporary directory, and at the old place after a move). The price: a reader opens it
from inside DIR, or sets `file_search_path` to DIR (see docs/dataset.md and `connect`).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from models.schema import arrow_schema
from models.tables import TABLES

DATABASE = "finsam.duckdb"
FILE_MODE = 0o644


def quoted(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def view_statements() -> list[str]:
    """CREATE VIEW and COMMENT statements for every table, relative paths only."""
    statements = []
    for name, model in TABLES.items():
        statements.append(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({quoted(name + '.parquet')})")
        statements.append(
            f"COMMENT ON VIEW {name} IS {quoted(f'finsam {name}.parquet; see docs/dataset.md')}"
        )
        for field in arrow_schema(model):
            description = (field.metadata or {}).get(b"description")
            if description:
                statements.append(f"COMMENT ON COLUMN {name}.{field.name} IS {quoted(description.decode())}")
    return statements


def create_database(path: Path, dataset: Path) -> None:
    """Write a new database at `path` with views over the parquet files in `dataset`.

    DuckDB binds a view when it is created, so the files must be found then: the search
    path points at `dataset` for this connection only; it is not stored in the file."""
    connection = duckdb.connect(str(path), config={"file_search_path": str(dataset)})
    try:
        for statement in view_statements():
            connection.execute(statement)
    finally:
        connection.close()


def write_database(directory: Path) -> Path:
    """(Re)write DIR/finsam.duckdb through a temporary file, so it is never seen half-made."""
    directory = directory.resolve()
    temporary = directory / f".{DATABASE}.{os.getpid()}.new"
    temporary.unlink(missing_ok=True)  # left by a killed run of the same pid
    try:
        create_database(temporary, directory)
        temporary.chmod(FILE_MODE)
        os.replace(temporary, directory / DATABASE)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return directory / DATABASE


def ensure_database(directory: Path) -> Path:
    """DIR/finsam.duckdb, written if the dataset has none (one made before it existed)."""
    path = directory / DATABASE
    return path if path.is_file() else write_database(directory)


def connect(directory: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to DIR/finsam.duckdb that finds its parquet files from any
    working directory (unless that directory holds files of the same names: they win)."""
    directory = Path(directory).resolve()
    return duckdb.connect(
        str(directory / DATABASE), read_only=True, config={"file_search_path": str(directory)}
    )
