"""Load once in the forkserver what every worker needs, so forked workers start warm.

Importing this module (the pool's forkserver preloads it) loads the corrector's index and
hunspell (about half a second), the parties' spaCy pipeline (about a second), the PDF and
OCR readers and the word list that tells a good text layer from a garbled one (another
second). Every
worker forked afterwards shares these pages copy-on-write instead of loading them itself:
with two workers that is one load instead of two, and a worker replaced after a crash
starts at once. A failure here only costs that time: the worker loads on first use.
"""

from __future__ import annotations

import contextlib


def warm_up() -> None:
    from pipeline.clean.index import load_index
    from pipeline.clean.lexicon import hunspell_dictionary
    from pipeline.ingest import ocr, pdf  # noqa: F401 (imported to be shared)

    pdf.known_words()
    load_index()
    hunspell_dictionary().spell("samordningsförbundet")
    with contextlib.suppress(ImportError, AttributeError):
        from pipeline.extract import organisations

        organisations.pipeline()


with contextlib.suppress(Exception):
    warm_up()
