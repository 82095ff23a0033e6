"""Keep doc_id unique in a dataset that holds the same file twice.

A doc_id is the file's content hash and the part, so it survives renames and re-runs. An
archive may hold byte-identical copies of a report (saved twice, filed under two
projects); each copy is converted and listed, but analysts join the tables on doc_id, so
two copies sharing one would count every goal and cost twice. The first copy in input order
keeps the plain doc_id; each later one gets `~` and 8 hex digits of the hash of its
source_file appended, in doc_id and in every id built from it (section_id, project_id,
goal_id). The suffix depends on the copy's own path, so a copy keeps its doc_id when other
copies come or go, unless it becomes the first.
"""

from __future__ import annotations

import hashlib
import re

import pyarrow as pa
import pyarrow.compute as pc

# Columns holding ids that start with their document's doc_id.
ID_COLUMNS = ("doc_id", "section_id", "project_id", "goal_id")
SUFFIX_DIGITS = 8


def copy_suffix(source_file: str) -> str:
    return "~" + hashlib.sha256(source_file.encode()).hexdigest()[:SUFFIX_DIGITS]


def renamed(column: pa.ChunkedArray, renames: dict[str, str]) -> pa.ChunkedArray:
    """The ids of `column` with each old doc_id (the whole id, or before a `-`) made new.

    Done by Arrow's regex replace, not in Python: building an arrow array from Python
    values makes pyarrow import pandas, a third of a second in the parent mid-run. A doc_id
    is 16 hex digits, `-` and the part number, so no old id is a prefix of another's match."""
    for old, new in renames.items():
        pattern = f"^{re.escape(old)}(-|$)"
        column = pc.replace_substring_regex(column, pattern=pattern, replacement=new + r"\1")
    return column


def distinct_ids(tables: dict[str, pa.Table], seen: set[str]) -> dict[str, pa.Table]:
    """One file's tables with doc_ids already in `seen` made distinct; adds its doc_ids to seen."""
    documents = tables.get("documents")
    if documents is None or not documents.num_rows:
        return tables
    ids = documents.column("doc_id").to_pylist()
    sources = documents.column("source_file").to_pylist()
    renames = {
        doc_id: doc_id + copy_suffix(source)
        for doc_id, source in zip(ids, sources, strict=True)
        if doc_id in seen
    }
    seen.update(renames.get(doc_id, doc_id) for doc_id in ids)
    if not renames:
        return tables
    out = {}
    for name, table in tables.items():
        for column in ID_COLUMNS:
            if column in table.column_names and table.num_rows:
                position, field = table.column_names.index(column), table.field(column)
                table = table.set_column(position, field, renamed(table.column(column), renames))
        out[name] = table
    return out
