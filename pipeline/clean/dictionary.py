"""Load the whole-token OCR fixes from corrections/token_fixes.tsv.

The dictionary is data an archivist can review and extend; a malformed line is an error
naming the file and line rather than a silently skipped fix.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline.clean.tokens import EDGE_PUNCTUATION

CORRECTIONS_DIR = Path(__file__).resolve().parents[2] / "corrections"
TOKEN_FIXES = CORRECTIONS_DIR / "token_fixes.tsv"


class DictionaryError(ValueError):
    """A line of a corrections data file that cannot be used."""


def parse_token_fixes(lines: list[str], source: str = "<memory>") -> dict[str, str]:
    fixes: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise DictionaryError(f"{source}:{number}: expected WRONG<TAB>RIGHT, got {line!r}")
        wrong, right = fields[0], fields[1]
        if wrong != wrong.strip(EDGE_PUNCTUATION):
            raise DictionaryError(f"{source}:{number}: {wrong!r} starts or ends with punctuation")
        if wrong == right:
            raise DictionaryError(f"{source}:{number}: {wrong!r} maps to itself")
        if wrong in fixes and fixes[wrong] != right:
            raise DictionaryError(f"{source}:{number}: {wrong!r} already maps to {fixes[wrong]!r}")
        fixes[wrong] = right
    return fixes


@lru_cache(maxsize=4)
def load_token_fixes(path: Path = TOKEN_FIXES) -> dict[str, str]:
    return parse_token_fixes(path.read_text(encoding="utf-8").splitlines(), str(path))
