"""The column tables of docs/dataset.md, kept in step with models/tables.py.

The data dictionary is prose written by people, but its column lists must not drift from
the schema. So each table's columns sit between two markers,

    <!-- columns: goals -->
    | column | type | meaning |
    ...
    <!-- end columns -->

and are rewritten from TABLES: one row per field, in model order, with its type (and enum
values) derived from the annotation. The meaning is kept from the file (people write it);
a new column gets the model's Field description, or an empty meaning that the test
(tests/test_dataset_doc.py) refuses. Run `make dataset-doc` after changing a table model.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from models.tables import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "dataset.md"
BLOCK = re.compile(r"<!-- columns: (?P<table>\w+) -->\n(?P<body>.*?)<!-- end columns -->", re.DOTALL)
ROW = re.compile(r"^\| `(?P<column>\w+)` \| (?P<type>.*?) \| (?P<meaning>.*?) \|$", re.MULTILINE)
HEADER = "| column | type | meaning |\n|---|---|---|\n"
SCALARS = {str: "string", int: "integer", float: "float", bool: "boolean", dt.date: "date"}


class DictionaryError(Exception):
    """The data dictionary cannot be brought in step with the models."""


def column_type(annotation: object) -> str:
    """A readable type: `string`, `integer or null`, `list of string`, `enum: a, b`."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return f"{column_type(inner)} or null"
    if origin is typing.Literal:
        return "enum: " + ", ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return f"list of {column_type(item)}"
    if annotation in SCALARS:
        return SCALARS[annotation]
    raise DictionaryError(f"no readable type for {annotation!r}")


def meanings(text: str) -> dict[tuple[str, str], str]:
    """(table, column) -> meaning, as the dictionary says now."""
    return {
        (block.group("table"), row.group("column")): row.group("meaning").strip()
        for block in BLOCK.finditer(text)
        for row in ROW.finditer(block.group("body"))
    }


def column_rows(name: str, model: type[BaseModel], known: dict[tuple[str, str], str]) -> str:
    rows = []
    for column, info in model.model_fields.items():
        meaning = known.get((name, column)) or (info.description or "")
        rows.append(f"| `{column}` | {column_type(info.annotation)} | {meaning} |")
    return HEADER + "\n".join(rows) + "\n"


def update(text: str, tables: dict[str, type[BaseModel]] = TABLES) -> str:
    """The dictionary with every columns block rewritten from `tables`."""
    found = {block.group("table") for block in BLOCK.finditer(text)}
    if missing := [name for name in tables if name not in found]:
        raise DictionaryError(f"no '<!-- columns: {missing[0]} -->' block for the table {missing[0]}")
    if stale := sorted(found - set(tables)):
        raise DictionaryError(f"a columns block for {stale[0]}, which is no table")
    known = meanings(text)

    def rewrite(block: re.Match) -> str:
        name = block.group("table")
        return f"<!-- columns: {name} -->\n{column_rows(name, tables[name], known)}<!-- end columns -->"

    return BLOCK.sub(rewrite, text)


def undocumented(text: str, tables: dict[str, type[BaseModel]] = TABLES) -> list[str]:
    """`table.column` of every column without a meaning in the dictionary."""
    known = meanings(text)
    return [
        f"{name}.{column}"
        for name, model in tables.items()
        for column in model.model_fields
        if not known.get((name, column))
    ]


def main(argv: list[str]) -> int:
    """Rewrite docs/dataset.md (`--check`: only say whether it is up to date)."""
    text = DOC.read_text(encoding="utf-8")
    try:
        new = update(text)
    except DictionaryError as exc:
        print(f"{DOC}: {exc}", file=sys.stderr)
        return 1
    if "--check" in argv:
        if new != text:
            print(f"{DOC} is out of date: run make dataset-doc", file=sys.stderr)
        return int(new != text)
    DOC.write_text(new, encoding="utf-8")
    for column in undocumented(new):
        print(f"{DOC}: describe {column}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
