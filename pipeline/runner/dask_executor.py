"""Files on a Dask cluster: a LocalCluster of worker processes, or a scheduler's address.

Each file is one task (`work.convert_file`); its result is the file's table rows, so what
travels back to this process is small. Inside a task the OCR pages of the file become
tasks of their own (`page_map`, through `worker_client`, which hands the task's thread to
the pages meanwhile), so a long scan is read on the whole cluster. Workers at a remote
scheduler need finsam installed at the same version, with Tesseract.

A worker is readied at its first file as a pool worker is (warm.settle: the collector
policy and the load, frozen). Without that, 16 copies of the text samples (528 pages) on one
worker took 11.6-12.7 s against 10.2-10.8 s (three interleaved pairs). A run of one file
takes 3.2-3.7 s either way, so the documents themselves took about a fifth less time
(medians less that: 8.9 against 7.1 s).

Failures stay data: a task that raises, or whose worker died more often than Dask allows
(KilledWorker), becomes a failed document with the reason. A hung task cannot be stopped
from here; Tesseract's own time-out (options.ocr_timeout) still applies on the workers.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

from pipeline.options import Options
from pipeline.runner import warm
from pipeline.runner.executors import ExecutorError
from pipeline.runner.work import FileResult, convert_file, failed_result

# Seconds to wait for a scheduler given by address before giving up (a usage error).
CONNECT_TIMEOUT_SECONDS = 10
INSTALL_HINT = "pip install dask==2026.8.0 distributed==2026.8.0"


def page_map(fn, items) -> list:
    """The pages of one file as tasks on the cluster, in order; as many in flight as it has threads.

    The page images are rendered one at a time by the caller's iterator, as tasks free up."""
    from distributed import wait, worker_client

    with worker_client() as client:
        in_flight = max(1, sum(client.nthreads().values()))
        futures, running = [], set()
        for item in items:
            while len(running) >= in_flight:
                running = wait(running, return_when="FIRST_COMPLETED").not_done
            future = client.submit(fn, item, pure=False)
            futures.append(future)
            running.add(future)
        return client.gather(futures)


def run_on_worker(task, path: Path, options: Options) -> FileResult:
    warm.settle()
    return task(path, dataclasses.replace(options, page_map=page_map))


class DaskExecutor:
    def __init__(self, workers: int, scheduler: str | None = None, processes: bool = True, task=convert_file):
        self.workers, self.scheduler, self.processes, self.task = workers, scheduler, processes, task
        self.client = self.cluster = self.completed = None
        self.pending: dict[str, tuple[int, Path, float]] = {}
        self.slots = workers

    def start(self) -> None:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise ExecutorError(f"the dask executor needs Dask: {INSTALL_HINT}") from None
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_SECONDS)
            else:
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=self.processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
        except OSError as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
        self.slots = max(1, sum(self.client.nthreads().values()))
        self.completed = as_completed()

    def submit(self, key: int, path: Path, options: Options) -> None:
        if self.client is None:
            self.start()
        future = self.client.submit(run_on_worker, self.task, path, options, pure=False)
        self.pending[future.key] = (key, path, time.monotonic())
        self.completed.add(future)

    def next_result(self) -> tuple[int, FileResult]:
        future = next(self.completed)
        key, path, started = self.pending.pop(future.key)
        try:
            result = future.result()
        except Exception as exc:  # the task raised, or its worker kept dying (KilledWorker)
            why = f"dask task failed: {type(exc).__name__}: {exc}"
            result = failed_result(path, why, time.monotonic() - started)
        future.release()
        return key, result

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None
