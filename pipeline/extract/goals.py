"""Goals as GoalRow: the slutrapport's goal table (goal_table.py, goal_ocr.py for scans)
and goal lists in prose (delårsrapport insatser: `Övergripande mål:`, `Mätbara delmål:`).

Nothing is guessed: `achieved` stays null when the answer is empty or unclear, and goals
read from prose or OCR carry a lower confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.tables import GoalRow
from pipeline.extract.goal_ocr import ocr_goals
from pipeline.extract.goal_table import (
    BULLET,
    CONFIDENCE_PROSE,
    CONFIDENCE_SENTENCE,
    ENDS_SENTENCE,
    collapse,
    match_level,
    match_sentence,
    rows_to_goals,
    starts_goal,
    starts_lower,
    table_rows,
)


def slutrapport_goals(
    text: str, doc_id: str, project_id: str | None, page_at, start: int = 1
) -> tuple[list[GoalRow], list[str]]:
    """Goals of the body of a slutrapport's section 4.1 (the goal table).

    `page_at(offset)` gives the page of an offset in `text`; `start` is the number of the
    first goal (goal_id `{doc_id}-g{n}`). Text without tab-separated rows is read as OCR.
    """
    if not any("\t" in line and line.strip() for line in text.split("\n")):
        return ocr_goals(text, doc_id, project_id, page_at, start)
    rows = table_rows(text)
    if not rows:
        return [], ["goal table (4.1) holds no goals"]
    return rows_to_goals(rows, doc_id, project_id, page_at, start)


@dataclass
class ProseGoal:
    level: str
    parts: list[str]
    offset: int
    sentence: bool = False

    @property
    def text(self) -> str:
        return collapse(" ".join(self.parts))


def bullet_body(line: str) -> tuple[bool, str, int]:
    stripped = line.lstrip()
    shift = len(line) - len(stripped)
    match = re.match(rf"{BULLET.pattern}\s*|[-–]\s+", stripped)
    if match:
        return True, stripped[match.end() :], shift + match.end()
    return False, stripped, shift


def prose_goals(
    text: str, doc_id: str, project_id: str | None, page_at, start: int = 1
) -> tuple[list[GoalRow], list[str]]:
    """Goals listed in prose: the lines after a cue (`Övergripande mål:`, `Mätbara delmål:`,
    `Mål`) up to the next paragraph that is not a goal, and sentences that are goals
    (`Målet är att …`). achieved and outcome stay null. Call it on one insats's text.

    In a list, a goal starts at a bullet, at a goal word (`Att`) or, in a list without
    bullets, at any line of the paragraph that does not start in lower case; a line starting
    in lower case (or after a line not ending a sentence) continues the goal."""
    found: list[ProseGoal] = []
    current: ProseGoal | None = None
    level, active, blank, bullets, previous_line, offset = "unknown", False, False, False, "", 0
    for raw in text.split("\n"):
        line_offset, offset = offset, offset + len(raw) + 1
        line = raw.strip()
        if not line:
            blank = True
            continue
        is_bullet, body, shift = bullet_body(raw)
        if cue := match_level(line, fuzzy=True):
            level, active, bullets, current = cue[0], True, False, None
            if rest := cue[1].strip():
                current = ProseGoal(level, [rest], line_offset + raw.find(rest))
        elif sentence_level := match_sentence(line):
            level, active = sentence_level, True
            current = ProseGoal(level, [line], line_offset + len(raw) - len(raw.lstrip()), sentence=True)
        elif not active:
            pass
        elif current is not None and current.sentence:
            if starts_lower(line) or (not blank and not ENDS_SENTENCE.search(previous_line)):
                current.parts.append(line)
            else:
                active, current = False, None
        elif current is None or is_bullet or starts_goal(body):
            bullets = bullets or is_bullet
            current = ProseGoal(level, [body], line_offset + shift)
        elif starts_lower(line) or (bullets and not blank and not ENDS_SENTENCE.search(previous_line)):
            current.parts.append(line)  # a wrapped line (in a bulleted list: any unfinished one)
        elif not blank and not bullets:
            current = ProseGoal(level, [body], line_offset + shift)  # unbulleted list: a line each
        else:
            active, current = False, None
        if current is not None and (not found or found[-1] is not current):
            found.append(current)
        previous_line, blank = line, False
    return prose_rows(found, doc_id, project_id, page_at, start), []


def prose_rows(found: list[ProseGoal], doc_id: str, project_id: str | None, page_at, start: int):
    rows = []
    for goal in found:
        text = goal.text
        if goal.sentence and (end := re.search(r"[.!?](?=\s+[A-ZÅÄÖ]|\s*$)", text)):
            text = text[: end.end()]
        rows.append(
            GoalRow(
                doc_id=doc_id,
                goal_id=f"{doc_id}-g{start + len(rows)}",
                project_id=project_id,
                level=goal.level,
                goal=text,
                achieved=None,
                achieved_raw=None,
                outcome=None,
                page=page_at(goal.offset),
                confidence=CONFIDENCE_SENTENCE if goal.sentence else CONFIDENCE_PROSE,
            )
        )
    return rows
