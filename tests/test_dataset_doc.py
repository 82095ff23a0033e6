"""docs/dataset.md: every column documented, and its example queries run and agree.

The dictionary's column lists are generated from models/tables.py (pipeline/report/
dictionary.py), so a column added to a model and not documented fails here. Every
```python and ```sql block of the page is an example that runs against the samples'
dataset, from the folder holding `out/` as a reader would; the pandas and the DuckDB form
of each example must give the same table, and it must hold what the samples say.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pydantic import Field

from models.tables import TABLES, GoalRow
from pipeline.export import database
from pipeline.report import dictionary

TEXT = dictionary.DOC.read_text(encoding="utf-8")
CODE_BLOCK = re.compile(r"```(?P<language>\w+)\n(?P<code>.*?)```", re.DOTALL)
EXAMPLE = re.compile(r"^(?:#|--) example: (\w+)\n")


def examples(language: str) -> dict[str, str]:
    found = {}
    for block in CODE_BLOCK.finditer(TEXT):
        if block.group("language") != language:
            continue
        name = EXAMPLE.match(block.group("code"))
        assert name, f"a ```{language} block without an '# example: NAME' line: {block.group('code')[:60]!r}"
        found[name.group(1)] = block.group("code")
    return found


PYTHON, SQL = examples("python"), examples("sql")


def test_the_dictionary_lists_every_column_of_every_table_with_its_type():
    assert dictionary.update(TEXT) == TEXT, (
        "docs/dataset.md is out of step with models/tables.py: make dataset-doc"
    )
    documented = dictionary.meanings(TEXT)
    for name, model in TABLES.items():
        assert f"### {name}.parquet" in TEXT
        for column in model.model_fields:
            assert documented.get((name, column)), f"{name}.{column} has no meaning in docs/dataset.md"
    assert dictionary.undocumented(TEXT) == []
    assert "| `doc_type` | enum: `slutrapport`, `delarsrapport`," in TEXT


def test_a_new_column_in_a_model_is_caught_until_it_is_described():
    class GoalWithWeight(GoalRow):
        weight: int | None

    class GoalWithDescribedWeight(GoalRow):
        weight: int | None = Field(description="how much the goal counts")

    tables = {**TABLES, "goals": GoalWithWeight}
    updated = dictionary.update(TEXT, tables)
    assert updated != TEXT and "| `weight` | integer or null |  |" in updated
    assert dictionary.undocumented(updated, tables) == ["goals.weight"]
    described = dictionary.update(TEXT, {**TABLES, "goals": GoalWithDescribedWeight})
    assert "| `weight` | integer or null | how much the goal counts |" in described
    with pytest.raises(dictionary.DictionaryError, match="no '<!-- columns: extra -->' block"):
        dictionary.update(TEXT, {**TABLES, "extra": GoalRow})


def test_every_sql_example_has_its_pandas_twin():
    assert set(SQL) <= set(PYTHON)
    assert {"granted_per_forbund", "goals_achieved_per_project", "costs_outcome_vs_budget"} <= set(SQL)
    assert "corrections_per_document" in SQL


@pytest.fixture(scope="module")
def results(sample_dataset, tmp_path_factory) -> dict[str, tuple[pd.DataFrame, pd.DataFrame | None]]:
    """Every example's result: (pandas, DuckDB or None), run from the folder holding out/."""
    import os

    before = os.getcwd()
    os.chdir(sample_dataset.parent)
    try:
        outcome = {}
        for name, code in PYTHON.items():
            namespace: dict = {}
            exec(compile(code, f"docs/dataset.md:{name}", "exec"), namespace)
            if "con" in namespace:
                namespace["con"].close()
            outcome[name] = [namespace["result"], None]
        connect = {}
        exec(PYTHON["connect"], connect)  # the page's own way of opening the database
        with connect["con"] as con:
            for name, query in SQL.items():
                outcome[name][1] = con.sql(query).df()
    finally:
        os.chdir(before)
    return {name: tuple(pair) for name, pair in outcome.items()}


def same(python: pd.DataFrame, sql: pd.DataFrame) -> None:
    """The two forms agree: same columns in the same order, same rows and values."""
    python, sql = python.reset_index(drop=True), sql.reset_index(drop=True)
    python.columns, sql.columns = list(python.columns), list(sql.columns)
    pd.testing.assert_frame_equal(python, sql, check_dtype=False, check_exact=False)


@pytest.mark.parametrize("name", sorted(SQL))
def test_pandas_and_duckdb_give_the_same_answer(results, name):
    python, sql = results[name]
    assert not python.empty
    same(python, sql)


def test_opening_the_database_as_the_page_says_sees_every_document(results, sample_dataset):
    documents = pd.read_parquet(sample_dataset / "documents.parquet")
    assert results["connect"][0].documents.iloc[0] == len(documents) == 17
    assert list(results["pandas"][0].doc_id) == list(documents.doc_id)


def test_granted_amounts_per_forbund_and_year_are_those_of_the_slutrapporter(results):
    granted = results["granted_per_forbund"][0]
    harnosand = granted[granted.organisation.str.contains("Härnösand")].set_index("year")
    # 2021: Samverkansmodell Timrå (620 000, in the text file and again as Word, counted once);
    # 2022: Arbetsförmedlare i samverkan (280 000) and Stärkt samverkan (400 000).
    assert harnosand.granted_sek.to_dict() == {2021: 620_000, 2022: 680_000}
    assert harnosand.reports.to_dict() == {2021: 1, 2022: 2}


def test_share_of_goals_achieved_counts_yes_among_the_answered(results):
    shares = results["goals_achieved_per_project"][0]
    assert shares.share.between(0, 1).all() and (shares.achieved <= shares.goals).all()
    # Samverkansmodell Timrå- SIP/SKIP: Ja, Ja, Nej, Ja, Ja, in the text file and the Word file.
    sip = shares[shares["name"].str.startswith("Samverkansmodell")]
    assert len(sip) == 2 and list(sip.goals) == [5, 5] and list(sip.share) == [0.8, 0.8]
    # Arbetsmarknadstorg i Härnösand answered Ja to all four goals in each of its five copies.
    torg = shares[shares["name"].str.fullmatch("Arbetsmarknadstorg [iI] Härnösand")]
    assert len(torg) == 5 and (torg.share == 1.0).all()


def test_cost_outcome_against_budget_adds_up_per_category(results):
    costs = results["costs_outcome_vs_budget"][0].set_index("category")
    assert {"personnel", "premises", "material", "travel"} <= set(costs.index)
    assert not {"total", "income", "result"} & set(costs.index)
    assert (costs.difference_sek == costs.outcome_sek - costs.budget_sek).all()
    assert costs.loc["personnel", "budget_sek"] > 0 and costs.loc["personnel", "outcome_sek"] > 0


def test_corrections_per_document_match_the_documents_table(results, sample_dataset):
    per_document = results["corrections_per_document"][0].set_index("doc_id")
    documents = pd.read_parquet(sample_dataset / "documents.parquet").set_index("doc_id")
    corrected = documents[documents.corrections > 0]
    assert per_document.corrections.to_dict() == corrected.corrections.to_dict()
    assert per_document.source_file.iloc[0] == "samples/delarsrapport-2021-harnosand-timra.txt"
    assert (per_document.doubtful < per_document.corrections).all()
    assert per_document.mean_confidence.between(0.5, 1).all()


def test_the_database_views_carry_the_column_descriptions(sample_dataset):
    with duckdb.connect(str(sample_dataset / "finsam.duckdb"), read_only=True) as con:
        comments = dict(
            con.sql(
                "select column_name, comment from duckdb_columns() where table_name = 'corrections'"
            ).fetchall()
        )
    assert comments["start"] == TABLES["corrections"].model_fields["start"].description


COUNT_EVERY_VIEW = " union all ".join(f"select '{name}', count(*) from {name}" for name in TABLES)


def count_rows_in_a_child(database: Path, cwd: Path, search_path: Path | None) -> dict[str, int]:
    """Open the database in a fresh process from `cwd`, as an analyst would, and count every view."""
    config = {"file_search_path": str(search_path)} if search_path else {}
    code = (
        "import duckdb, json, sys\n"
        f"con = duckdb.connect({str(database)!r}, read_only=True, config={config!r})\n"
        f"print(json.dumps(dict(con.sql({COUNT_EVERY_VIEW!r}).fetchall())))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_database_keeps_working_when_the_dataset_moves_and_from_another_directory(
    sample_dataset, tmp_path
):
    rows = json.loads((sample_dataset / "manifest.json").read_text(encoding="utf-8"))["rows"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = tmp_path / "arkiv" / "finsam-2026"
    shutil.copytree(sample_dataset, tmp_path / "first")
    moved.parent.mkdir()
    (tmp_path / "first").rename(moved)  # moved and renamed after it was written
    database = moved / "finsam.duckdb"
    assert count_rows_in_a_child(database, cwd=moved, search_path=None) == rows
    assert count_rows_in_a_child(database, cwd=elsewhere, search_path=moved) == rows
    relative = Path("..") / "arkiv" / "finsam-2026"
    assert count_rows_in_a_child(database, cwd=elsewhere, search_path=relative) == rows
    with duckdb.connect(str(database), read_only=True) as con:
        definitions = [
            sql for (sql,) in con.sql("select sql from duckdb_views() where not internal").fetchall()
        ]
    assert len(definitions) == len(TABLES)
    assert not [sql for sql in definitions if str(tmp_path) in sql or "/" in sql.split("read_parquet", 1)[1]]


def test_connect_finds_the_files_from_any_working_directory(sample_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with database.connect(sample_dataset) as con:
        assert con.sql("select count(*) from documents").fetchall() == [(17,)]
        with pytest.raises(duckdb.Error):
            con.execute("create table scratch (x int)")  # read-only: nothing is changed by accident
