"""The files a run converts: given files as they are, folders searched recursively."""

from __future__ import annotations

from pathlib import Path

from pipeline.formats import SUPPORTED_SUFFIXES

# Files in an input folder that are documentation, not reports (e.g. samples/README.md).
SKIPPED_NAMES = {"readme.md", "readme.txt"}
# Ground-truth transcriptions kept beside scans (Tesseract's naming): not reports either.
GROUND_TRUTH_SUFFIX = ".gt.txt"


class InputError(Exception):
    """Inputs that cannot be used at all (usage error, exit code 2)."""


def discover(paths: list[Path]) -> list[Path]:
    """Files to convert: given files as they are, folders searched recursively."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"no such file or directory: {path}")
        if path.is_file():
            files.append(path)
            continue
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in SUPPORTED_SUFFIXES
            and p.name.lower() not in SKIPPED_NAMES
            and not p.name.lower().endswith(GROUND_TRUTH_SUFFIX)
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            raise InputError(f"no supported files in {path} (looked for {supported_list()})")
        files.extend(found)
    if not files:
        raise InputError("no inputs given")
    return list(dict.fromkeys(files))


def supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_SUFFIXES))
