"""The forkserver the local pool forks its workers from, started as early as a run can.

The forkserver imports the pipeline once (about 0.25 s) before it forks the first worker.
What cleaning and extracting need besides (the corrector's index, hunspell, spaCy: about
0.85 s more) it loads too when no file of the batch can need Tesseract: every worker then
starts with it, and two workers share one load. A batch that holds PDFs or images leaves
it to each worker, which loads it in the background while Tesseract reads (warm.py):
Tesseract then starts that much earlier, and the load and the OCR share the cores. Such a
batch has the forkserver import the readers of PDFs and images instead (READERS), which
every one of its workers needs before it can start Tesseract. Traced on the scanned
sample as two files with 2 workers, a worker had its first page ready 0.02-0.05 s after it
took its file, against 0.34-0.45 s when it imported them itself and rendered the page
(pdf.scanned_image), and Tesseract started 0.96-1.09 s into the run, against 1.49-1.57 s.
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
# the one whose import loads the rest (warm.py) as well; and the readers of PDFs and
# images (pdfplumber, PDFium, OpenCV, numpy: 0.2 s), which every worker of a batch holding
# such files needs at once.
PRELOAD = ["pipeline.runner.work"]
LOAD_ALL = "pipeline.runner.preload"
READERS = ["pipeline.ingest.pdf", "pipeline.ingest.image"]


def context(load_all: bool = False, readers: bool = False) -> multiprocessing.context.ForkServerContext:
    """The forkserver context, with the preload set (it applies to the next server start)."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD + READERS * readers + [LOAD_ALL] * load_all)
    return forkserver


def start(files: list[Path]) -> None:
    """Start the forkserver for a batch of `files` now; it loads while the caller goes on."""
    ocr = any(may_need_ocr(path) for path in files)
    context(load_all=not ocr, readers=ocr)
    multiprocessing.forkserver.ensure_running()


def may_need_ocr(path: Path) -> bool:
    return path.suffix.lower() in OCR_SUFFIXES
