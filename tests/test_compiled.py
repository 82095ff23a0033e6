"""The plain Python modules setup.py compiles run compiled, and an edited one runs from source."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import subprocess
import sys

from pipeline import compiled


def run_python(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_recorded_modules_run_compiled():
    record = compiled.read_record()
    assert "pipeline.clean.corrector" in record, "setup.py compiles the corrector (run `make setup`)"
    assert compiled.stale(record) == [] and compiled.unrecorded(record) == []
    for name in record:
        path = importlib.import_module(name).__file__
        assert path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), path


GUARDED = """
import json, warnings
from pipeline import compiled
record = compiled.read_record()
{change}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    names = compiled.guard(record)
from pipeline.clean import protect, tokens
print(json.dumps({{
    "names": names,
    "warnings": [str(w.message) for w in caught],
    "protect": protect.__file__,
    "tokens": tokens.__file__,
    "debris": protect.has_debris("oli<a"),
}}))
"""


def test_a_module_edited_since_the_build_runs_from_its_source():
    seen = run_python(GUARDED.format(change='record["pipeline.clean.protect"] = "0" * 64'))
    assert seen["names"] == ["pipeline.clean.protect"]
    assert seen["protect"].endswith("pipeline/clean/protect.py")
    assert not seen["tokens"].endswith(".py")  # the others stay compiled
    assert seen["debris"] is True
    (message,) = seen["warnings"]
    assert "pipeline.clean.protect changed since they were compiled" in message
    assert "make setup" in message


def test_an_extension_the_record_does_not_list_runs_from_its_source():
    seen = run_python(GUARDED.format(change='del record["pipeline.clean.protect"]'))
    assert seen["names"] == ["pipeline.clean.protect"]
    assert seen["protect"].endswith("pipeline/clean/protect.py")


def test_a_build_that_matches_its_sources_warns_of_nothing():
    seen = run_python(GUARDED.format(change=""))
    assert seen["names"] == [] and seen["warnings"] == []
    assert not seen["protect"].endswith(".py")


def test_compiled_modules_keep_pythons_semantics():
    # Cython would enforce `tokens: list[Token]` as a type; the build turns that off.
    from pipeline.clean.corrector import runs
    from pipeline.clean.tokens import split_tokens

    tokens = split_tokens("a b\n\nc")
    assert runs(tuple(tokens)) == runs(tokens) == [(0, 2), (2, 3)]
