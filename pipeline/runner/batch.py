"""One run of `convert`: plan from the manifest, convert what changed, write as results come.

The rows go to the new dataset in input order whatever order files finish in, so any
executor, any number of workers and an incremental run all give the same dataset as a
fresh serial run. Results that finish ahead of their turn wait in memory, but only a few:
at most the executor's slots plus BUFFERED_FILES files are submitted and not yet written,
so a long file at the head holds back submissions rather than letting thousands of small
results pile up. Unchanged files' rows are read from the old dataset as their turn comes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.export import manifest
from pipeline.export.ids import distinct_ids
from pipeline.export.parquet import DatasetWriter, OldTables, write_manifest
from pipeline.options import Options
from pipeline.runner.executors import Executor
from pipeline.runner.work import SUMMARY_COLUMNS, DocSummary, FileResult, summaries

# Files finished out of order that may wait for their turn to be written (see above).
BUFFERED_FILES = 16

OnFile = Callable[[str, list[DocSummary], bool], None]


@dataclass
class BatchResult:
    converted: int = 0  # files run through the stages
    reused: int = 0  # unchanged files whose rows were carried over
    by_type_status: Counter = field(default_factory=Counter)  # (doc_type, status) -> documents
    warned: int = 0
    failed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    redo_reason: str | None = None  # why an earlier dataset's rows could not be reused
    peak_rss: int = 0  # largest worker peak seen, bytes
    child_peak_rss: int = 0  # largest Tesseract peak seen, bytes

    @property
    def documents(self) -> int:
        return sum(self.by_type_status.values())

    def count(self, docs: list[DocSummary], result: FileResult | None) -> None:
        for doc in docs:
            self.by_type_status[(doc.doc_type, doc.status)] += 1
            self.warned += doc.warned
            self.failed += doc.status == "failed"
        if result is None:
            self.reused += 1
        else:
            self.converted += 1
            self.peak_rss = max(self.peak_rss, result.peak_rss)
            self.child_peak_rss = max(self.child_peak_rss, result.child_peak_rss)


def run_batch(
    files: list[Path],
    out: Path,
    options: Options,
    executor: Executor,
    *,
    force: bool = False,
    inputs: list[str] | None = None,
    on_file: OnFile | None = None,
) -> BatchResult:
    """Convert `files` into the dataset in `out`, reusing what the manifest allows."""
    on_file = on_file or (lambda path, docs, reused: None)
    plan = manifest.make_plan(files, out, options, force)
    inputs = [str(p) for p in files] if inputs is None else inputs
    if plan.unchanged:
        return keep_dataset(plan, out.resolve(), inputs, on_file)
    result = BatchResult(redo_reason=plan.redo_reason)
    entries, seen_ids = [], set()
    with DatasetWriter(out) as writer:
        old = OldTables(writer.out)
        for item, outcome in in_order(plan.items, executor, options):
            tables = old.take_ranges(item.reuse["rows"]) if outcome is None else outcome.tables
            ranges = writer.append(distinct_ids(tables, seen_ids))
            sha256 = item.reuse["sha256"] if outcome is None else outcome.sha256
            docs = outcome.summaries if outcome is not None else summaries(tables["documents"])
            failed = any(d.status == "failed" for d in docs)
            entries.append(manifest.file_entry(item, sha256, failed, ranges))
            result.count(docs, outcome)
            on_file(str(item.path), docs, outcome is None)
        result.rows = writer.commit(manifest.manifest(plan.settings, inputs, entries))
    return result


def in_order(
    items: list[manifest.Item], executor: Executor, options: Options
) -> Iterator[tuple[manifest.Item, FileResult | None]]:
    """Each item with its result (None for one to reuse), in input order."""
    todo = iter([item for item in items if item.reuse is None])
    done: dict[int, FileResult] = {}
    submitted = written = 0
    for item in items:
        if item.reuse is not None:
            yield item, None
            continue
        while item.index not in done:
            # slots is read each time: a Dask cluster knows its size only once it is reached
            while submitted - written < executor.slots + BUFFERED_FILES and (following := next(todo, None)):
                executor.submit(following.index, following.path, options)
                submitted += 1
            key, outcome = executor.next_result()
            done[key] = outcome
        written += 1
        yield item, done.pop(item.index)


def keep_dataset(plan: manifest.Plan, out: Path, inputs: list[str], on_file: OnFile) -> BatchResult:
    """Nothing to convert and the same files as before: keep the parquet files, refresh the manifest."""
    result = BatchResult()
    documents = pq.read_table(out / "documents.parquet", columns=list(SUMMARY_COLUMNS))
    entries = []
    for item in plan.items:
        first, count = item.reuse["rows"]["documents"]
        docs = summaries(documents.slice(first, count))
        entries.append(manifest.file_entry(item, item.reuse["sha256"], False, item.reuse["rows"]))
        result.count(docs, None)
        on_file(str(item.path), docs, True)
    result.rows = plan.old["rows"]
    refreshed = {**manifest.manifest(plan.settings, inputs, entries), "rows": result.rows}
    if refreshed != plan.old:
        write_manifest(out, refreshed)
    return result
