"""Page fan-out inside a worker process: the OCR pages of one file on every idle core.

The unit of work is a file, so at the end of a batch, or in a batch of one long scanned
report, a single worker would OCR page after page while the other cores idle. The PDF
reader therefore maps its OCR over `options.page_map`, and a pool worker puts `fan_out`
there: pages go to threads (Tesseract runs as its own process, so threads are enough) and
as many run at once as there are lanes, which the parent's count of busy workers decides:
a worker alone in a pool of four reads four pages at a time, two busy workers two each.
When more files arrive, the lanes shrink again at the next page.

The pages come from the caller's iterator, which renders each page when it is asked for
the next one, in the calling thread: rendering (pdfium) is not thread-safe, and a page is
rendered only when a lane is about to take it, so at most lanes + 1 page images exist.
The PDF reader hands them over the costliest first (pdf.ocr_cost), so that the last pages
to finish are short ones and the lanes end close together; results come back in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

# How often a worker waiting for a lane looks whether another worker went idle. A page
# takes 1-4 s in Tesseract; half a second loses little of a lane that opens.
LANE_POLL_SECONDS = 0.5


def lanes_for(capacity: int, busy: int) -> int:
    """Pages one busy worker may OCR at once: its own core plus its share of the idle ones."""
    busy = max(busy, 1)
    return 1 + max(capacity - busy, 0) // busy


def fan_out(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    lanes: Callable[[], int],
    max_lanes: int,
    heartbeat: Callable[[], None] = lambda: None,
) -> list[Any]:
    """fn over items, in order, up to lanes() at a time; heartbeat() after each item done."""
    futures: list[Future] = []
    running: set[Future] = set()
    with ThreadPoolExecutor(max_workers=max_lanes, thread_name_prefix="finsam-page") as threads:
        for item in items:
            running = wait_for_lane(running, lanes, heartbeat)
            future = threads.submit(fn, item)
            futures.append(future)
            running.add(future)
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for _ in done:
                heartbeat()
    return [future.result() for future in futures]


def wait_for_lane(
    running: set[Future], lanes: Callable[[], int], heartbeat: Callable[[], None]
) -> set[Future]:
    while len(running) >= max(1, lanes()):
        done, running = wait(running, timeout=LANE_POLL_SECONDS, return_when=FIRST_COMPLETED)
        for _ in done:
            heartbeat()
    return running
