"""Load once in the forkserver what every worker needs, so forked workers start warm.

Importing this module (the pool's forkserver preloads it) loads the corrector's index and
hunspell (about half a second) and the parties' spaCy pipeline (about a second): what every
document needs. (The PDF readers and their word list stay lazy: a batch of text files would
wait for them for nothing.) Every worker forked afterwards shares these pages copy-on-write
instead of loading them itself: with two workers that is one load instead of two, and a
worker replaced after a crash starts at once. A failure here only costs that time: the
worker loads on first use.
"""

from __future__ import annotations

import contextlib


def warm_up() -> None:
    from pipeline.clean.index import load_index
    from pipeline.clean.lexicon import hunspell_dictionary

    load_index()
    hunspell_dictionary().spell("samordningsförbundet")
    with contextlib.suppress(ImportError, AttributeError):
        from pipeline.extract import organisations

        organisations.pipeline()


with contextlib.suppress(Exception):
    warm_up()
