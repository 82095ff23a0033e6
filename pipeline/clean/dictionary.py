"""Read the corrections/ data files: the whole-token OCR fixes and the shared line format.

Every file under corrections/ is data an archivist can review and extend: '#' comment
lines, blank lines, TAB-separated fields. A malformed line is an error naming the file and
line rather than a silently skipped entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from pipeline.clean.tokens import EDGE_PUNCTUATION

CORRECTIONS_DIR = Path(__file__).resolve().parents[2] / "corrections"
TOKEN_FIXES = CORRECTIONS_DIR / "token_fixes.tsv"


class DictionaryError(ValueError):
    """A line of a corrections data file that cannot be used."""


def data_lines(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, TAB-separated fields) of the lines that are not comments or blank."""
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        yield number, line.split("\t")


def parse_token_fixes(lines: list[str], source: str = "<memory>") -> dict[str, str]:
    fixes: dict[str, str] = {}
    for number, fields in data_lines(lines):
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise DictionaryError(f"{source}:{number}: expected WRONG<TAB>RIGHT, got {lines[number - 1]!r}")
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
