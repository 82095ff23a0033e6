"""Arrow schemas derived from the table models, so no column list is repeated by hand."""

from __future__ import annotations

import datetime as dt
import types
import typing

import pyarrow as pa
from pydantic import BaseModel

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
}


def annotation_to_arrow(annotation: object) -> tuple[pa.DataType, bool]:
    """Map one field annotation to (arrow type, nullable)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        arrow_type, _ = annotation_to_arrow(args[0])
        return arrow_type, True
    if origin is typing.Literal:
        return pa.string(), False
    if origin is list:
        (item,) = typing.get_args(annotation)
        item_type, _ = annotation_to_arrow(item)
        return pa.list_(item_type), False
    if annotation in _SCALARS:
        return _SCALARS[annotation], False
    raise TypeError(f"no arrow type for {annotation!r}")


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    fields = []
    for name, info in model.model_fields.items():
        arrow_type, nullable = annotation_to_arrow(info.annotation)
        metadata = {"description": info.description} if info.description else None
        fields.append(pa.field(name, arrow_type, nullable=nullable, metadata=metadata))
    return pa.schema(fields)
