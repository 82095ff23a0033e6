"""Importing two third-party packages without the large modules they load and finsam never
calls.

Both are imported where start-up counts: in a worker before its first page reaches
Tesseract, and in the load a worker waits for before it can clean (runner/warm.py).

- pytesseract imports pandas whenever it is installed, only for its DataFrame output: a
  quarter of a second, in a worker that otherwise never loads pandas (runner/work.py).
- spaCy's package imports its whole command line (requests, weasel, every command) only to
  offer `spacy.info`: 0.15 s of the 0.35 s `import spacy` took after the pipeline, and the
  blank Swedish pipeline was 0.05 s quicker to build without it.

`import_without` puts stand-ins for such modules in sys.modules while the package imports,
and takes them out again afterwards: importing one of them later gets the real module.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def import_without(name: str, stand_ins: dict[str, ModuleType | None]) -> ModuleType:
    """Module `name`, imported with each module of `stand_ins` not yet loaded replaced by its
    stand-in (None: importing it raises ImportError); imported plainly if that fails."""
    if name in sys.modules:
        return sys.modules[name]
    placed = {module: stand_in for module, stand_in in stand_ins.items() if module not in sys.modules}
    sys.modules.update(placed)
    try:
        return importlib.import_module(name)
    except ImportError:
        pass  # a new version needs more of the package: imported plainly below
    finally:
        take_out(placed)
    return importlib.import_module(name)


def take_out(placed: dict[str, ModuleType | None]) -> None:
    for module, stand_in in placed.items():
        if sys.modules.get(module, False) is stand_in:
            del sys.modules[module]


def spacy_without_cli() -> ModuleType:
    """spaCy without its command line; `spacy.info()` still works (it imports the real one)."""

    def info(*args, **kwargs):
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    cli, cli_info = ModuleType("spacy.cli"), ModuleType("spacy.cli.info")
    cli.__path__ = []  # a package, as the real one
    cli.info, cli_info.info = cli_info, info
    return import_without("spacy", {"spacy.cli": cli, "spacy.cli.info": cli_info})
