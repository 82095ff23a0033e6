"""The forkserver the local pool forks its workers from, started as early as a run can.

The forkserver imports the pipeline once (about 0.25 s) before it forks the first worker.
What cleaning and extracting need besides (the corrector's index, hunspell, spaCy: about
0.6 s more, hunspell's dictionary read in a thread meanwhile) it loads too when no file of
the batch can need Tesseract: every worker then starts with it, and two workers share one
load.

A batch that holds PDFs or images has the forkserver import their readers instead
(READERS: pdfplumber, PDFium, numpy: 0.15 s), which each of its workers needs
before it can start Tesseract. Traced on the scanned sample as two files with 2 workers, a
worker had its first page ready 0.02-0.05 s after it took its file, against 0.34-0.45 s
when it imported them itself and rendered the page (pdf.scanned_image). The rest is then
loaded where it costs least:
  - with one worker, in that worker, in the background while Tesseract reads (warm.py): on
    the core Tesseract leaves idle;
  - with several, once in the forkserver (loads_once): each worker loading beside its own
    Tesseract took CPU from the Tesseracts that had every core already. Tesseract starts
    about 0.5 s later, and the scanned sample as two files took 17.10-17.80 s against
    17.26-17.93 s (4 interleaved pairs, every pair faster).
`finsam convert` starts the forkserver as soon as it has found its inputs, before it imports
the pipeline itself: its loading then runs on the other core while the command imports its
own modules and plans the run, instead of after them. It is readied for the files that
manifest.json does not already vouch for (manifest.likely_converted): a re-run that adds
one scan to an archive is a batch of one file, whose worker loads beside its Tesseract.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import multiprocessing.process
import multiprocessing.spawn
import os
import threading
from pathlib import Path

from pipeline.formats import OCR_SUFFIXES

# Modules the forkserver imports once, so forked workers start with the pipeline imported;
# the one whose import loads the rest (warm.py) as well; and the readers of PDFs and
# images (pdfplumber, PDFium, numpy: 0.15 s), which every worker of a batch holding
# such files needs at once.
PRELOAD = ["pipeline.runner.work"]
LOAD_ALL = "pipeline.runner.preload"
READERS = ["pipeline.ingest.pdf", "pipeline.ingest.image"]


def context(load_all: bool = False, readers: bool = False) -> multiprocessing.context.ForkServerContext:
    """The forkserver context, with the preload set (it applies to the next server start)."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD + READERS * readers + [LOAD_ALL] * load_all)
    return forkserver


def default_workers() -> int:
    """The cores this process may run on: how many workers a local run has by default."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def start(files: list[Path], workers: int) -> None:
    """Start the forkserver for a batch of `files` on `workers` workers now; it loads while
    the caller goes on."""
    ocr = any(may_need_ocr(path) for path in files)
    context(load_all=not ocr or loads_once(files, workers), readers=ocr)
    multiprocessing.forkserver.ensure_running()


def loads_once(files: list[Path], workers: int) -> bool:
    """Whether a batch that may need Tesseract is better served by one load in the
    forkserver than by one in each worker: when more than one worker will run."""
    return min(workers, len(files)) >= 2


# Held while a process starts with the parent's main module hidden (start_process).
_starting = threading.Lock()


def start_process(process: multiprocessing.process.BaseProcess, functions: list) -> None:
    """process.start(), without the command's own module run again in the new process.

    multiprocessing has every process it starts other than by fork run the parent's main
    module again first (as __mp_main__), so that functions defined there can be unpickled.
    For `finsam convert` that module is the command line: each worker imported typer and
    rich and built the command, 0.06 s of CPU before it could begin its file. When none of
    the `functions` the process is given (its target, its task) comes from the main module,
    it is started without that step.
    """
    if any(getattr(function, "__module__", "__main__") == "__main__" for function in functions):
        process.start()
        return
    with _starting:
        prepared = multiprocessing.spawn.get_preparation_data

        def without_main(name: str) -> dict:
            data = prepared(name)
            data.pop("init_main_from_name", None)
            data.pop("init_main_from_path", None)
            return data

        multiprocessing.spawn.get_preparation_data = without_main
        try:
            process.start()
        finally:
            multiprocessing.spawn.get_preparation_data = prepared


def may_need_ocr(path: Path) -> bool:
    return path.suffix.lower() in OCR_SUFFIXES
