"""Tasks for real pool workers, in a module of their own: a worker imports the module of
the task it runs, and the test modules import pandas, which a worker should not hold."""

import sys
from pathlib import Path

from pipeline.options import Options
from pipeline.runner.work import convert_file


def observing_task(path: Path, options: Options):
    """convert_file, saying when the worker's background load began (against when a stage
    first waited for it), how often the corrector's index and hunspell were loaded, and
    which of pandas and pyarrow the worker has imported."""
    from pipeline.clean.index import index_for
    from pipeline.clean.lexicon import hunspell_reads
    from pipeline.runner import warm

    result = convert_file(path, options)
    loads = (index_for.cache_info().misses, hunspell_reads())
    imported = [module for module in ("pandas", "pyarrow") if module in sys.modules]
    return warm.began_at - warm.first_wait_at, loads, result.summaries[0].status, imported


def report_modules(queue, names: list[str]) -> None:
    """Put which of `names` this freshly forked process has imported, before doing anything."""
    queue.put({name: name in sys.modules for name in names})


def main_module_name(path: Path, options: Options) -> str:
    """The __name__ of the module this worker has as __main__ (its own, or the parent's
    command run again as __mp_main__)."""
    return sys.modules["__main__"].__name__
