"""The förbund's own goals with their follow-up: a goal, then `Kommentar:` and the outcome.

A delårsrapport follows up the goals of its verksamhetsplan (sections 1.3.1-1.3.3 of the
sample) as a list: each goal (a bullet line, or a paragraph) is followed by a paragraph
opened by `Kommentar:` that says how it went. The comment is the goal's outcome; whether
the goal was reached is not stated as yes/no, so `achieved` stays null. Goals listed
without a comment get no outcome. OCR damages the cue word (`l(ommentar`), so it is
matched fuzzily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from models.tables import GoalRow

# `Kommentar:` opening a line; the word is compared fuzzily, since the sample's OCR wrote it
# `Kamtnentdr`, `lhmmentor`, even `(onrl7r.nlor` and `llorTUnent.rrr`.
CUE_LINE = re.compile(r"^[ \t*]*(?P<word>[^\s:]{6,15})[ \t]*:[ \t]*", re.MULTILINE)
CUE_WORD = "kommentar"
# A word this similar (0-100) is the cue ...
MIN_CUE_SCORE = 55
# ... and so is a less similar one that bears OCR damage (a character that is not a letter),
# unless it is closer to another label of these forms.
MIN_DAMAGED_CUE_SCORE = 25
OTHER_LABELS = ("projektägare", "kontaktperson", "organisation", "tidsperiod", "medsökande", "målgrupp")
DAMAGE = re.compile(r"[^A-Za-zÅÄÖåäöé]")
BULLET_LINE = re.compile(r"^[ \t]*[-•–▪○*][ \t]+\S", re.MULTILINE)
BLANK_LINES = re.compile(r"\n[ \t]*\n")
# A comment or goal read from OCR'd prose: less sure than a form's table cell.
CONFIDENCE = 0.7
MIN_GOAL_CHARS = 10


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def is_cue(word: str) -> bool:
    word = word.lower()
    score = fuzz.ratio(word, CUE_WORD)
    if score >= MIN_CUE_SCORE:
        return True
    closest_other = max(fuzz.ratio(word, label) for label in OTHER_LABELS)
    return score >= MIN_DAMAGED_CUE_SCORE and bool(DAMAGE.search(word)) and score > closest_other


def cue_spans(text: str) -> list[re.Match[str]]:
    return [m for m in CUE_LINE.finditer(text) if is_cue(m.group("word"))]


def comment_end(text: str, start: int) -> int:
    """A comment runs to the next bullet line or the end of its paragraph."""
    ends = [len(text)]
    if bullet := BULLET_LINE.search(text, start):
        ends.append(bullet.start())
    if blank := BLANK_LINES.search(text, start):
        ends.append(blank.start())
    return min(ends)


def region_goals(text: str, start: int, end: int) -> list[Span]:
    """The goals written between two comments: its bullets, else its last paragraph."""
    bullets = [m.start() for m in BULLET_LINE.finditer(text, start, end)]
    if bullets:
        return [Span(b, e) for b, e in zip(bullets, bullets[1:] + [end], strict=True)]
    paragraphs = [p for p in BLANK_LINES.split(text[start:end]) if p.strip()]
    if not paragraphs:
        return []
    last = text.rindex(paragraphs[-1], start, end)
    return [Span(last, last + len(paragraphs[-1]))]


def goal_text(text: str) -> str:
    return " ".join(text.split()).lstrip("-•–▪○* ").strip()


def commented_goals(text: str, doc_id: str, page_at, start: int = 1) -> tuple[list[GoalRow], list[str]]:
    """Goals with their `Kommentar` as outcome, in order; ids from `{doc_id}-g{start}`."""
    rows: list[GoalRow] = []
    cursor = 0
    cues = cue_spans(text)
    for cue in cues:
        goals = region_goals(text, cursor, cue.start())
        end = comment_end(text, cue.end())
        outcome = goal_text(text[cue.end() : end]) or None
        for index, span in enumerate(goals):
            goal = goal_text(text[span.start : span.end])
            if len(goal) < MIN_GOAL_CHARS:
                continue
            rows.append(
                GoalRow(
                    doc_id=doc_id, goal_id=f"{doc_id}-g{start + len(rows)}", project_id=None, level="unknown",
                    goal=goal, achieved=None, achieved_raw=None,
                    outcome=outcome if index == len(goals) - 1 else None,
                    page=page_at(span.start), confidence=CONFIDENCE,
                )
            )  # fmt: skip
        cursor = end
    warnings = [] if cues or not text.strip() else ["no 'Kommentar' follow-ups found"]
    return rows, warnings
