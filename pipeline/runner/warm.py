"""Load what every document needs in the background of a worker, while its first file is read.

A pool worker needs the corrector's index and hunspell (about 0.6 s to load), the parties'
spaCy pipeline (about half a second), the segment templates and pandas (which pyarrow
imports when it builds the first table, a third of a second) before it can clean, segment
and extract a document, but not to read one. Reading a scanned file is mostly waiting for
Tesseract, which runs as a process of its own. So a worker starts loading these in a thread
as soon as it starts (start()), and waits for them (wait()) only when its first document
has been read: on a scanned file the loading happens while Tesseract reads the first page,
instead of before it. A text file is read at once and waits for the whole load, as it did
when the forkserver loaded everything before forking the workers. (The PDF readers and
their word list stay lazy: a batch of text files would wait for them for nothing.)

A failure here only costs time: whatever did not load is loaded on first use.
"""

from __future__ import annotations

import contextlib
import gc
import threading

_loading: threading.Thread | None = None


def warm_up() -> None:
    import pandas  # noqa: F401  (pyarrow's first table would import it)

    from pipeline.clean.index import load_index
    from pipeline.clean.lexicon import hunspell_dictionary
    from pipeline.segment.furniture import load_rules
    from pipeline.segment.templates import load_templates

    load_index()
    hunspell_dictionary().spell("samordningsförbundet")
    load_templates()
    load_rules()
    with contextlib.suppress(ImportError, AttributeError):
        from pipeline.extract import organisations

        organisations.pipeline()
    # What is loaded now lives as long as the worker: the garbage collector need not scan
    # it again at every collection.
    gc.freeze()


def quietly() -> None:
    with contextlib.suppress(Exception):
        warm_up()


def start() -> None:
    """Begin loading in a background thread (a pool worker calls this once, at its start)."""
    global _loading
    if _loading is None:
        _loading = threading.Thread(target=quietly, name="finsam-warm", daemon=True)
        _loading.start()


def wait() -> None:
    """Return once a load start() began has finished; at once when none was begun."""
    if _loading is not None:
        _loading.join()
