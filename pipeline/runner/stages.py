"""The stages of one file, in the order data flows.

The pipeline is two lists of stages, each a plain `run(doc, options) -> doc`: the file
stages see the whole file; `segment.split` then cuts it into one Document per report and
the part stages run on each. A stage that raises unexpectedly fails only its document.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

from models.document import Document
from pipeline import clean, extract, ingest, segment
from pipeline.options import Options
from pipeline.runner import warm

# Reading a file needs nothing a pool worker loads in the background (warm.py); the stages
# after it wait for that load.
FILE_STAGES = [ingest.run, clean.run]
PART_STAGES = [segment.run, extract.run]
READ = FILE_STAGES[0]


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
        if stage is not READ:
            warm.wait()
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
