"""Goals of a slutrapport goal table read by OCR: no tabs, cells as paragraphs.

A scanned form loses its columns: the goal, the answer and the outcome come as
blank-line-separated paragraphs, or the answer stands as a word at the end of the goal's
line. What can be recovered is recovered with lower confidence and a warning.
"""

from __future__ import annotations

import re

from pipeline.extract.goal_table import (
    BULLET,
    CONFIDENCE_OCR,
    CONFIDENCE_OCR_INLINE,
    DASH_BULLET,
    INLINE_ANSWER,
    PARAGRAPH_BREAK,
    Goal,
    Item,
    Row,
    collapse,
    is_answer,
    load_cues,
    match_level,
    rows_to_goals,
    starts_goal,
    strip_header,
)

# --- the OCR reading: no tabs, cells as paragraphs ------------------------------------------


def paragraphs(text: str) -> list[Item]:
    items, position = [], 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[position:end]
        item = strip_header(Item(piece.strip(), position + len(piece) - len(piece.lstrip())))
        if collapse(item.text):
            items.append(Item(collapse(item.text), item.offset))
        position = match.end() if match else end
    return items


def looks_like_goal(text: str) -> bool:
    return bool(match_level(text) or starts_goal(text) or BULLET.match(text) or DASH_BULLET.match(text))


def ocr_row(goal_items: list[Item], answer: Item | None, level: str) -> tuple[Row, str]:
    text = " ".join(i.text for i in goal_items)
    offset = goal_items[0].offset
    if found := match_level(text):
        level, text, shift = found[0], found[1].strip(), found[2]
        offset += shift
    text = BULLET.sub("", DASH_BULLET.sub("", text)).strip()
    return Row([Goal(text, offset, level)] if text else [], [answer] if answer else [], []), level


def ocr_goals(text: str, doc_id: str, project_id: str | None, page_at, start: int = 1):
    """Goals of an OCR'd goal table: answer paragraphs ("Ja, …") separate the rows; between
    two answers, the first paragraph is the outcome and the goal starts at the next one
    that looks like a goal (a level cue, `Att`, a bullet)."""
    paras = paragraphs(text)
    answers = [i for i, p in enumerate(paras) if is_answer(p.text)]
    if not answers:
        return inline_ocr_goals(text, doc_id, project_id, page_at, start)
    rows: list[Row] = []
    level, previous, warnings = "unknown", -1, []
    for index in [*answers, len(paras)]:
        between = paras[previous + 1 : index]
        if previous < 0:
            cut = next((k for k, p in enumerate(between) if looks_like_goal(p.text)), 0)
        elif index == len(paras):
            cut = len(between)
        else:
            cut = next((k for k in range(1, len(between)) if looks_like_goal(between[k].text)), None)
            if cut is None:
                cut = min(1, len(between) - 1) if len(between) > 1 else 0
                where = paras[index].offset
                warnings.append(f"OCR goal table: outcome and next goal not told apart before offset {where}")
        if rows and between[:cut]:
            rows[-1].outcomes = [Item(" ".join(p.text for p in between[:cut]), between[0].offset)]
        if index < len(paras):
            if not between[cut:]:
                warnings.append(f"OCR goal table: answer {paras[index].text!r} has no goal before it")
            else:
                row, level = ocr_row(between[cut:], paras[index], level)
                rows.extend([row] if row.goals else [])
        previous = index
    goals, more = rows_to_goals(rows, doc_id, project_id, page_at, start)
    for goal in goals:
        goal.confidence = min(goal.confidence, CONFIDENCE_OCR)
    note = "goal table read from OCR paragraphs (no cell borders); rows split at their Ja/Nej answers"
    return goals, [note, *warnings, *more]


def remove_headers(text: str) -> str:
    for cue in load_cues():
        if cue.kind == "header":
            text = re.sub(rf"{cue.pattern.pattern}[\s\-:.]*", " ", text, flags=re.IGNORECASE)
    return text


def inline_ocr_goals(text: str, doc_id: str, project_id: str | None, page_at, start: int = 1):
    """Goals of an OCR'd table whose rows come out as lines with the answer as a word on the
    goal's line ("Att samverkan ska öka Ja Arbetslösheten …"). Only what is certain is read:
    the goal is the text before the answer (and a goal-like line just above it); the lines
    below mix the goal's and the outcome's columns, so outcomes stay null."""
    rows: list[Row] = []
    level, pending, offset = "unknown", [], 0
    for raw in text.split("\n"):
        line_offset, offset = offset, offset + len(raw) + 1
        line = remove_headers(raw)
        match = INLINE_ANSWER.search(line)
        if match and line[: match.start()].strip():
            before = Item(collapse(line[: match.start()]), line_offset + len(line) - len(line.lstrip()))
            answer = Item(match.group("answer"), line_offset + match.start("answer"))
            row, level = ocr_row([*pending, before], answer, level)
            rows.extend([row] if row.goals else [])
            pending = []
        elif line.strip() and looks_like_goal(line.strip()):
            pending = [Item(collapse(line), line_offset + len(line) - len(line.lstrip()))]
        else:
            pending = []
    if not rows:
        return [], ["goal table not readable: no tab-separated rows and no Ja/Nej answers found"]
    goals, warnings = rows_to_goals(rows, doc_id, project_id, page_at, start)
    for goal in goals:
        goal.confidence = min(goal.confidence, CONFIDENCE_OCR_INLINE)
    note = (
        "goal table read from OCR lines (answer as a word on the goal's line): goal texts may be "
        "cut and outcomes are not read; check the scan"
    )
    return goals, [note, *warnings]


# --- goals listed in running text (delårsrapport insatser) ------------------------------------
