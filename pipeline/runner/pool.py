"""Local worker processes, one file each at a time, that a crash or a hang cannot take down.

concurrent.futures' process pool cannot say which file killed a worker (every file in
flight fails with BrokenProcessPool) nor stop one hung file. So each worker here has its
own pipe: the parent knows which file every worker holds, sees a worker die through its
sentinel, and fails exactly that file ("worker process died: killed by SIGKILL") before
starting a fresh worker for the rest. A worker that shows no progress (a file or an OCR
page done) for `options.worker_timeout` seconds is killed the same way.

Workers are forked from a forkserver that has already imported the pipeline: starting or
replacing one costs milliseconds (what cleaning and extracting need is loaded in the
background while Tesseract reads, warm.py), and the parent's threads (the progress bar's)
are never forked. Workers ignore SIGINT and run in process groups of their own; on Ctrl-C
the parent stops them all, with any Tesseract they were running.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pipeline.options import Options
from pipeline.runner import forkserver, warm
from pipeline.runner.pages import fan_out, lanes_for
from pipeline.runner.work import FileResult, convert_file, failed_result

# Seconds a stopping worker gets to exit by itself before it is killed.
STOP_GRACE_SECONDS = 2.0


@dataclasses.dataclass
class Worker:
    process: multiprocessing.Process
    conn: Connection
    key: int | None = None  # the file it holds, None when idle
    path: Path | None = None
    started: float = 0.0
    timeout: float = 0.0  # options.worker_timeout of the file it holds
    deadline: float = float("inf")


class PoolExecutor:
    def __init__(self, workers: int, task=convert_file) -> None:
        self.slots = workers
        self.task = task
        self.context = forkserver.context()
        self.workers: list[Worker] = []
        self.queue: deque[tuple[int, Path, Options]] = deque()
        self.finished: deque[tuple[int, FileResult]] = deque()
        self.busy_count = None  # shared with the workers, written only here

    def submit(self, key: int, path: Path, options: Options) -> None:
        self.queue.append((key, path, options))
        self.dispatch()

    def next_result(self) -> tuple[int, FileResult]:
        while not self.finished:
            if not self.queue and not self.busy():
                raise RuntimeError("next_result() without a file in flight")
            self.dispatch()
            self.wait_for_workers()
        return self.finished.popleft()

    def busy(self) -> list[Worker]:
        return [w for w in self.workers if w.key is not None]

    def dispatch(self) -> None:
        """Give queued files to idle workers, starting workers up to `slots`."""
        while self.queue:
            idle = self.idle_worker()
            if idle is None and len(self.workers) < self.slots:
                idle = self.start_worker()
            if idle is None:
                break
            key, path, options = self.queue.popleft()
            idle.key, idle.path, idle.started = key, path, time.monotonic()
            idle.timeout = options.worker_timeout
            idle.deadline = idle.started + idle.timeout
            try:
                idle.conn.send((path, options))
            except OSError:  # it died just now (the OOM killer picks idle workers too)
                self.lose(idle, "worker process died before it could take the file")
        if self.busy_count is not None:
            self.busy_count.value = len(self.busy())

    def idle_worker(self) -> Worker | None:
        for worker in [w for w in self.workers if w.key is None]:
            if worker.process.is_alive():
                return worker
            stop(worker, grace=0)
            self.workers.remove(worker)
        return None

    def start_worker(self) -> Worker:
        if self.busy_count is None:  # the first worker
            self.busy_count = self.context.Value("i", 0, lock=False)
            import_pandas_ahead()
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=worker_main, args=(child, self.task, self.slots, self.busy_count), daemon=True
        )
        forkserver.start_process(process, [worker_main, self.task])
        child.close()
        worker = Worker(process, parent)
        self.workers.append(worker)
        return worker

    def wait_for_workers(self) -> None:
        busy = self.busy()
        if not busy:
            return
        deadline = min(w.deadline for w in busy)
        timeout = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
        for worker in busy:
            if worker.conn in ready:
                self.receive(worker)
            elif worker.process.sentinel in ready:
                self.lose(worker, f"worker process died ({exit_reason(worker.process.exitcode)})")
            elif time.monotonic() >= worker.deadline:
                self.lose(worker, f"no progress for {worker.timeout:g} s: the worker was stopped")
        self.dispatch()

    def receive(self, worker: Worker) -> None:
        try:
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):  # died in mid-message, or before sending one
            worker.process.join(STOP_GRACE_SECONDS)
            self.lose(worker, f"worker process died ({exit_reason(worker.process.exitcode)})")
            return
        if kind == "alive":
            worker.deadline = time.monotonic() + worker.timeout
            return
        if kind == "error":
            payload = failed_result(worker.path, payload, time.monotonic() - worker.started)
        self.finished.append((worker.key, payload))
        worker.key = worker.path = None
        worker.deadline = float("inf")

    def lose(self, worker: Worker, why: str) -> None:
        """Fail the worker's file with `why`, stop the worker; dispatch() starts another."""
        self.finished.append((worker.key, failed_result(worker.path, why, time.monotonic() - worker.started)))
        stop(worker, grace=0)
        self.workers.remove(worker)

    def __enter__(self) -> PoolExecutor:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        grace = STOP_GRACE_SECONDS if exc_type is None else 0
        for worker in self.workers:
            stop(worker, grace)
        self.workers.clear()
        self.queue.clear()


def import_pandas_ahead() -> None:
    """Import pandas in a thread of the parent while the first worker starts. The parent
    makes arrow tables of the workers' rows (work.py), and the first table would import
    pandas (pyarrow's conversion looks for pandas types): a third of a second mid-run,
    which now overlaps the worker's own start-up."""

    def load() -> None:
        with contextlib.suppress(ImportError):  # pyarrow works without pandas
            import pandas  # noqa: F401

    threading.Thread(target=load, name="finsam-import", daemon=True).start()


def stop(worker: Worker, grace: float) -> None:
    """Ask an idle worker to exit; kill a busy or stubborn one with the programs it runs."""
    if grace and worker.key is None:
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.process.join(grace)
    if worker.process.is_alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.process.pid, signal.SIGKILL)  # Tesseract too, not left to finish
        worker.process.kill()
        worker.process.join()
    worker.conn.close()


def exit_reason(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def worker_main(conn: Connection, task, capacity: int, busy_count) -> None:
    """A worker's life: take a file, run the task, send back the result; until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.setpgid(0, 0)  # a group of its own, so stopping it stops the Tesseract it runs
    warm.enable()  # what cleaning and extracting need loads while Tesseract reads
    gc.set_threshold(*warm.WORKER_GC_THRESHOLDS)
    lock = threading.Lock()

    def send(message: tuple) -> None:
        with lock:
            conn.send(message)

    def page_map(fn, items):
        return fan_out(fn, items, lambda: lanes_for(capacity, busy_count.value), capacity, heartbeat)

    def heartbeat() -> None:
        send(("alive", None))

    while (job := receive_job(conn)) is not None:
        path, options = job
        # The page fan-out with one worker too (heartbeats); the background load (warm.py)
        # begins when Tesseract does.
        options = dataclasses.replace(options, page_map=page_map, ocr_starting=warm.start_beside_tesseract)
        try:
            send(("done", task(path, options)))
        except BaseException as exc:  # an unpicklable result, MemoryError: fail the file, not the worker
            where = traceback.extract_tb(exc.__traceback__)[-1]
            place = f"{Path(where.filename).name}:{where.lineno}"
            send(("error", f"worker error: {type(exc).__name__}: {exc} ({place})"))


def receive_job(conn: Connection) -> tuple | None:
    try:
        return conn.recv()
    except (EOFError, OSError):  # the parent is gone
        return None
