"""Golden regression test: converting samples/ must give the records in tests/golden/.

The expected records are readable JSON, one file per table, reviewed like code. After an
intended change, regenerate them with `make golden` (FINSAM_REGENERATE_GOLDEN=1) and read
the diff before committing. Regenerating is never on in a normal run: a test says so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from models.tables import TABLES

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("FINSAM_REGENERATE_GOLDEN") == "1"


def readable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 3)
    return value


def table_records(out: Path, name: str) -> list[dict]:
    rows = pq.read_table(out / f"{name}.parquet").to_pylist()
    records = [{k: readable(v) for k, v in row.items()} for row in rows]
    if name == "sections":
        # Section texts are long; their offsets pin them, and the length guards the content.
        for record in records:
            record["text"] = f"<{len(record['text'])} chars>"
    return records


@pytest.mark.parametrize("name", list(TABLES))
def test_sample_dataset_matches_golden(sample_dataset, name):
    records = table_records(sample_dataset, name)
    path = GOLDEN / f"{name}.json"
    if REGENERATE:
        path.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert len(records) == len(expected), f"{name}: {len(records)} rows, golden has {len(expected)}"
    for index, (got, want) in enumerate(zip(records, expected, strict=True)):
        assert got == want, f"{name} row {index} differs"


def test_regenerate_switch_is_off():
    assert not REGENERATE, "FINSAM_REGENERATE_GOLDEN=1 rewrites the golden files; never leave it on"
