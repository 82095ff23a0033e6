"""Cost tables: the slutrapport's Kostnadsslag/Budget/Utfall table into long-form rows.

A table starts at its header row (tab-separated, first cell `Kostnadsslag` or the form's
own misspelling `Kostnadslag`) and ends at its Summa row or the next numbered heading.
Page furniture between rows (a letterhead where the table breaks across pages) is
skipped. Each amount becomes one row, kept as read in `amount_raw`; an amount that
cannot be read safely has a null value, low confidence and a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.tables import CostRow
from pipeline.extract.amounts import parse_amount

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "cost_categories.tsv"
HEADER = re.compile(r"^[ \t]*Kostna\w*slag[ \t]*\t(?P<columns>.+)$", re.IGNORECASE | re.MULTILINE)
COLUMN_KINDS = {"budget": "budget", "utfall": "outcome", "prognos": "forecast", "plan": "plan"}
NUMBERED_HEADING = re.compile(r"^\s*\d{1,2}\.\s+\S")
# Non-table lines tolerated inside a table (a letterhead at a page break is two lines).
MAX_FURNITURE_LINES = 3
CONFIDENCE_READ = 1.0
CONFIDENCE_DOUBTFUL = 0.3


@dataclass(frozen=True)
class CostLine:
    label: str
    cells: tuple[str, ...]
    offset: int  # of the line, relative to the searched text


@dataclass(frozen=True)
class CostTable:
    kinds: tuple[str | None, ...]
    lines: tuple[CostLine, ...]
    offset: int

    def signature(self) -> tuple:
        return tuple((line.label, line.cells) for line in self.lines)


@lru_cache(maxsize=1)
def load_categories(path: Path = CATEGORIES_FILE) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, synonym = line.split("\t")[:2]
            pairs.append((category.strip(), synonym.strip().lower()))
    return tuple(pairs)


def label_category(label: str) -> str:
    normal = re.sub(r"^[\W\d_]+", "", label).lower()
    for category, synonym in load_categories():
        if normal.startswith(synonym):
            return category
    return "unknown"


def header_kinds(columns: str) -> tuple[str | None, ...]:
    return tuple(COLUMN_KINDS.get(cell.strip().lower()) for cell in columns.split("\t"))


def read_table(text: str, header: re.Match[str]) -> CostTable:
    lines: list[CostLine] = []
    furniture = 0
    offset = header.end() + 1
    for raw in text[offset:].split("\n"):
        line_offset, offset = offset, offset + len(raw) + 1
        if "\t" in raw:
            cells = raw.split("\t")
            label = cells[0].strip()
            lines.append(CostLine(label, tuple(c.strip() for c in cells[1:]), line_offset))
            furniture = 0
            if label_category(label) == "total":
                break
        elif NUMBERED_HEADING.match(raw):
            break
        elif raw.strip():
            furniture += 1
            if furniture > MAX_FURNITURE_LINES:
                break
    return CostTable(header_kinds(header.group("columns")), tuple(lines), header.start())


def find_tables(text: str) -> list[CostTable]:
    return [read_table(text, header) for header in HEADER.finditer(text)]


def table_to_costs(
    table: CostTable, name: str, doc_id: str, project_id: str | None, page_at
) -> tuple[list[CostRow], list[str]]:
    """Long-form rows, one per amount, and warnings for doubtful amounts and sums."""
    rows, warnings = [], []
    for line in table.lines:
        category = label_category(line.label)
        for kind, cell in zip(table.kinds, line.cells, strict=False):
            amount = parse_amount(cell) if kind else None
            if amount is None:
                continue
            if amount.doubtful:
                warnings.append(f"{name}: doubtful amount {cell!r} for {line.label!r}: {amount.warning}")
            rows.append(
                CostRow(
                    doc_id=doc_id,
                    project_id=project_id,
                    table=name,
                    label=line.label,
                    category=category,
                    kind=kind,
                    year=None,
                    amount_sek=amount.value,
                    amount_raw=amount.raw,
                    page=page_at(line.offset),
                    confidence=CONFIDENCE_DOUBTFUL if amount.doubtful else CONFIDENCE_READ,
                )
            )
    return rows, warnings + check_sums(rows, name)


def check_sums(rows: list[CostRow], name: str) -> list[str]:
    """Warn where a column's lines do not add up to its Summa row."""
    warnings = []
    for kind in sorted({r.kind for r in rows}):
        column = [r for r in rows if r.kind == kind and r.amount_sek is not None]
        totals = [r.amount_sek for r in column if r.category == "total"]
        parts = [r.amount_sek for r in column if r.category != "total"]
        if not totals:
            continue
        if not parts:
            warnings.append(f"{name}: {kind} Summa {totals[0]} has no line amounts")
        elif sum(parts) != totals[0]:
            warnings.append(f"{name}: {kind} lines sum to {sum(parts)}, Summa says {totals[0]}")
    return warnings
