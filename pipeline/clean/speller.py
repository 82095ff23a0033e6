"""hunspell's spell check, with its dictionary read outside the interpreter lock.

chunspell, the binding this project pins, reads sv_SE.dic while it holds Python's global
interpreter lock: about 0.3 s in which a process loading the corrector can do nothing else.
Its wheel ships libhunspell, whose C API (hunspell.h: Hunspell_create, Hunspell_spell,
Hunspell_destroy) ctypes calls directly. Creating the dictionary through ctypes releases
the lock, so a worker reads it in a thread while it unmarshals the index and builds
spaCy's pipeline (lexicon.start_hunspell, warm.py). Checking a word keeps the lock, as
chunspell does: a hunspell dictionary is not safe to use from two threads at once. The
verdicts are chunspell's: the same library, the same call, the word encoded as chunspell
encodes it (tests/test_clean_speller.py compares them).
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

# The package whose wheel ships libhunspell (hunspell-sv ships the dictionary).
LIBRARY_PACKAGE = "chunspell"


def package_file(package: str, what: str, matches: Callable[[str], bool]) -> Path:
    """The first file the installed `package` holds whose name `matches`."""
    dist = importlib.metadata.distribution(package)
    for entry in dist.files or []:
        if matches(entry.name):
            return Path(str(dist.locate_file(entry))).resolve()
    raise FileNotFoundError(f"{package} is installed without {what}")


def library_path() -> Path:
    def matches(name: str) -> bool:
        return name.startswith("libhunspell") and ".so" in name

    return package_file(LIBRARY_PACKAGE, "libhunspell", matches)


@lru_cache(maxsize=1)
def functions() -> tuple:
    """(create, spell, destroy, encoding) of libhunspell's C API; only create releases the lock."""
    path = str(library_path())
    unlocked, locked = ctypes.CDLL(path), ctypes.PyDLL(path)
    create = unlocked.Hunspell_create
    create.argtypes, create.restype = [ctypes.c_char_p, ctypes.c_char_p], ctypes.c_void_p
    spell = locked.Hunspell_spell
    spell.argtypes, spell.restype = [ctypes.c_void_p, ctypes.c_char_p], ctypes.c_int
    destroy = locked.Hunspell_destroy
    destroy.argtypes, destroy.restype = [ctypes.c_void_p], None
    encoding = locked.Hunspell_get_dic_encoding
    encoding.argtypes, encoding.restype = [ctypes.c_void_p], ctypes.c_char_p
    return create, spell, destroy, encoding


class Speller:
    """One hunspell dictionary (.aff and .dic): spell(word) as chunspell's Hunspell.spell."""

    def __init__(self, aff: Path, dic: Path) -> None:
        for path in (aff, dic):
            if not path.is_file():
                raise FileNotFoundError(f"no hunspell file {path}")
        create, self._spell, self._destroy, encoding = functions()
        self._handle = create(os.fsencode(aff), os.fsencode(dic))
        if not self._handle:
            raise MemoryError(f"hunspell could not read {dic}")
        self.encoding = encoding(self._handle).decode("ascii")

    def spell(self, word: str) -> bool:
        return self._spell(self._handle, word.encode(self.encoding)) != 0

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._destroy(handle)
