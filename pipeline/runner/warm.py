"""Load once in the forkserver what every worker needs, so forked workers start warm.

Importing this module (the pool's forkserver preloads it) loads the corrector's index and
hunspell (about 0.4 s), the parties' spaCy pipeline (about half a second), the segment
templates and pandas (which pyarrow imports when it builds the first table, a third of a
second): what every document needs. (The PDF readers and their word list stay lazy: a batch
of text files would wait for them for nothing.) Every worker forked afterwards shares these
pages copy-on-write instead of loading them itself: with two workers that is one load
instead of two, and a worker replaced after a crash starts at once. A failure here only
costs that time: the worker loads on first use.
"""

from __future__ import annotations

import contextlib
import gc


def warm_up() -> None:
    import pandas  # noqa: F401  (pyarrow's first table would import it in each worker)

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
    # What is loaded now lives as long as the workers: the garbage collector need not scan
    # it again in each of them (which also wrote to every shared page it scanned).
    gc.freeze()


with contextlib.suppress(Exception):
    warm_up()
