"""Cost rows: each amount of a cost or budget table (cost_tables.py) as one long-form row.

The label is kept as written and mapped to a category through the synonyms file
pipeline/extract/data/cost_categories.tsv; each amount is kept as read in `amount_raw`.
An amount that cannot be read safely has a null value, low confidence and a warning, and
every column is checked against its Summa row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from models.tables import CostRow
from pipeline.extract.amounts import parse_amount
from pipeline.extract.cost_tables import CostTable, find_tables
from pipeline.segment.matcher import fold

__all__ = ["find_tables", "table_to_costs", "check_sums", "label_category"]

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "cost_categories.tsv"
# Confidence of an amount read from a table: exactly as typed; fitted to its column from
# OCR'd text (the column is inferred from the order of the numbers); column unclear;
# the amount itself doubtful.
CONFIDENCE_READ = 1.0
CONFIDENCE_FITTED = 0.8
CONFIDENCE_UNCLEAR_COLUMN = 0.5
CONFIDENCE_DOUBTFUL = 0.3
HTML = re.compile(r"<[^>]{0,100}>")


@lru_cache(maxsize=1)
def load_categories(path: Path = CATEGORIES_FILE) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, synonym = line.split("\t")[:2]
            pairs.append((category.strip(), fold(synonym.strip())))
    return tuple(pairs)


def label_category(label: str) -> str:
    """Category of a row label; case and diacritics are ignored (OCR often drops å/ä/ö)."""
    normal = fold(re.sub(r"^[\W\d_]+", "", HTML.sub("", label)))
    for category, synonym in load_categories():
        if normal.startswith(synonym):
            return category
    return "unknown"


def row_confidence(exact: bool, doubtful: bool, tabbed: bool) -> float:
    if doubtful:
        return CONFIDENCE_DOUBTFUL
    if not exact:
        return CONFIDENCE_UNCLEAR_COLUMN
    return CONFIDENCE_READ if tabbed else CONFIDENCE_FITTED


def table_to_costs(
    table: CostTable, name: str, doc_id: str, project_id: str | None, page_at: Callable[[int], int | None]
) -> tuple[list[CostRow], list[str]]:
    """Long-form rows, one per amount, and warnings for doubtful amounts and sums."""
    rows, warnings = [], []
    # A table headed `Intäkter` lists its income by payer (`Försäkringskassan 1922 …`).
    header_category = label_category(table.header_label)
    for line in table.lines:
        category = label_category(line.label)
        if category == "unknown" and header_category == "income":
            category = "income"
        for (kind, year), cell in zip(table.columns, line.cells, strict=False):
            amount = parse_amount(cell, default_unit=table.unit) if kind else None
            if amount is None:
                continue
            if amount.doubtful:
                warnings.append(f"{name}: doubtful amount {cell!r} for {line.label!r}: {amount.warning}")
            if not line.exact:
                warnings.append(
                    f"{name}: the column of {cell!r} for {line.label!r} is uncertain (OCR'd table)"
                )
            rows.append(
                CostRow(
                    doc_id=doc_id, project_id=project_id, table=name, label=line.label,
                    category=category, kind=kind, year=year, amount_sek=amount.value,
                    amount_raw=amount.raw, page=page_at(line.offset),
                    confidence=row_confidence(line.exact, amount.doubtful, table.tabbed),
                )
            )  # fmt: skip
    return rows, warnings + check_sums(rows, name)


def check_sums(rows: list[CostRow], name: str) -> list[str]:
    """Warn where a column's lines do not add up to its Summa row.

    Only an explicit Summa/Totalt row is checked; an income total (`Summa intäkter`) is
    checked against the income lines, any other against the cost lines.
    """
    warnings = []
    for kind, year in sorted({(r.kind, r.year) for r in rows}, key=str):
        column = [r for r in rows if (r.kind, r.year) == (kind, year) and r.amount_sek is not None]
        totals = [
            r for r in column if r.category == "total" and fold(r.label).startswith(("summa", "totalt"))
        ]
        if not totals:
            continue
        income = "intakt" in fold(totals[0].label)
        parts = [
            r.amount_sek
            for r in column
            if (r.category == "income") == income and r.category not in ("total", "result")
        ]
        total, where = totals[0].amount_sek, f"{kind} {year}" if year else kind
        if not parts and total != 0:
            warnings.append(f"{name}: {where} Summa {total} has no line amounts")
        elif parts and sum(parts) != total:
            warnings.append(f"{name}: {where} lines sum to {sum(parts)}, Summa says {total}")
    return warnings
