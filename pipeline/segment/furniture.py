"""Page furniture and duplicated pages: spans of a report that are not its content.

Scans carry page numbers (`Sid a 3`), letterheads (`SAMORDNINGSFÖRBUNDET / HÄRNÖSAND TIMRÅ`
at the top of a page that breaks a cost table) and running headers; a scanned report may
hold the same page twice (the fourth slutrapport of the samples repeats its cost table and
signature page). These spans are returned so later stages can blank them out
(Document.content_text) without moving any offset. What counts as furniture is data:
pipeline/segment/furniture.yaml.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from pipeline.segment.matcher import fold

FURNITURE_FILE = Path(__file__).resolve().parent / "furniture.yaml"
LINE = re.compile(r"^[^\n]*$", re.MULTILINE)
# A letterhead line: capitals, spaces and dashes only, and short.
CAPITALS = re.compile(r"^[A-ZÅÄÖÉ][A-ZÅÄÖÉ \-–/&]{2,60}$")
MAX_RUNNING_LINE = 80
# Pages this similar (rapidfuzz ratio, 0-100, of folded text) are one page twice. The
# repeated page of the samples scores 95 against its original (only the signature dates
# differ); different form pages of the same template stay under 80.
DUPLICATE_PAGE_SCORE = 90
# Pages shorter than this (characters) are not compared: blank and near-blank pages are alike.
MIN_DUPLICATE_CHARS = 200


@dataclass(frozen=True)
class FurnitureRules:
    page_numbers: tuple[re.Pattern[str], ...]
    letterheads: tuple[str, ...]
    edge_lines: int
    repeated_edge_lines: int


@lru_cache(maxsize=1)
def load_rules(path: Path = FURNITURE_FILE) -> FurnitureRules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return FurnitureRules(
        tuple(re.compile(p) for p in data["page_numbers"]),
        tuple(fold(word) for word in data["letterheads"]),
        int(data["edge_lines"]),
        int(data["repeated_edge_lines"]),
    )


def page_lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Non-blank lines of one page as (start, end, text), offsets in `text`."""
    return [
        (start + m.start(), start + m.end(), m.group())
        for m in LINE.finditer(text[start:end])
        if m.group().strip()
    ]


def edge(lines: list, count: int) -> list:
    return lines[:count] + lines[max(count, len(lines) - count) :]


def letterhead_spans(lines: list[tuple[int, int, str]], rules: FurnitureRules) -> list[tuple[int, int]]:
    spans = []
    for position in (0, max(len(lines) - rules.edge_lines, 0)):
        block = lines[position : position + rules.edge_lines]
        for index, (start, _end, line) in enumerate(block):
            stripped = line.strip(" \t\f*#")
            if CAPITALS.match(stripped) and fold(stripped).startswith(rules.letterheads):
                run = [block[index]]
                for follower in block[index + 1 :]:
                    if not CAPITALS.match(follower[2].strip(" \t\f*#")):
                        break
                    run.append(follower)
                spans.append((start, run[-1][1]))
                break
    return spans


def furniture_spans(text: str, pages: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of page numbers, letterheads and running headers/footers in these pages."""
    rules = load_rules()
    per_page = [page_lines(text, start, end) for start, end in pages]
    counts = Counter(
        " ".join(line.split()) for lines in per_page for _s, _e, line in edge(lines, rules.edge_lines)
    )
    spans = []
    for lines in per_page:
        spans.extend(letterhead_spans(lines, rules))
        for start, end, line in edge(lines, rules.edge_lines):
            key = " ".join(line.split())
            if any(p.match(line) for p in rules.page_numbers) or (
                counts[key] >= rules.repeated_edge_lines and len(key) <= MAX_RUNNING_LINE
            ):
                spans.append((start, end))
    return sorted(set(spans))


def duplicate_pages(text: str, pages: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(index, index of the earlier page it repeats) for pages that are another page twice."""
    folded = [" ".join(fold(text[start:end]).split()) for start, end in pages]
    found = []
    for index, page in enumerate(folded):
        if len(page) < MIN_DUPLICATE_CHARS:
            continue
        for earlier in range(index):
            other = folded[earlier]
            if abs(len(other) - len(page)) > 0.2 * len(page):
                continue
            if fuzz.ratio(page, other, score_cutoff=DUPLICATE_PAGE_SCORE):
                found.append((index, earlier))
                break
    return found
