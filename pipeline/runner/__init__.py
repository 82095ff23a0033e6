"""Batch over files: find the inputs and run the stages on each file.

The pipeline is two lists of stages, each a plain `run(doc, options) -> doc`: the file
stages see the whole file; `segment.split` then cuts it into one Document per report and
the part stages run on each. A stage that raises unexpectedly fails only its document.

The rest of the package runs many files: work.py is what a worker does with one file,
executors.py, pool.py and dask_executor.py are the three ways of running that (in this
process, in local worker processes, on a Dask cluster), pages.py spreads the OCR pages of
one long scan over idle cores, and batch.py ties a run together: what the manifest says
can be reused, the files in flight, and the dataset written as results come in.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

from models.document import Document
from pipeline import clean, extract, ingest, segment
from pipeline.options import Options

FILE_STAGES = [ingest.run, clean.run]
PART_STAGES = [segment.run, extract.run]
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
            and p.suffix.lower() in ingest.SUPPORTED_SUFFIXES
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
    return ", ".join(sorted(ingest.SUPPORTED_SUFFIXES))


def guarded(stage: Callable[[Document, Options], Document], doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    try:
        return stage(doc, options)
    except Exception as exc:  # a bug or an unforeseen input must not stop the batch
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return doc.fail(
            f"internal error in {stage.__module__}: {type(exc).__name__}: {exc} "
            f"({Path(where.filename).name}:{where.lineno})"
        )


def process_file(path: Path, options: Options) -> list[Document]:
    doc = Document(source_file=str(path))
    for stage in FILE_STAGES:
        doc = guarded(stage, doc, options)
    try:
        parts = segment.split(doc, options)
    except Exception as exc:
        parts = [doc.fail(f"internal error in segment.split: {type(exc).__name__}: {exc}")]
    finished = []
    for part in parts:
        for stage in PART_STAGES:
            part = guarded(stage, part, options)
        finished.append(part)
    return finished
