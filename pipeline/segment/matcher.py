"""Find a template's headings in text, in order, scoring each match.

Every line is a candidate: a numbered line (`4.1 Insatsens mål …`, OCR-damaged as
`1,3 Beskrivning` or `1.:1.2 !1ål l'ör …`), a short unnumbered line (`## **Syfte**`), or a
line a heading's pattern matches (`§ 630`). Its text is compared with the template's
heading text fuzzily (rapidfuzz) after folding case and diacritics, because OCR damages
letters and some OCR drops å/ä/ö altogether; the number is compared fuzzily too.

The headings kept are the best-scoring chain in template order (a weighted longest
increasing subsequence), so one stray early match cannot push out the real headings that
follow. Strong candidates left out of the chain are reported: a heading already placed is
`repeated`, one that fits nowhere in the order is `out of order`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.segment.templates import Heading, Template

MARKUP = re.compile(r"<[^>]{0,200}>|\*\*|__")
LINE = re.compile(r"^[^\n]*$", re.MULTILINE)
EDGE = " \t\f#*>-•"
NUMBERED = re.compile(r"^(?P<number>\d{1,2}(?:[.,:;]+[0-9lI|]{1,2}){0,3})[.,:;)]?[ \t]+(?P<text>\S.*)$")
NUMBER_CONFUSIONS = str.maketrans({"l": "1", "I": "1", "|": "1"})
# Similarity (0-1) of folded heading text needed to take a line as the heading. 0.7 accepts
# the OCR of sample 001 (`Mål fbr verksarnhetsarlletel under` for `Mål för
# verksamhetsarbetet under` scores 0.79) and rejects numbered prose and list items such as
# `2 deltagare som gått mot sjukersättning` (under 0.4 against any slutrapport heading).
MIN_TEXT_SCORE = 0.7
# Unnumbered headings are short lines; a line this much longer than the heading is prose.
UNNUMBERED_SLACK = 8
# Unnumbered headings have no number to confirm them, so their text must match closer.
MIN_UNNUMBERED_SCORE = 0.85
# Numbers are compared too (`1.:1.2` is `1.3.2` damaged): below this similarity the line is
# another heading's; the number weighs this much in the score.
MIN_NUMBER_SCORE = 0.6
NUMBER_WEIGHT = 0.3
# A candidate left out of the chain is worth a warning only when it matched this well
# (`Underskrift`, a field label, scores 0.92 against the heading `Underskrifter`).
MIN_WARN_SCORE = 0.95
# A cue counts as present at this partial-ratio similarity (0-100).
MIN_CUE_SCORE = 90
# Share of the template score that comes from headings; cues only break near-ties. A
# template without required headings is judged by its cues alone.
HEADINGS_WEIGHT = 0.7


@dataclass(frozen=True)
class HeadingMatch:
    heading: Heading
    index: int  # of the heading in the template
    start: int  # offset of the line in the searched text
    end: int  # offset just after the heading words
    text: str  # the heading as written
    number: str | None  # as written
    score: float


def strip_diacritics(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)) or char


# Latin-1 and Latin Extended-A letters without their diacritics, as one translate table
# (a per-character decomposition made folding the slowest step of segmenting).
FOLD_TABLE = str.maketrans({chr(c): strip_diacritics(chr(c)) for c in range(0xC0, 0x180)})


# Runs of the characters FOLD_TABLE maps. translate() looks every character of a non-ASCII
# string up in the table (5.6 ms for the lines of the text samples); most characters of
# Swedish text are ASCII, so only the runs that are not are translated (3.0 ms).
FOLDABLE = re.compile("[\u00c0-\u017f]+")


def fold(text: str) -> str:
    """Lower case without diacritics: `Förbundets` and OCR's `Forbundets` compare equal."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return FOLDABLE.sub(fold_run, lowered)


def fold_run(match: re.Match) -> str:
    return match.group().translate(FOLD_TABLE)


fold_cached = lru_cache(maxsize=4096)(fold)


def normalise_number(number: str) -> str:
    return re.sub(r"[.,:;]+", ".", number.translate(NUMBER_CONFUSIONS)).strip(".")


@dataclass(frozen=True)
class Line:
    """One non-blank line, prepared once and compared with every template's headings."""

    start: int  # offset of the line in the searched text
    content_start: int  # offset of the content (markup and edge symbols stripped)
    content: str
    number: str | None  # as written, when the line is numbered
    number_key: str | None  # the number with OCR confusions undone (`1.:1.2` -> `1.1.2`)
    words: tuple[str, ...]  # of the text after the number (or of the whole content)
    folded_words: tuple[str, ...]
    # An unnumbered line as an unnumbered heading would be written (no trailing `:.?`), and
    # folded: what match_line compares with such headings ("" for a numbered line).
    plain: str = ""
    folded_plain: str = ""


def prepare_lines(text: str) -> list[Line]:
    lines = []
    for match in LINE.finditer(text):
        lead, content = strip_line(match.group())
        if not content:
            continue
        numbered = NUMBERED.match(content)
        body = numbered.group("text") if numbered else content
        number = numbered.group("number") if numbered else None
        words = tuple(body.split())
        plain = "" if numbered else content.rstrip(":.?")
        lines.append(
            Line(
                start=match.start(),
                content_start=match.start() + lead,
                content=content,
                number=number,
                number_key=normalise_number(number) if number else None,
                words=words,
                folded_words=tuple(fold(body).split()),
                plain=plain,
                folded_plain=fold(plain),
            )
        )
    return lines


def strip_line(line: str) -> tuple[int, str]:
    """(offset of the content in the line, content without markup and edge symbols)."""
    cleaned = MARKUP.sub(lambda m: " " * len(m.group()), line)
    stripped = cleaned.lstrip(EDGE)
    return len(cleaned) - len(stripped), stripped.rstrip(EDGE)


def match_line(heading: Heading, line: Line) -> tuple[float, str, str | None] | None:
    """(score, heading as written, number) when this line is the heading."""
    if heading.pattern is not None:
        return (1.0, line.content, None) if heading.pattern.match(line.content) else None
    expected = fold_cached(heading.text)
    size = expected.count(" ") + 1
    if heading.number is not None:
        if line.number_key is None:
            return None
        number_score = Levenshtein.normalized_similarity(line.number_key, heading.number)
        if number_score < MIN_NUMBER_SCORE:
            return None
        text_score = fuzz.ratio(expected, " ".join(line.folded_words[:size])) / 100
        if text_score < MIN_TEXT_SCORE:
            return None
        written = " ".join(line.words[:size])
        return text_score * (1 - NUMBER_WEIGHT + NUMBER_WEIGHT * number_score), written, line.number
    if line.number is not None or len(line.content) > longest_line(heading):
        return None
    score = fuzz.ratio(expected, line.folded_plain) / 100
    return (score, line.plain, None) if score >= MIN_UNNUMBERED_SCORE else None


def longest_line(heading: Heading) -> int:
    """The longest line an unnumbered heading may be written on."""
    return len(heading.text) + UNNUMBERED_SLACK


def candidates(lines: list[Line], template: Template) -> list[HeadingMatch]:
    # A numbered heading needs a numbered line and an unnumbered one a line without a number
    # (match_line): each line is tried only against the headings it could be, in order.
    headings = list(enumerate(template.headings))
    for_numbered = [(i, h) for i, h in headings if h.pattern is not None or h.number is not None]
    for_plain = [(i, h) for i, h in headings if h.pattern is not None or h.number is None]
    # Most unnumbered lines are prose, longer than any unnumbered heading: the headings a
    # line may be are found by its length (trying them all took 26 ms per pass over the
    # text samples, this about 11 ms).
    by_length = sorted((longest_line(h), i, h) for i, h in for_plain if h.pattern is None)
    limits = [limit for limit, _, _ in by_length]
    patterns = [(i, h) for i, h in for_plain if h.pattern is not None]
    # The headings a line is tried against, in template order, by where its length falls
    # among the limits: one list per place, not one sort per line.
    fitting = [
        sorted(patterns + [(i, h) for _, i, h in by_length[cut:]], key=lambda pair: pair[0])
        for cut in range(len(by_length) + 1)
    ]
    found = []
    for line in lines:
        if line.number is None:
            tried = fitting[bisect.bisect_left(limits, len(line.content))]
        else:
            tried = for_numbered
        for index, heading in tried:
            result = match_line(heading, line)
            if result is None:
                continue
            score, written, number = result
            offset = line.content.find(written) if written else 0
            end = line.content_start + max(offset, 0) + len(written)
            found.append(HeadingMatch(heading, index, line.start, end, written, number, round(score, 3)))
    return found


def best_chain(found: list[HeadingMatch]) -> list[HeadingMatch]:
    """Highest total score over matches in text order with template order non-decreasing
    (equal only for repeatable headings), at most one match a line."""
    best: list[tuple[float, int]] = []  # per match: (chain total, predecessor match or -1)
    by_start: dict[int, list[int]] = {}
    for i, match in enumerate(found):
        by_start.setdefault(match.start, []).append(i)
    for i, match in enumerate(found):
        total, previous = match.score, -1
        for j in range(i):
            other = found[j]
            if other.start >= match.start:
                continue
            fits = other.index < match.index or (other.index == match.index and match.heading.repeat)
            if fits and best[j][0] + match.score > total:
                total, previous = best[j][0] + match.score, j
        best.append((total, previous))
    if not best:
        return []
    cursor = max(range(len(best)), key=lambda i: (best[i][0], -i))
    chain = []
    while cursor != -1:
        chain.append(found[cursor])
        cursor = best[cursor][1]
    return chain[::-1]


def find_headings(
    lines: list[Line], template: Template
) -> tuple[list[HeadingMatch], list[tuple[str, HeadingMatch]]]:
    """Matched headings in text order, and strong candidates left out: (reason, match)."""
    found = candidates(lines, template)
    chain = best_chain(found)
    placed = {m.index for m in chain}
    lines = {m.start for m in chain}
    left_out = []
    for match in found:
        if match.start in lines or match.score < MIN_WARN_SCORE:
            continue
        reason = "repeated" if match.index in placed and not match.heading.repeat else "out of order"
        if reason == "out of order" and match.heading.repeat:
            continue
        left_out.append((reason, match))
    return chain, left_out


def cue_score(folded_text: str, template: Template) -> float:
    """Share of the template's cues found in the (folded) text, exactly or fuzzily."""
    if not template.cues:
        return 0.0
    found = 0
    for cue in template.cues:
        cue = fold_cached(cue)
        # With the cutoff, rapidfuzz gives up on alignments that cannot reach it (0 then).
        if (
            cue in folded_text
            or fuzz.partial_ratio(cue, folded_text, score_cutoff=MIN_CUE_SCORE) >= MIN_CUE_SCORE
        ):
            found += 1
    return found / len(template.cues)


def template_score(matches: list[HeadingMatch], folded_text: str, template: Template) -> float:
    """0-1: mostly the required headings found (weighted by match score), partly cues."""
    required = {h.key for h in template.headings if h.required}
    if not required:
        return round(cue_score(folded_text, template), 3)
    found: dict[str, float] = {}
    for m in matches:
        found[m.heading.key] = max(found.get(m.heading.key, 0.0), m.score)
    coverage = sum(found.get(key, 0.0) for key in required) / len(required)
    return round(HEADINGS_WEIGHT * coverage + (1 - HEADINGS_WEIGHT) * cue_score(folded_text, template), 3)
