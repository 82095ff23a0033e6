"""The förbund's own goals in a verksamhetsplan: the lists and goal sentences of its goal
sections, as GoalRow with no project.

The sample (verksamhetsplan 2018, Härnösand Timrå) states its goals in §4 (finansiella mål,
one sentence: "Förbundets finansiella mål är att …"), §5 (övergripande mål och syfte: a
bulleted list after "Syftet med finansiell samordning är att:"), §8 (mål för insatser) and
§9 (mål för verksamhetsarbetet), the last two as bulleted lists. Its OCR read the bullets
as `e` ("e Sprida kunskap …"), so a letter `e` or `o` opening two or more lines of a section
is a bullet too. An item runs to the next bullet or blank line. Without a list, a sentence
that says what the goal is (goal_cues.tsv, `sentence`) is the goal; the section's prose
around it (the förbund's tasks in §5) is not.

The level is what the heading says: `overall` under "övergripande mål", else `unknown` —
the plan calls no goal a delmål. Nothing is said about achievement in a plan: achieved and
outcome stay null. An item bearing OCR damage ("e | de individinriktade …") is kept as read
with a lower confidence and a warning.
"""

from __future__ import annotations

import re
from collections import Counter

from models.tables import GoalRow
from pipeline.extract.goal_table import CONFIDENCE_OCR, CONFIDENCE_PROSE, CONFIDENCE_SENTENCE, match_sentence

LIST_LINE = re.compile(r"^[ \t]*(?P<marker>[-•–▪○◦●■*]|[eo«°])[ \t]+(?=\S)", re.MULTILINE)
# Letters that are a bullet only when they open two or more lines (OCR of "•").
LETTER_MARKERS = ("e", "o")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
SENTENCE = re.compile(r"[^.!?]+(?:[.!?](?=\s|$)|$)")
OVERALL_WORD = "övergripande"
# OCR damage in a goal: odd symbols ("| de" for "I de"), a capital inside a word, digits
# inside words. `%` is no damage here ("20 % av intäkterna").
DAMAGE = re.compile(r"[{}\[\]|<>\\@#$^~`]|[a-zåäö][A-ZÅÄÖ]|[^\W\d_]\d|\d[^\W\d_]")
MIN_GOAL_CHARS = 10


def list_items(text: str) -> list[tuple[int, int]]:
    """(start, end) of each bulleted item's text (after its marker)."""
    lines = list(LIST_LINE.finditer(text))
    counts = Counter(m.group("marker") for m in lines)
    lines = [m for m in lines if m.group("marker") not in LETTER_MARKERS or counts[m.group("marker")] > 1]
    items = []
    for match, following in zip(lines, [*lines[1:], None][: len(lines)], strict=True):
        end = following.start() if following else len(text)
        if blank := BLANK_LINE.search(text, match.end(), end):
            end = blank.start()
        items.append((match.end(), end))
    return items


def goal_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences that state a goal ("Förbundets finansiella mål är att …")."""
    found = []
    for sentence in SENTENCE.finditer(text):
        body = sentence.group()
        lead = len(body) - len(body.lstrip())
        if match_sentence(body):
            found.append((sentence.start() + lead, sentence.end()))
    return found


def plan_goals(
    text: str, heading: str, doc_id: str, page_at, start: int = 1
) -> tuple[list[GoalRow], list[str]]:
    """Goals of one goal section of a verksamhetsplan (its body `text` and `heading`); ids
    from `{doc_id}-g{start}`."""
    level = "overall" if OVERALL_WORD in heading.lower() else "unknown"
    spans = [(a, b, CONFIDENCE_PROSE) for a, b in list_items(text)]
    if not spans:
        spans = [(a, b, CONFIDENCE_SENTENCE) for a, b in goal_sentences(text)]
    rows, warnings = [], []
    for a, b, confidence in spans:
        goal = " ".join(text[a:b].split())
        if len(goal) < MIN_GOAL_CHARS:
            continue
        if DAMAGE.search(goal):
            confidence = min(confidence, CONFIDENCE_OCR)
            warnings.append(f"goal {goal[:40]!r}…: damaged by OCR; kept as read")
        rows.append(
            GoalRow(
                doc_id=doc_id, goal_id=f"{doc_id}-g{start + len(rows)}", project_id=None, level=level,
                goal=goal, achieved=None, achieved_raw=None, outcome=None, page=page_at(a),
                confidence=confidence,
            )
        )  # fmt: skip
    return rows, warnings
