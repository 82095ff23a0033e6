"""Find a template's headings in text, in order, scoring each match.

Headings are recognised line by line: a number (`4.1`, `6.`) followed by text that is
compared fuzzily (rapidfuzz) with the template's heading text, so forms that append
instructions (`4.1 Insatsens mål Ange uppsatta mål …`) or OCR that damages a letter still
match. Matches must come in template order; a heading seen again later is a repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.segment.templates import Heading, Template

HTML_TAG = re.compile(r"<[^>]{0,200}>")
NUMBERED_LINE = re.compile(r"^[ \t#*>]*(\d{1,2}(?:[.,]\d{1,2}){0,3})[.)]?[ \t]+(\S.*)$", re.MULTILINE)
# Below this similarity (0-1) a numbered line is not taken as the template's heading.
# 0.75 accepts one or two damaged letters in a short heading and rejects unrelated
# numbered lines such as "2 deltagare som gått mot sjukersättning".
MIN_HEADING_SCORE = 0.75
# A cue counts as present at this partial-ratio similarity (0-100).
MIN_CUE_SCORE = 90
# Share of the template score that comes from headings; cues only break near-ties.
HEADINGS_WEIGHT = 0.7


@dataclass(frozen=True)
class HeadingMatch:
    heading: Heading
    start: int  # offset of the line in the searched text
    end: int  # offset just after the heading words
    line_end: int
    text: str  # the heading as written
    score: float


def heading_score(expected: str, written: str) -> tuple[float, str]:
    """Similarity of the template text with the same number of words as written."""
    words = written.split()
    prefix = " ".join(words[: len(expected.split())])
    return fuzz.ratio(expected.lower(), prefix.lower()) / 100, prefix


def find_headings(text: str, template: Template) -> tuple[list[HeadingMatch], list[str]]:
    """Matched headings in text order, and warnings (repeated headings)."""
    matches: list[HeadingMatch] = []
    warnings: list[str] = []
    by_number: dict[str, list[int]] = {}
    for index, heading in enumerate(template.headings):
        by_number.setdefault(heading.number, []).append(index)
    last = -1
    for line in NUMBERED_LINE.finditer(HTML_TAG.sub(lambda m: " " * len(m.group()), text)):
        number = line.group(1).replace(",", ".")
        for index in by_number.get(number, []):
            heading = template.headings[index]
            score, written = heading_score(heading.text, line.group(2))
            if score < MIN_HEADING_SCORE:
                continue
            if index <= last:
                warnings.append(f"repeated heading '{heading.number} {heading.text}' ignored")
                break
            end = line.start(2) + len(written)
            matches.append(HeadingMatch(heading, line.start(), end, line.end(), written, score))
            last = index
            break
    return matches, warnings


def cue_score(text: str, template: Template) -> float:
    if not template.cues:
        return 0.0
    lowered = text.lower()
    found = sum(1 for cue in template.cues if fuzz.partial_ratio(cue.lower(), lowered) >= MIN_CUE_SCORE)
    return found / len(template.cues)


def template_score(matches: list[HeadingMatch], text: str, template: Template) -> float:
    """0-1: mostly the required headings found (weighted by match score), partly cues."""
    required = [h for h in template.headings if h.required]
    found = {m.heading.key: m.score for m in matches}
    coverage = sum(found.get(h.key, 0.0) for h in required) / max(len(required), 1)
    return round(HEADINGS_WEIGHT * coverage + (1 - HEADINGS_WEIGHT) * cue_score(text, template), 3)
