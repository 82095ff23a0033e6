"""Benchmark of the segment stage: pages per second per core on the text samples.

Ingest and cleaning run once before timing; the timed loop splits, classifies and
sections every sample (all templates scored) REPEAT times in one process (one core). The
baseline measured in the same run is the ingest of the same files (decode, page breaks),
so the ratio says how segmenting compares with just reading the text.

    python -m tools.bench_segment      (or make bench)
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from models.document import Document
from pipeline import clean, ingest, segment
from pipeline.options import Options

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 20
TARGET_PAGES_PER_SECOND = 200


def prepared(paths: list[Path], options: Options) -> list[Document]:
    return [clean.run(ingest.run(Document(source_file=str(p)), options), options) for p in paths]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    options = Options()
    paths = sorted((ROOT / "samples").glob("*.txt"))
    docs = prepared(paths, options)
    pages = sum(len(d.pages) for d in docs)

    def segment_all() -> None:
        for _ in range(REPEAT):
            for doc in docs:
                for part in segment.split(doc, options):
                    segment.run(part, options)

    def ingest_all() -> None:
        for _ in range(REPEAT):
            for path in paths:
                ingest.run(Document(source_file=str(path)), options)

    segment_all()  # warm-up: templates loaded, caches filled
    segment_seconds, ingest_seconds = timed(segment_all), timed(ingest_all)
    segment_rate, ingest_rate = pages * REPEAT / segment_seconds, pages * REPEAT / ingest_seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "met" if segment_rate >= TARGET_PAGES_PER_SECOND else "NOT met"
    print(
        f"segment: {pages} pages x {REPEAT} in {segment_seconds:.2f} s = {segment_rate:.0f} pages/s, one core"
    )
    print(
        f"baseline, ingest of the same text: {ingest_rate:.0f} pages/s "
        f"(segment/ingest {segment_rate / ingest_rate:.2f})"
    )
    print(f"target {TARGET_PAGES_PER_SECOND} pages/s per core: {verdict}")
    print(f"peak memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
