"""The forkserver the local pool forks its workers from, started as early as a run can.

The forkserver imports the pipeline once (about 0.4 s), before it forks the first worker;
each worker then loads the corrector's index, hunspell and spaCy in the background while
it reads its first file (warm.py). `finsam convert` starts the forkserver as soon as it
has found its inputs and manifest.json does not already say that nothing changed, before
it imports the pipeline itself: the import then runs on the other core while the command
imports its own modules and plans the run, instead of after them.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver

# Modules the forkserver imports once, so forked workers start with the pipeline imported.
PRELOAD = ["pipeline.runner.work"]


def context() -> multiprocessing.context.ForkServerContext:
    """The forkserver context, with the preload set (it applies to the next server start)."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver


def start() -> None:
    """Start the forkserver now; it loads the preload while the caller goes on."""
    context()
    multiprocessing.forkserver.ensure_running()
