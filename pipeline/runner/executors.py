"""One interface for running files, three ways to do it: serial, local processes, Dask.

An executor takes files with `submit(key, path, options)` and hands back `(key, FileResult)`
pairs from `next_result()` as files finish, in any order; batch.py decides how many files
are in flight and puts the results back in input order. Every executor is a context
manager and starts its processes or cluster only when the first file is submitted, so a
run with nothing to convert starts nothing.

- serial: in this process, one file after another; for debugging (pdb, profilers).
- local: worker processes on this machine (pool.py); the default. A crash, a hang or a
  kill fails only the file in that worker, and a fresh worker takes its place.
- dask: a Dask cluster (dask_executor.py), local or at a scheduler's address.

The task an executor runs is `work.convert_file` unless another is given: tests pass one
that crashes or hangs on purpose, without touching the pipeline's stages.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from pipeline.options import Options
from pipeline.runner.forkserver import default_workers
from pipeline.runner.work import FileResult, convert_file

Task = Callable[[Path, Options], FileResult]


class ExecutorError(Exception):
    """The executor cannot run at all (Dask missing, scheduler unreachable): a usage error."""


class Executor(Protocol):
    # How many files it works on at once; batch.py keeps a few more than this in flight.
    slots: int

    def submit(self, key: int, path: Path, options: Options) -> None: ...

    def next_result(self) -> tuple[int, FileResult]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc_info) -> None: ...


class SerialExecutor:
    """Files one after another in this process, in the order submitted."""

    slots = 1

    def __init__(self, task: Task = convert_file) -> None:
        self.task = task
        self.queue: deque[tuple[int, Path, Options]] = deque()

    def submit(self, key: int, path: Path, options: Options) -> None:
        self.queue.append((key, path, options))

    def next_result(self) -> tuple[int, FileResult]:
        key, path, options = self.queue.popleft()
        return key, self.task(path, options)

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.queue.clear()


def make_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None, task: Task = convert_file
) -> Executor:
    """`serial`, `local` (worker processes) or `dask` (LocalCluster, or the scheduler given)."""
    workers = workers or default_workers()
    if kind == "serial":
        return SerialExecutor(task)
    if kind == "local":
        from pipeline.runner.pool import PoolExecutor

        return PoolExecutor(workers, task)
    if kind == "dask":
        from pipeline.runner.dask_executor import DaskExecutor

        return DaskExecutor(workers, scheduler, task=task)
    raise ValueError(f"unknown executor {kind!r}")
