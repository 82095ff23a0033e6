"""What `finsam inspect` and `finsam clean --diff` show in the terminal, as rich renderables.

One document reads top to bottom like the report's entry for it: a panel with its type,
template score, status and metadata; its sections as a tree by heading level; warnings;
its records as tables; the number of corrections by rule and the first few in context.
cli.py prints these (it is the only place that prints).
"""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from models.document import Document

# Characters of raw text shown on each side of a change.
DIFF_CONTEXT = 25
# Corrections `inspect` shows in context; `finsam clean --diff` shows them all.
INSPECT_CORRECTIONS = 10
STATUS_STYLES = {"ok": "green", "partial": "yellow", "failed": "bold red"}
# Columns shown per record table (the rest is in the parquet files).
RECORD_COLUMNS = {
    "projects": (
        "name",
        "owner",
        "co_applicants",
        "amount_sek",
        "amount_kind",
        "period_start",
        "period_end",
        "page",
    ),
    "goals": ("level", "goal", "achieved", "outcome", "page", "confidence"),
    "parties": ("role", "organisation", "person", "email", "page"),
    "decisions": ("paragraph", "title", "decision", "amount_sek", "recipient", "page"),
}
FACTS = ("title", "organisation", "project_name", "period_start", "period_end", "granted_sek")


def document_view(doc: Document) -> list[RenderableType]:
    """Everything `inspect` shows of one document, in reading order."""
    parts: list[RenderableType] = [header_panel(doc)]
    if not doc.failed:  # a failed file has no text, so no sections either
        parts.append(sections_tree(doc))
    if doc.warnings:
        parts.append(warnings_panel(doc))
    if doc.costs:
        parts.append(cost_table(doc))
    for name, columns in RECORD_COLUMNS.items():
        if rows := getattr(doc, name):
            parts.append(record_table(f"{name} ({len(rows)})", columns, [r.model_dump() for r in rows]))
    if doc.corrections:
        parts.append(corrections_table(doc, limit=INSPECT_CORRECTIONS))
    return parts


def header_panel(doc: Document) -> Panel:
    style = STATUS_STYLES.get(doc.status, "")
    title = (
        f"[bold]{doc.doc_id}[/bold] part {doc.part}: [bold]{doc.doc_type}[/bold] "
        f"(score {doc.template_score:.2f}), [{style}]{doc.status}[/{style}]"
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column(overflow="fold")
    facts.add_row("file", escape(doc.source_file))
    for name in FACTS:
        value = getattr(doc, name)
        if value is not None:
            shown = amount(value) + " SEK" if name == "granted_sek" else str(value)
            facts.add_row(name.replace("_", " "), escape(shown))
    pages = doc.page_span()
    reading = f"{len(pages)} pages, {doc.text_source or '?'}"
    if doc.ocr_confidence is not None:
        reading += f", OCR confidence {doc.ocr_confidence:.2f}"
    facts.add_row("read", reading)
    counts = " · ".join(
        f"{name} {len(getattr(doc, name))}"
        for name in ("sections", "projects", "goals", "costs", "parties", "decisions", "corrections")
    )
    facts.add_row("records", counts)
    content: list[RenderableType] = [facts]
    if doc.error:
        content.append(Text.from_markup(f"[bold red]error:[/bold red] {escape(doc.error)}"))
    return Panel(Group(*content), title=title, title_align="left", border_style=style or "blue", expand=False)


def sections_tree(doc: Document) -> Tree:
    """Sections nested by heading level, each with its canonical key, score and page."""
    tree = Tree(f"[bold]sections ({len(doc.sections)})[/bold]")
    branches: list[tuple[int, Tree]] = [(0, tree)]
    for s in doc.sections:
        while branches[-1][0] >= s.level:
            branches.pop()
        number = f"{escape(s.number)} " if s.number else ""
        where = f"[dim]→ {s.key}, score {s.score:.2f}, page {s.page}[/dim]"
        branches.append((s.level, branches[-1][1].add(f"{number}{escape(s.heading)} {where}")))
    return tree


def warnings_panel(doc: Document) -> Panel:
    lines = "\n".join(f"• {escape(w)}" for w in doc.warnings)
    return Panel(lines, title=f"warnings ({len(doc.warnings)})", title_align="left", border_style="yellow")


def amount(value: int | None) -> str:
    return f"{value:,}".replace(",", " ") if value is not None else ""


def cost_table(doc: Document) -> Table:
    """Costs as the report prints them: a line per label, a column per kind (budget, outcome)."""
    kinds = list(dict.fromkeys(c.kind + (f" {c.year}" if c.year else "") for c in doc.costs))
    lines: dict[tuple[str, str, str], dict[str, str]] = {}
    for c in doc.costs:
        shown = amount(c.amount_sek) if c.amount_sek is not None else f"? {c.amount_raw!r}"
        kind = c.kind + (f" {c.year}" if c.year else "")
        lines.setdefault((c.table, c.label, c.category), {"page": str(c.page)})[kind] = shown
    table = Table(title=f"costs ({len(doc.costs)} amounts)", title_justify="left")
    for column in ("table", "label", "category", *kinds, "page"):
        table.add_column(column, justify="right" if column in kinds else "left", overflow="fold")
    for (name, label, category), cells in lines.items():
        style = "bold" if category == "total" else None
        table.add_row(
            name, escape(label), category, *(cells.get(k, "") for k in kinds), cells["page"], style=style
        )
    return table


def record_table(title: str, columns: tuple[str, ...], rows: list[dict]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell_text(row[c])) for c in columns))
    return table


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def corrections_table(doc: Document, limit: int | None = None) -> Table:
    """The cleaner's changes with their place, rule, confidence and raw-text context.

    With a limit, the first `limit` changes and a caption counting the rules and the rest."""
    shown = doc.corrections if limit is None else doc.corrections[:limit]
    title = f"{len(doc.corrections)} corrections in {escape(doc.source_file)}"
    if limit is not None:
        title = f"corrections ({len(doc.corrections)})"
    table = Table(title=title, title_justify="left")
    for column in ("page", "offset", "rule", "confidence", "change in context"):
        table.add_column(column, overflow="fold")
    for c in shown:
        before = escape(doc.raw_text[max(c.start - DIFF_CONTEXT, 0) : c.start].replace("\n", " "))
        after = escape(doc.raw_text[c.end : c.end + DIFF_CONTEXT].replace("\n", " "))
        change = f"[red]{escape(c.original)}[/] → [green]{escape(c.corrected)}[/]"
        table.add_row(
            str(c.page), str(c.start), c.rule, f"{c.confidence:.2f}", f"…{before}⟨{change}⟩{after}…"
        )
    if limit is not None:
        rules = Counter(c.rule for c in doc.corrections)
        caption = "by rule: " + ", ".join(f"{rule} {n}" for rule, n in rules.most_common())
        if len(doc.corrections) > limit:
            caption += f"; the first {limit} shown, all: finsam clean --diff {escape(doc.source_file)}"
        table.caption, table.caption_justify = caption, "left"
    return table
