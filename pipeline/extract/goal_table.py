"""The slutrapport goal table (section 4.1) read into goals with their answers and outcomes.

The form's table has three columns: the goal, whether it was achieved ("Ja eller nej") and
the outcome. The sample slutrapporter write it in every way this module reads: one
tab-separated line per row whose goal cell holds HTML (`<ul>`, `<p>`) and bullets (•, ○, ▪,
-); level cues (`Övergripande projektmål:`, `Delmål`) that apply to the goals after them;
several goals, answers and outcomes in one cell; a table broken across pages whose last
goal, answer or outcome continues in the first row after the break. A scanned form read by
OCR has no tabs: its cells come as blank-line-separated paragraphs, read by ocr_goals.

Nothing is guessed: `achieved` comes from the first word of the answer cell via
data/achieved.tsv and stays null when the cell is empty or unclear (the cell is kept in
achieved_raw); a goal split from a shared cell, joined across a page break or sharing its
answer gets a lower confidence, an unclear answer lower still. Level cues, the form's
header phrases and the words goals begin with are data (data/goal_cues.tsv).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from models.tables import GoalRow

DATA = Path(__file__).resolve().parent / "data"
# Cell separators: HTML tags (report 1's unclosed `<ul style=…>`, report 2's `<p>`), and the
# bullets of reports 2 (•, ○ glued to the previous goal: "hösten○ 15"), 4 (▪) and others.
TAG = re.compile(r"<[^>\n]*>")
BULLET = re.compile(r"[•○▪◦●■]")
# A dash bullet only at the start of an item ("- Systematisk uppföljning", report 5).
DASH_BULLET = re.compile(r"^[-–]\s+")
# Goals glued without their list separator: "…ska genomföras.Kännedom och …" (report 5).
GLUED_SENTENCE = re.compile(r"(?<=[a-zåäö0-9)][.!?])(?=[A-ZÅÄÖ][a-zåäö])")
SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
SENTENCE_END = re.compile(r"[.!?]\s+(?=\S)")
ENDS_SENTENCE = re.compile(r"[.!?][\"”)]?$")
# The OCR reading of report 1 (samples/generated/…-scan.pdf) breaks cells into paragraphs.
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# An answer word standing inside an OCR line, after the goal's text (capitalised forms only:
# a lower-case "ja" inside running text is not an answer).
INLINE_ANSWER = re.compile(
    r"(?<=\S)\s+(?P<answer>(?:Ja|JA|Nej|NEJ|Delvis|DELVIS)(?:/(?:Ja|JA|ja|Nej|NEJ|nej))?)(?=[,.]?(?:\s|$))"
)
# A short line this close to a level cue is that cue (delårsrapport OCR: "Mä1 för projektet").
FUZZY_CUE_RATIO = 0.85
FUZZY_CUE_MAX_CHARS = 40

CONFIDENCE_CLEAN = 1.0
CONFIDENCE_SHARED = 0.7  # split from a shared cell, joined across a page break, shared answer
CONFIDENCE_UNCLEAR = 0.5  # the answer cell says something other than yes/no/partly
CONFIDENCE_OCR = 0.6  # cells recovered from OCR paragraphs
CONFIDENCE_OCR_INLINE = 0.5  # answer found as a word inside an OCR line
CONFIDENCE_PROSE = 0.8  # a goal from a list in running text
CONFIDENCE_SENTENCE = 0.7  # a goal that is a sentence ("Målet är att …")


@dataclass(frozen=True)
class Cue:
    kind: str  # overall, sub, unknown, header, start
    phrase: str
    where: str  # prefix, alone, sentence ('' for header/start)
    pattern: re.Pattern[str]


@dataclass
class Item:
    text: str
    offset: int
    bullet: bool = False


@dataclass
class Goal:
    text: str
    offset: int
    level: str
    split: bool = False  # one of several goals in its cell
    joined: bool = False  # continued in a later row (page break)


@dataclass
class Row:
    goals: list[Goal]
    answers: list[Item]
    outcomes: list[Item]
    fragment: bool = False  # the first goal item continues the previous row's last goal


def read_data_file(name: str) -> list[list[str]]:
    """Rows of a TAB-separated data file under data/, comments and blank lines skipped."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def phrase_pattern(phrase: str) -> str:
    """Regex for a phrase: words separated by any spaces or punctuation, `*` a few words."""
    words = [r"(?:\S+\s+){0,5}?\S+" if word == "*" else re.escape(word) for word in phrase.split()]
    return r"[\s\W]*".join(words)


@lru_cache(maxsize=1)
def load_cues() -> tuple[Cue, ...]:
    cues = []
    for row in read_data_file("goal_cues.tsv"):
        kind, phrase, where = (row + ["", ""])[:3]
        cues.append(Cue(kind, phrase, where, re.compile(phrase_pattern(phrase), re.IGNORECASE)))
    return tuple(cues)


@lru_cache(maxsize=1)
def load_achieved() -> dict[str, str]:
    return {word.lower(): value for value, word in read_data_file("achieved.tsv")}


def collapse(text: str) -> str:
    return " ".join(html.unescape(text).split())


def letters(text: str) -> str:
    """Lower-case letters and single spaces only, OCR swaps for `l` and `o` undone ("MåI",
    "Mä1" are "mål"/"mäl"; applied alike to cues and text, so "Insats" stays comparable)."""
    text = re.sub(r"[I1|]", "l", text).lower().replace("0", "o")
    return " ".join(re.sub(r"[^a-zåäöéü ]+", " ", text).split())


def answer_word(text: str) -> str:
    match = re.match(r"[\w/]+", collapse(text))
    return match.group().rstrip("/").lower() if match else ""


def is_answer(text: str) -> bool:
    return answer_word(text) in load_achieved()


def read_achieved(cell: str | None) -> tuple[str | None, str | None]:
    """(achieved, achieved_raw) of an answer cell (HTML stripped); an empty cell is (None, None)."""
    raw = collapse(TAG.sub(" ", cell or "")) or None
    if raw is None:
        return None, None
    value = load_achieved().get(answer_word(raw))
    return (value if value in ("yes", "no", "partly") else None), raw


def strip_header(item: Item) -> Item:
    """The item without the form header phrases (and heading number) it starts with."""
    stripped = True
    while stripped:
        stripped = False
        for cue in load_cues():
            if cue.kind != "header":
                continue
            match = re.match(rf"\s*(?:\d+(?:\.\d+)*\.?\s+)?{cue.pattern.pattern}[\s\-:.]*", item.text, re.I)
            if match and match.end():
                item, stripped = Item(item.text[match.end() :], item.offset + match.end(), item.bullet), True
    return item


def match_level(text: str, fuzzy: bool = False) -> tuple[str, str, int] | None:
    """(level, rest, offset of rest) when text begins with a level cue, else None. `fuzzy`
    also accepts a short line close to a cue (OCR: "Mä1 för projektet", "Delmål mätbara]")."""
    for cue in load_cues():
        if cue.kind not in ("overall", "sub", "unknown") or cue.where == "sentence":
            continue
        match = level_pattern(cue.pattern.pattern, cue.where).match(text)
        # without a colon the goal after a prefix cue starts a sentence ("Delmål (Mätbara)
        # Andelen …"); "Övergripande mål för förbundet är …" is prose, not a cue
        if match and (":" in match.group() or not starts_lower(text[match.end() :])):
            return cue.kind, text[match.end() :], match.end()
    if fuzzy and len(text.strip()) <= FUZZY_CUE_MAX_CHARS:
        found = letters(text)
        for cue in load_cues():
            if cue.kind not in ("overall", "sub", "unknown") or cue.where == "sentence":
                continue
            target = cue_letters(cue.phrase)
            if target == found or (len(target) >= 8 and close(target, found)):
                return cue.kind, "", len(text)
    return None


@lru_cache(maxsize=256)
def level_pattern(phrase: str, where: str) -> re.Pattern:
    """A level cue at the start of a text: after a prefix cue no letter may follow; any
    other cue ends its line or has a colon."""
    end = r"(?![^\W\d_])" if where == "prefix" else r"\s*(?::|$)"
    return re.compile(rf"\s*{phrase}{end}[\s:\])]*", re.I)


cue_letters = lru_cache(maxsize=256)(letters)


def close(target: str, found: str) -> bool:
    """SequenceMatcher's ratio at least FUZZY_CUE_RATIO; its two quick upper bounds first
    rule out most texts without the matching itself."""
    matcher = SequenceMatcher(None, target, found)
    return (
        matcher.real_quick_ratio() >= FUZZY_CUE_RATIO
        and matcher.quick_ratio() >= FUZZY_CUE_RATIO
        and matcher.ratio() >= FUZZY_CUE_RATIO
    )


def match_sentence(text: str) -> str | None:
    """The level of a sentence that is itself a goal ("Målet är att …"), else None."""
    for cue in load_cues():
        if cue.where == "sentence" and re.match(rf"\s*{cue.pattern.pattern}\b", text, re.IGNORECASE):
            return cue.kind
    return None


def starts_goal(text: str) -> bool:
    """True when text begins with a word goals in lists begin with ("Att", OCR "Alt")."""
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return any(c.kind == "start" and first.lower() == c.phrase.lower() for c in load_cues())


def starts_lower(text: str) -> bool:
    match = re.search(r"[^\W\d_]", text)
    return bool(match and match.start() <= 2 and match.group().islower())


def make_item(piece: str, offset: int, bullet: bool, bullets: bool) -> Item | None:
    """One paragraph of a cell, without its dash bullet and form header phrase; None if empty."""
    text = piece.lstrip()
    offset += len(piece) - len(text)
    if bullets and (dash := DASH_BULLET.match(text)):
        text, offset, bullet = text[dash.end() :], offset + dash.end(), True
    item = strip_header(Item(text, offset, bullet))
    text = item.text.lstrip()
    if not collapse(text):
        return None
    return Item(collapse(text), item.offset + len(item.text) - len(text), bullet)


def cell_items(cell: str, offset: int, bullets: bool) -> list[Item]:
    """Paragraphs of a cell (split at HTML tags and, for goal cells, at bullets)."""
    splitter = re.compile(f"{TAG.pattern}|{BULLET.pattern}") if bullets else TAG
    items, position, bullet = [], 0, False
    for match in [*splitter.finditer(cell), None]:
        end = match.start() if match else len(cell)
        if item := make_item(cell[position:end], offset + position, bullet, bullets):
            items.append(item)
            bullet = False
        if match:
            bullet = bullet or bool(BULLET.fullmatch(match.group()))
            position = match.end()
    return items


def split_glued(item: Item) -> list[Item]:
    parts, start = [], 0
    for match in [*GLUED_SENTENCE.finditer(item.text), None]:
        end = match.start() if match else len(item.text)
        parts.append(Item(item.text[start:end].strip(), item.offset + start, item.bullet))
        start = end
    return [p for p in parts if p.text]


def goal_cell_goals(items: list[Item], level: str) -> tuple[list[Goal], str, bool]:
    """Goals of a goal cell, the level after it, and whether its first item is a fragment."""
    goals: list[Goal] = []
    fragment = bool(items) and not items[0].bullet and starts_lower(items[0].text)
    for item in items:
        if found := match_level(item.text):
            level, rest, shift = found
            if not rest.strip():
                continue
            item = Item(rest.strip(), item.offset + shift, item.bullet)
        goals.extend(Goal(p.text, p.offset, level) for p in split_glued(item))
    if len(goals) > 1:
        for goal in goals:
            goal.split = True
    return goals, level, fragment


def split_cells(line: str, offset: int) -> tuple[tuple[str, int], tuple[str, int], tuple[str, int]]:
    """(goal, answer, outcome) cells with offsets; a two-cell row's second cell is the answer
    only when it reads as one (report 2's continuation row has goal and outcome only)."""
    cells, position = [], 0
    for cell in line.split("\t"):
        cells.append((cell, offset + position))
        position += len(cell) + 1
    empty = ("", offset + len(line))
    if len(cells) == 1:
        return cells[0], empty, empty
    if len(cells) == 2:
        return (cells[0], cells[1], empty) if is_answer(cells[1][0]) else (cells[0], empty, cells[1])
    rest = cells[2:]
    return cells[0], cells[1], (" ".join(c for c, _ in rest), rest[0][1])


def join_items(first: Item, second: Item) -> Item:
    return Item(f"{first.text} {second.text}", first.offset, first.bullet)


def cut_sentence(item: Item) -> tuple[Item | None, Item | None]:
    """An outcome cut by a page break: (complete sentences, the unfinished last sentence)."""
    if ENDS_SENTENCE.search(item.text):
        return item, None
    ends = list(SENTENCE_END.finditer(item.text))
    if not ends:
        return None, item
    cut = ends[-1].end()
    return Item(item.text[:cut].strip(), item.offset), Item(item.text[cut:], item.offset + cut)


def merge(previous: Row, row: Row) -> None:
    """Fold a continuation row into the row it continues.

    Its first goal item is joined to the last goal. Its answer and outcome cells count as
    the fragment's own when they hold one item per goal item (report 5's `Nej`): appended
    as that goal's own cell, the unfinished last sentence of the outcome before it moving
    along; or, when the previous row already had one item per goal, joined to that item
    (report 4's outcome "…deltagarna har" + "fortsatt varit inskrivna…"). Otherwise its
    items are for its new goals (report 4's five `JA`). A row with no goal continues the
    last answer and outcome (report 4's "medverkande parter genom projekttiden.")."""
    if row.fragment and previous.goals:
        last = previous.goals[-1]
        last.text, last.joined = f"{last.text} {row.goals[0].text}", True
        for column in ("answers", "outcomes"):
            mine, theirs = getattr(previous, column), list(getattr(row, column))
            if theirs and len(theirs) == len(row.goals):  # the fragment brings its own cell
                own = theirs.pop(0)
                if mine and len(mine) == len(previous.goals):  # the cell itself continues
                    mine[-1] = join_items(mine[-1], own)
                elif mine:
                    head, tail = cut_sentence(mine[-1]) if column == "outcomes" else (mine[-1], None)
                    mine[-1:] = [head] if head else []
                    mine.append(join_items(tail, own) if tail else own)
                else:
                    mine.append(own)
            mine.extend(theirs)
        previous.goals.extend(row.goals[1:])
        return
    for column in ("answers", "outcomes"):
        mine, theirs = getattr(previous, column), getattr(row, column)
        if mine and theirs:
            mine[-1] = join_items(mine[-1], theirs[0])
            mine.extend(theirs[1:])
        else:
            mine.extend(theirs)


def table_lines(text: str) -> list[tuple[str, int]]:
    """Content lines of the table with their offsets: no blank lines (page breaks), no
    markdown separator rows (`---\t---\t---`, which follow the first row of each table)."""
    lines, offset = [], 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        cells = line.split("\t")
        if line.strip(" \t\f\r") and not all(SEPARATOR_CELL.match(c) or not c.strip() for c in cells):
            lines.append((line, start))
    return lines


def table_rows(text: str) -> list[Row]:
    """Rows of the goal table, continuation rows folded into the row they continue. A row
    continues the one before when its goal cell starts in lower case (a goal cut by a page
    break, report 2, 4 and 5) or is empty (report 4's last outcome)."""
    rows: list[Row] = []
    level = "unknown"
    for line, offset in table_lines(text):
        goal, answer, outcome = split_cells(line, offset)
        goals, level, fragment = goal_cell_goals(cell_items(*goal, bullets=True), level)
        row = Row(goals, cell_items(*answer, bullets=False), cell_items(*outcome, bullets=False), fragment)
        if rows and (fragment or not goals):
            merge(rows[-1], row)
        elif goals:
            rows.append(row)
    return rows


def align(items: list[Item], count: int) -> tuple[list[str | None], bool]:
    """One cell text per goal: one-to-one when the counts agree, else the whole cell shared."""
    if not items:
        return [None] * count, False
    if len(items) == count:
        return [i.text for i in items], False
    return [" ".join(i.text for i in items)] * count, count > 1


def rows_to_goals(rows: list[Row], doc_id: str, project_id: str | None, page_at, start: int = 1):
    goals, warnings = [], []
    for row in rows:
        answers, shared_answer = align(row.answers, len(row.goals))
        outcomes, shared_outcome = align(row.outcomes, len(row.goals))
        ids = []
        for goal, answer, outcome in zip(row.goals, answers, outcomes, strict=True):
            goal_id = f"{doc_id}-g{start + len(goals)}"
            ids.append(goal_id)
            achieved, raw = read_achieved(answer)
            confidence = CONFIDENCE_CLEAN
            if goal.split or goal.joined or shared_answer or shared_outcome:
                confidence = CONFIDENCE_SHARED
            if raw is not None and achieved is None:
                confidence = CONFIDENCE_UNCLEAR
                warnings.append(f"{goal_id}: answer {raw!r} is not read as yes, no or partly")
            if goal.joined:
                warnings.append(f"{goal_id}: goal text continues in the next table row (page break); joined")
            goals.append(
                GoalRow(
                    doc_id=doc_id,
                    goal_id=goal_id,
                    project_id=project_id,
                    level=goal.level,
                    goal=goal.text,
                    achieved=achieved,
                    achieved_raw=raw,
                    outcome=outcome,
                    page=page_at(goal.offset),
                    confidence=confidence,
                )
            )
        if shared_answer or shared_outcome:
            shared = " and ".join(n for n, s in (("answer", shared_answer), ("outcome", shared_outcome)) if s)
            warnings.append(f"goals {ids[0]}..{ids[-1]} share one {shared} cell")
    return goals, warnings
