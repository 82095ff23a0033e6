"""The review queue: what the machine was least sure of, with where to find it in the source.

Three lists, each sorted least sure first and capped at REVIEW_LIMIT rows (the rest are
counted, and all of them are in the parquet files):

- corrections the OCR cleaner made with a confidence below CORRECTION_THRESHOLD, as
  original → corrected, with the corrected sentence around it from sections.parquet;
- records read with a confidence below RECORD_THRESHOLD, or kept as read because the value
  could not be read safely (a cost amount, a goal's Ja/Nej answer): as written → as read;
- document warnings, sorted into kinds (missing sections, sums that do not add up, ...).

Pages come from the rows themselves; for a warning, from its `page N:` prefix or from the
goal or cost table it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

# Corrections below this confidence are listed. On the samples about 3 % of the 2,000
# corrections fall below it: the confusion-channel guesses whose best rival reading was
# nearly as likely, and real-word swaps (`al` → `är`). Above it they are mostly sure fixes.
CORRECTION_THRESHOLD = 0.7
# Records below this are listed: goals read from OCR'd paragraphs without cell borders get
# 0.6, ambiguous Ja/Nej cells 0.5, estimated owners 0.6; a plain table cell is 0.8-1.0.
RECORD_THRESHOLD = 0.7
# Rows shown per list; the page must stay quick to open with thousands of corrections.
REVIEW_LIMIT = 100
# Characters of corrected text shown on each side of a correction.
CONTEXT_CHARS = 45

# Kinds of warning, by what the stages write (first match wins); the order is the order
# the report shows them in. The texts come from pipeline/segment and pipeline/extract.
WARNING_KINDS: tuple[tuple[str, str, re.Pattern], ...] = (
    (
        "missing_sections",
        "Missing sections: required headings of the report type not found",
        re.compile(r"^missing required sections: "),
    ),
    (
        "sum_mismatch",
        "Sum mismatches: a cost table's lines do not add up to its Summa",
        re.compile(r"lines sum to .*Summa says|Summa -?\d+ has no line amounts"),
    ),
    (
        "doubtful_amount",
        "Values not read safely (amounts, dates, e-mail addresses): kept as read",
        re.compile(r"doubtful amount|not readable|several amounts|period|dates in|dash read as minus"),
    ),
    (
        "ocr_damage",
        "Names damaged by OCR",
        re.compile(r"damaged by OCR|read as '.*', taken as known|title found by the text after it"),
    ),
    (
        "goals",
        "Goal tables read with doubt",
        re.compile(r"goal|answer '"),
    ),
    (
        "duplicates",
        "Repeated pages and headings (ignored)",
        re.compile(r"repeats page|repeated heading"),
    ),
    ("other", "Other warnings", re.compile(r"")),
)
WHITESPACE = re.compile(r"\s+")
PAGE_PREFIX = re.compile(r"^page (\d+): ")
RECORD_PREFIX = re.compile(r"^(?P<id>[0-9a-f]{16}-\d+-g\d+|costs-\d+): ")


@dataclass
class Queue:
    """One list of the review queue: the rows shown and how many were left out."""

    rows: list[dict] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def capped(rows: list[dict]) -> Queue:
    return Queue(rows[:REVIEW_LIMIT], len(rows))


def warning_kind(text: str) -> str:
    return next(kind for kind, _, pattern in WARNING_KINDS if pattern.search(text))


def clean_offsets(corrections: pd.DataFrame) -> pd.Series:
    """Each correction's offset in the corrected text: its raw offset plus the growth of
    every earlier change in the same file (the parts of one file share its offsets)."""
    frame = corrections.assign(file=corrections.doc_id.str.rsplit("-", n=1).str[0])
    frame = frame.assign(growth=frame.corrected.str.len() - frame.original.str.len())
    frame = frame.sort_values(["file", "start"], kind="stable")
    before = frame.groupby("file").growth.cumsum() - frame.growth
    return (frame.start + before).reindex(corrections.index)


def context_in(text: str, word: str, estimate: int) -> tuple[str, str, str] | None:
    """(before, word, after) around the occurrence of `word` in `text` nearest `estimate`."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    found = [m.start() for m in pattern.finditer(text)]
    if not word.strip() or not found:
        return None
    at = min(found, key=lambda start: abs(start - estimate))
    before = text[max(at - CONTEXT_CHARS, 0) : at]
    after = text[at + len(word) : at + len(word) + CONTEXT_CHARS]
    before, after = WHITESPACE.sub(" ", before), WHITESPACE.sub(" ", after)
    # Cut at a space, so the context starts and ends with whole words.
    before = ("…" + before.split(" ", 1)[-1]) if at > CONTEXT_CHARS and " " in before else before
    cut_after = at + len(word) + CONTEXT_CHARS < len(text)
    after = (after.rsplit(" ", 1)[0] + "…") if cut_after and " " in after.strip() else after
    return before, word, after


def section_context(sections: pd.DataFrame, offset: int, word: str) -> dict:
    """The section holding a corrected-text offset, and the corrected word in its text.

    A section's text leaves out its heading and the page furniture, so the place is
    estimated by proportion and the nearest occurrence of the corrected word is taken."""
    holding = sections[(sections.start <= offset) & (offset < sections.end)]
    if holding.empty:
        return {"section": None, "context": None}
    section = holding.iloc[-1]
    text = section.text or ""
    span = max(int(section.end - section.start), 1)
    estimate = int((offset - section.start) * len(text) / span)
    heading = " ".join(str(part) for part in (section.number, section.heading) if part and pd.notna(part))
    return {"section": heading, "context": context_in(text, word, estimate)}


def correction_queue(corrections: pd.DataFrame, sections: pd.DataFrame, labels: dict[str, str]) -> Queue:
    """Corrections below CORRECTION_THRESHOLD, least sure first, with their context."""
    if corrections.empty:
        return Queue()
    offsets = clean_offsets(corrections)
    doubtful = corrections[corrections.confidence < CORRECTION_THRESHOLD]
    doubtful = doubtful.sort_values(["confidence", "doc_id", "start"], kind="stable")
    by_doc = dict(tuple(sections.groupby("doc_id"))) if not sections.empty else {}
    rows = []
    for index, row in doubtful.head(REVIEW_LIMIT).iterrows():
        place = section_context(by_doc.get(row.doc_id, sections.iloc[0:0]), offsets[index], row.corrected)
        rows.append(
            {
                "doc_id": row.doc_id,
                "document": labels.get(row.doc_id, row.doc_id),
                "page": page_text(row.page),
                "offset": int(row.start),
                "original": row.original,
                "corrected": row.corrected,
                "rule": row.rule,
                "confidence": float(row.confidence),
                **place,
            }
        )
    return Queue(rows, len(doubtful))


def page_text(page) -> str:
    return "" if page is None or pd.isna(page) else str(int(page))


def amount_text(value) -> str:
    """Integer SEK with spaces between thousands, as Swedish reports print them."""
    if value is None or pd.isna(value):
        return ""
    return f"{int(value):,}".replace(",", "\u202f")


def record_queue(goals: pd.DataFrame, costs: pd.DataFrame, projects: pd.DataFrame, labels) -> Queue:
    """Goals, cost amounts and projects read with little confidence or kept as read."""
    rows = []
    for row in goals.itertuples():
        unread = pd.notna(row.achieved_raw) and pd.isna(row.achieved)
        if row.confidence < RECORD_THRESHOLD or unread:
            achieved = row.achieved if pd.notna(row.achieved) else "not read"
            written = row.achieved_raw if pd.notna(row.achieved_raw) else "(no answer)"
            rows.append(
                record(
                    row, "goal", row.goal, f"achieved: {written}", f"achieved = {achieved}", unread, labels
                )
            )
    for row in costs.itertuples():
        unread = pd.isna(row.amount_sek)
        if row.confidence < RECORD_THRESHOLD or unread:
            year = f" {int(row.year)}" if pd.notna(row.year) else ""
            read = f"{row.category}, {row.kind}{year}: " + (amount_text(row.amount_sek) or "not read")
            rows.append(
                record(row, "cost", f"{row.table}: {row.label}", row.amount_raw, read, unread, labels)
            )
    for row in projects.itertuples():
        if row.confidence < RECORD_THRESHOLD:
            kind = f" ({row.amount_kind})" if pd.notna(row.amount_kind) else ""
            owner = row.owner if pd.notna(row.owner) else "?"
            read = f"owner {owner}; {amount_text(row.amount_sek) or '?'}{kind}"
            rows.append(record(row, "project", row.name, row.name, read, False, labels))
    rows.sort(key=lambda r: (r["confidence"], r["document"]))
    return capped(rows)


def record(row, what: str, subject: str, written: str, read: str, unread: bool, labels) -> dict:
    return {
        "doc_id": row.doc_id,
        "document": labels.get(row.doc_id, row.doc_id),
        "page": page_text(row.page),
        "what": what,
        "subject": subject,
        "written": written,
        "read": read,
        "confidence": float(row.confidence),
        "reason": "kept as read" if unread else "low confidence",
    }


def warning_page(doc_id: str, text: str, goals: pd.DataFrame, costs: pd.DataFrame) -> str:
    if match := PAGE_PREFIX.match(text):
        return match.group(1)
    if match := RECORD_PREFIX.match(text):
        name = match.group("id")
        rows = (
            goals[goals.goal_id == name]
            if "-g" in name
            else costs[(costs.doc_id == doc_id) & (costs.table == name)]
        )
        if not rows.empty:
            return page_text(rows.page.iloc[0])
    return ""


def warning_groups(documents: pd.DataFrame, goals: pd.DataFrame, costs: pd.DataFrame, labels) -> list[dict]:
    """Every document warning, grouped by kind in WARNING_KINDS order (empty kinds left out)."""
    found: dict[str, list[dict]] = {kind: [] for kind, _, _ in WARNING_KINDS}
    for doc in documents.itertuples():
        for text in list(doc.warnings) if doc.warnings is not None else []:
            found[warning_kind(text)].append(
                {
                    "doc_id": doc.doc_id,
                    "document": labels.get(doc.doc_id, doc.doc_id),
                    "page": warning_page(doc.doc_id, text, goals, costs),
                    "text": text,
                }
            )
    return [
        {"kind": kind, "title": title, "queue": capped(found[kind])}
        for kind, title, _ in WARNING_KINDS
        if found[kind]
    ]
