"""Load what every document needs in the background of a worker, while Tesseract reads.

A pool worker needs the corrector's index and hunspell (about half a second to load), the
parties' spaCy pipeline (a third of a second) and the segment templates before it can clean,
segment and extract a document, but not to read one. (It hands back rows, not arrow
tables, so it needs no pandas: see work.py.) Reading a scanned file is mostly waiting for
Tesseract, which runs as a process of its own. So in a batch that may hold scans and runs
one worker (forkserver.loads_once), the worker (enable()) starts loading these in a thread
when Tesseract begins on its first page (start_beside_tesseract(), as options.ocr_starting),
and the stages after reading wait for the load (wait()), which a file read without
Tesseract then begins itself. Before Tesseract begins, the worker has the interpreter to
itself: a thread loading meanwhile would only slow the preparing of the first page. A batch
that cannot hold scans, or that runs several workers, has all of it loaded once by the
forkserver instead (preload.py, forkserver.py), and its workers begin no load of their own.
(The PDF readers and their word list are not part of the load: a batch of text files would
wait for them for nothing. The forkserver of a batch with PDFs or images imports the
readers.)

A Dask worker is readied when it takes its first file (settle()): the pool workers'
collector policy (WORKER_GC_THRESHOLDS), and the load, done then and frozen as the
forkserver freezes it. Its files' OCR pages may run on other workers, so there is no
Tesseract to load beside.

A failure here only costs time: whatever did not load is loaded on first use. Outside a
worker (the serial executor, `finsam text`) nothing is loaded ahead.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time

# A worker's garbage collector runs a young collection after this many allocations, not
# Python's 700 (and its older ones less often): the corrector's memo grows by thousands of
# objects per document, all of which the default thresholds scanned again and again. In a
# warm process the first pass over the text samples took 0.73-0.77 s against 0.86-0.88 s.
# Almost everything is freed by reference counting; the collections still run.
WORKER_GC_THRESHOLDS = (10_000, 50, 50)

_enabled = False
_done = False  # loaded (or tried) in this process, or in the forkserver it was forked from
_loading: threading.Thread | None = None
# The page fan-out's lanes may all call start() at once, and a Dask worker with several
# threads settle().
_starting = threading.Lock()
# Seconds a load begun as Tesseract starts waits first. Its first steps (unmarshalling the
# index; reading hunspell's dictionary did too, before speller.py) hold the interpreter for
# tenths of a second at a time, and begun at once they held back the worker's launch of
# Tesseract by as much: 0.21 and 0.27 s on a one-page scan. Saving the page and launching
# take a few milliseconds.
LAUNCH_SECONDS = 0.05
# When the load began, and when a stage first waited for it (time.monotonic()).
began_at: float | None = None
first_wait_at: float | None = None


def warm_up() -> None:
    from pipeline.clean.corrector import collector_paused
    from pipeline.clean.index import load_index
    from pipeline.clean.lexicon import hunspell_dictionary, start_hunspell
    from pipeline.segment.furniture import load_rules
    from pipeline.segment.templates import load_templates

    # hunspell reads its dictionary in a thread, outside the interpreter lock, while this
    # one loads the rest (speller.py).
    start_hunspell()

    # The load makes hundreds of thousands of objects (the index's tables, spaCy's
    # registries) and next to no garbage: with the collector off meanwhile it took
    # 0.78-0.82 s against 0.86-0.96 s (three runs each). The pause is the corrector's, which
    # counts its users: a text corrected in another thread meanwhile keeps it too.
    with collector_paused():
        try:
            load_index()
            load_templates()
            load_rules()
            with contextlib.suppress(ImportError, AttributeError):
                from pipeline.extract import organisations

                organisations.pipeline()
        finally:
            # Wait for hunspell (its thread would not survive a fork; a failure shows on
            # first use).
            with contextlib.suppress(Exception):
                hunspell_dictionary().spell("samordningsförbundet")
            # What is loaded now lives as long as the process: the garbage collector need
            # not scan it again (in workers forked from the forkserver, scanning would also
            # write to every page they share with it).
            gc.freeze()


def quietly(delay: float = 0.0) -> None:
    global _done
    time.sleep(delay)
    with contextlib.suppress(Exception):
        warm_up()
    _done = True


def settle() -> None:
    """Ready this process, once, to convert files as a pool worker does (a Dask worker).

    The collector policy, then the load, frozen: objects alive at that moment are never
    collected again (the worker's own and the load, which lives as long as the process).
    """
    global _done
    with _starting:
        if _done:
            return
        gc.set_threshold(*WORKER_GC_THRESHOLDS)
        with contextlib.suppress(Exception):
            warm_up()
        _done = True


def enable() -> None:
    """This process is a pool worker: load in the background (see above)."""
    global _enabled
    _enabled = True


def start(delay: float = 0.0) -> None:
    """Begin loading in a background thread, once, in a pool worker; after `delay` seconds."""
    global _loading, began_at
    with _starting:
        if _enabled and _loading is None and not _done:
            began_at = time.monotonic()
            _loading = threading.Thread(target=quietly, args=(delay,), name="finsam-warm", daemon=True)
            _loading.start()


def start_beside_tesseract() -> None:
    """start() as Tesseract starts (options.ocr_starting), leaving the worker time to launch it."""
    start(LAUNCH_SECONDS)


def wait() -> None:
    """Return once the load has finished, beginning it if nothing has yet."""
    global first_wait_at
    if first_wait_at is None:
        first_wait_at = time.monotonic()
    start()
    if _loading is not None:
        _loading.join()
