import datetime as dt
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from models.document import Document
from models.schema import annotation_to_arrow, arrow_schema
from models.tables import TABLES, CostRow, DocumentRow
from pipeline.export import parquet
from pipeline.export.parquet import MANIFEST, OutputError, write_dataset


def test_schema_comes_from_the_models():
    schema = arrow_schema(DocumentRow)
    assert schema.names == list(DocumentRow.model_fields)
    assert schema.field("period_start").type == pa.date32() and schema.field("period_start").nullable
    assert schema.field("warnings").type == pa.list_(pa.string())
    assert schema.field("part").type == pa.int64() and not schema.field("part").nullable
    assert arrow_schema(CostRow).field("amount_sek").type == pa.int64()


def test_unknown_annotation_is_refused():
    with pytest.raises(TypeError):
        annotation_to_arrow(dict)


def a_document(name: str = "a.txt") -> Document:
    doc = Document(source_file=name, source_sha256="ab" * 32, raw_text="x", text="x")
    doc.period_start = dt.date(2022, 1, 1)
    doc.warnings.append("en varning")
    return doc


def test_every_table_is_written_and_readable_by_pandas_and_duckdb(tmp_path):
    out = tmp_path / "out"
    counts = write_dataset([a_document()], out, {"inputs": ["a.txt"]})
    assert counts["documents"] == 1 and set(counts) == set(TABLES)
    for name, model in TABLES.items():
        path = out / f"{name}.parquet"
        assert pq.read_schema(path).names == list(model.model_fields)
        frame = pd.read_parquet(path)
        rows = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
        assert rows == len(frame) == counts[name]
    docs = pd.read_parquet(out / "documents.parquet")
    assert docs.loc[0, "period_start"] == dt.date(2022, 1, 1)
    assert list(docs.loc[0, "warnings"]) == ["en varning"]
    assert json.loads((out / MANIFEST).read_text())["rows"]["documents"] == 1


def test_rewrite_replaces_the_dataset_and_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "out"
    write_dataset([a_document("a.txt"), a_document("b.txt")], out, {})
    write_dataset([a_document("c.txt")], out, {})
    assert list(pd.read_parquet(out / "documents.parquet").source_file) == ["c.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_crash_while_writing_keeps_the_previous_dataset(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_dataset([a_document("old.txt")], out, {})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []

    def failing_write(rows, name, directory):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        pq.write_table(
            pa.Table.from_pylist(rows, schema=arrow_schema(TABLES[name])), directory / f"{name}.parquet"
        )

    monkeypatch.setattr(parquet, "write_table", failing_write)
    with pytest.raises(OSError, match="disk full"):
        write_dataset([a_document("new.txt")], out, {})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_that_is_not_a_dataset_is_not_replaced(tmp_path):
    out = tmp_path / "mina-filer"
    out.mkdir()
    (out / "viktigt.docx").write_text("x")
    with pytest.raises(OutputError, match="not empty and holds no finsam dataset"):
        write_dataset([a_document()], out, {})
    assert (out / "viktigt.docx").exists()
