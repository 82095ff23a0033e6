"""Plain Python modules that run compiled, and the guard that keeps an edit from going unseen.

setup.py compiles some modules with Cython exactly as they are written (its SOURCE_MODULES:
the corrector's work per token) and records the sha256 of each source it compiled in
_compiled.json. Python prefers an extension module to the .py beside it, so in a checkout
whose source was edited after the build the old code would run without a word. guard()
compares each recorded module's source with its record, and a module that changed (or an
extension without a record) is loaded from its source instead, with a warning, until
`make setup` compiles it again. Reading and hashing the sources takes about a millisecond.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RECORD = PACKAGE_DIR / "_compiled.json"


def source_path(module: str) -> Path:
    """pipeline.clean.tokens -> .../pipeline/clean/tokens.py"""
    return PACKAGE_DIR.parent.joinpath(*module.split(".")).with_suffix(".py")


def read_record(path: Path = RECORD) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def stale(record: dict[str, str]) -> list[str]:
    """Modules whose extension was not compiled from the source that is there now."""
    names = []
    for module, digest in record.items():
        source = source_path(module)
        if source.exists() and hashlib.sha256(source.read_bytes()).hexdigest() != digest:
            names.append(module)
    return names


def unrecorded(record: dict[str, str]) -> list[str]:
    """Compiled plain-Python modules of the package that the record does not vouch for (an
    extension left from an older build)."""
    names = []
    for extension in PACKAGE_DIR.rglob("*.so"):
        module = ".".join(extension.relative_to(PACKAGE_DIR.parent).with_suffix("").with_suffix("").parts)
        if module not in record and extension.with_name(module.rsplit(".", 1)[-1] + ".py").exists():
            names.append(module)
    return names


class SourceFirst:
    """Finds the listed modules as their .py source, ahead of any compiled one (a meta path
    finder; importlib.abc would cost every process 8 ms of imports for nothing)."""

    def __init__(self, modules: set[str]):
        self.modules = modules

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.modules:
            return None
        import importlib.util

        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


def guard(record: dict[str, str] | None = None) -> list[str]:
    """Make the modules whose compiled form is not of their current source load from it.

    Returns their names (empty in a build that matches its source: the usual case)."""
    record = read_record() if record is None else record
    modules = sorted({*stale(record), *unrecorded(record)})
    if not modules:
        return []
    import warnings

    already = [name for name in modules if name in sys.modules]
    sys.meta_path.insert(0, SourceFirst(set(modules)))
    note = f" ({', '.join(already)} already imported compiled)" if already else ""
    warnings.warn(
        f"{', '.join(modules)} changed since they were compiled: running their Python source, "
        f"which is slower{note}; `make setup` compiles them again",
        stacklevel=2,
    )
    return modules
