"""The forkserver the local pool forks its workers from, started as early as a run can.

The forkserver imports the pipeline once (about 0.25 s) before it forks the first worker.
What cleaning and extracting need besides (the corrector's index, hunspell, spaCy: about
0.85 s more) it loads too when no file of the batch can need Tesseract: every worker then
starts with it, and two workers share one load. A batch that holds PDFs or images leaves
it to each worker, which loads it in the background while Tesseract reads (warm.py):
Tesseract then starts that much earlier, and the load and the OCR share the cores.
`finsam convert` starts the forkserver as soon as it has found its inputs and manifest.json
does not already say that nothing changed, before it imports the pipeline itself: its
loading then runs on the other core while the command imports its own modules and plans
the run, instead of after them.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
from pathlib import Path

from pipeline.formats import OCR_SUFFIXES

# Modules the forkserver imports once, so forked workers start with the pipeline imported;
# and the one whose import loads the rest (warm.py) as well.
PRELOAD = ["pipeline.runner.work"]
LOAD_ALL = "pipeline.runner.preload"


def context(load_all: bool = False) -> multiprocessing.context.ForkServerContext:
    """The forkserver context, with the preload set (it applies to the next server start)."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD + [LOAD_ALL] * load_all)
    return forkserver


def start(files: list[Path]) -> None:
    """Start the forkserver for a batch of `files` now; it loads while the caller goes on."""
    context(load_all=not any(may_need_ocr(path) for path in files))
    multiprocessing.forkserver.ensure_running()


def may_need_ocr(path: Path) -> bool:
    return path.suffix.lower() in OCR_SUFFIXES
