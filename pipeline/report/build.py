"""DIR/report.html: the whole batch on one self-contained page, for archivists.

At the top the counts (documents by type and status, rows, what needs review), then the
plots (types and statuses, OCR confidence and corrections per document), the review queue
(review.py) and one collapsible entry per document with its metadata, warnings, cost table
and goals. Everything is read from DIR (dataset.py); the page loads nothing from outside
(no CDN, plots inlined as SVG, a Content-Security-Policy that forbids any request), so it
can be mailed, archived or opened offline. Text from the documents is escaped by jinja2.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import jinja2
import pandas as pd

from models.tables import TABLES
from pipeline import __version__
from pipeline.report import plots, review
from pipeline.report.dataset import Dataset, read_dataset

REPORT = "report.html"
TEMPLATES = Path(__file__).parent / "templates"
# Mean OCR word confidence below which a document's OCR is worth a look (Tesseract's word
# confidences on clean 300 dpi scans of the samples average 0.92-0.95).
OCR_THRESHOLD = 0.85
# Characters of a goal or outcome shown before "…" in a document's goal table.
GOAL_CHARS = 400
STATUSES = ("ok", "partial", "failed")


def write_report(directory: Path) -> Path:
    """Read the dataset in `directory` and write its report.html next to it (atomically)."""
    dataset = read_dataset(directory)
    html = render(dataset)
    target = directory / REPORT
    temporary = directory / f".{REPORT}.{os.getpid()}.new"
    try:
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def render(dataset: Dataset) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["amount"] = review.amount_text
    environment.filters["noun"] = noun
    environment.filters["confidence"] = confidence_text
    return environment.get_template("report.html.j2").render(context(dataset))


def confidence_text(value: float | None) -> str:
    """Two decimals, rounded down: 0.699 is shown as 0.69, as it is below a 0.70 threshold."""
    return "" if value is None or pd.isna(value) else f"{math.floor(value * 100) / 100:.2f}"


def noun(count: int, word: str) -> str:
    """`1 page`, `2 pages`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def context(dataset: Dataset) -> dict:
    documents = dataset["documents"]
    labels = document_labels(documents)
    corrections, sections = dataset["corrections"], dataset["sections"]
    goals, costs, projects = dataset["goals"], dataset["costs"], dataset["projects"]
    counts = type_status(documents)
    rates = correction_rates(documents, corrections, sections)
    ocr = documents[documents.ocr_confidence.notna()]
    return {
        "title": f"finsam report: {dataset.directory.name}",
        "directory": dataset.directory.name,
        "version": dataset.manifest.get("finsam_version", "?"),
        "report_version": __version__,
        "written": dataset.written.strftime("%Y-%m-%d %H:%M"),
        "inputs": dataset.manifest.get("inputs", []),
        "files": len(dataset.manifest.get("files", [])),
        "summary": summary(dataset, counts),
        "type_rows": [
            {"type": t, **{s: counts[t].get(s, 0) for s in STATUSES}, "total": sum(counts[t].values())}
            for t in sorted(counts)
        ],
        "statuses": STATUSES,
        "plots": {
            "types": plots.status_by_type(counts),
            "ocr": plots.ocr_confidence(
                [labels[d] for d in ocr.doc_id], list(ocr.ocr_confidence), OCR_THRESHOLD
            ),
            "corrections": plots.correction_rate(
                [labels[d] for d in documents.doc_id],
                list(rates.sure),
                list(rates.doubtful),
                review.CORRECTION_THRESHOLD,
            ),
        },
        "ocr_threshold": OCR_THRESHOLD,
        "ocr_documents": len(ocr),
        "plot_limit": plots.MAX_BARS,
        "correction_threshold": review.CORRECTION_THRESHOLD,
        "record_threshold": review.RECORD_THRESHOLD,
        "review_corrections": review.correction_queue(corrections, sections, labels),
        "review_records": review.record_queue(goals, costs, projects, labels),
        "failed": [
            {"doc_id": d.doc_id, "document": labels[d.doc_id], "error": text_or_empty(d.error)}
            for d in documents[documents.status == "failed"].itertuples()
        ],
        "warning_groups": review.warning_groups(documents, goals, costs, labels),
        "documents": document_views(dataset, labels, rates),
    }


def document_labels(documents: pd.DataFrame) -> dict[str, str]:
    """A short readable name per document: its file name, and its part when the file has several."""
    parts = Counter(documents.source_file)
    return {
        row.doc_id: Path(row.source_file).name + (f" · part {row.part}" if parts[row.source_file] > 1 else "")
        for row in documents.itertuples()
    }


def type_status(documents: pd.DataFrame) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for (doc_type, status), n in documents.groupby(["doc_type", "status"]).size().items():
        counts.setdefault(doc_type, {})[status] = int(n)
    return counts


def correction_rates(
    documents: pd.DataFrame, corrections: pd.DataFrame, sections: pd.DataFrame
) -> pd.DataFrame:
    """Per document (in documents order): corrections per 1,000 characters, sure and doubtful.

    Characters, not pages: a text file may be one "page" of 30,000 characters. They are
    those of the document's section texts (what a reader reads); a document without
    sections has no rate (NaN) and is not drawn."""
    doubtful = corrections.confidence < review.CORRECTION_THRESHOLD
    counts = pd.DataFrame({"doc_id": corrections.doc_id, "doubtful": doubtful, "sure": ~doubtful})
    counts = counts.groupby("doc_id")[["sure", "doubtful"]].sum()
    counts = counts.reindex(documents.doc_id, fill_value=0)
    characters = sections.text.fillna("").str.len().groupby(sections.doc_id).sum()
    thousands = (characters.reindex(documents.doc_id).fillna(0) / 1000).replace(0, float("nan")).to_numpy()
    return pd.DataFrame(
        {
            "sure_count": counts.sure.to_numpy(),
            "doubtful_count": counts.doubtful.to_numpy(),
            "sure": counts.sure.to_numpy() / thousands,
            "doubtful": counts.doubtful.to_numpy() / thousands,
        },
        index=documents.doc_id,
    )


def summary(dataset: Dataset, counts: dict[str, dict[str, int]]) -> dict:
    documents = dataset["documents"]
    statuses = Counter(documents.status)
    return {
        "documents": len(documents),
        "statuses": {s: statuses.get(s, 0) for s in STATUSES},
        "types": len(counts),
        "warned": int(sum(len(w) > 0 for w in documents.warnings if w is not None)),
        "warnings": int(sum(len(w) for w in documents.warnings if w is not None)),
        "pages": int(documents.page_count.sum()),
        "corrections": len(dataset["corrections"]),
        "rows": {name: len(dataset[name]) for name in TABLES},
    }


def text_or_empty(value) -> str:
    return "" if value is None or (not isinstance(value, list | tuple) and pd.isna(value)) else str(value)


def cut(text: str, limit: int = GOAL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cost_table(costs: pd.DataFrame) -> dict:
    """A document's costs as printed: a line per label, a column per kind (and year)."""
    columns: list[str] = []
    lines: dict[tuple, dict] = {}
    for row in costs.itertuples():
        column = row.kind + (f" {int(row.year)}" if pd.notna(row.year) else "")
        if column not in columns:
            columns.append(column)
        key = (row.table, row.label, row.category)
        line = lines.setdefault(
            key,
            {"table": row.table, "label": row.label, "category": row.category, "page": row.page, "cells": {}},
        )
        shown = review.amount_text(row.amount_sek) or f"? {row.amount_raw}"
        line["cells"][column] = {"text": shown, "doubt": pd.isna(row.amount_sek) or row.confidence < 0.7}
    rows = [{**line, "page": review.page_text(line["page"])} for line in lines.values()]
    return {"columns": columns, "rows": rows}


def goal_rows(goals: pd.DataFrame) -> list[dict]:
    return [
        {
            "level": row.level,
            "goal": cut(text_or_empty(row.goal)),
            "achieved": text_or_empty(row.achieved),
            "achieved_raw": text_or_empty(row.achieved_raw),
            "outcome": cut(text_or_empty(row.outcome)),
            "page": review.page_text(row.page),
            "confidence": float(row.confidence),
            "doubt": row.confidence < review.RECORD_THRESHOLD,
        }
        for row in goals.itertuples()
    ]


def period(start, end) -> str:
    start, end = text_or_empty(start), text_or_empty(end)
    return f"{start} – {end}" if start or end else ""


def document_views(dataset: Dataset, labels: dict[str, str], rates: pd.DataFrame) -> list[dict]:
    """What the report shows of each document, in dataset order."""
    grouped = {
        name: dict(tuple(dataset[name].groupby("doc_id", sort=False)))
        for name in ("sections", "projects", "goals", "costs", "parties", "decisions")
    }
    empty = {name: dataset[name].iloc[0:0] for name in grouped}

    def rows_of(name: str, doc_id: str) -> pd.DataFrame:
        return grouped[name].get(doc_id, empty[name])

    views = []
    # rates is in documents order; by position, as a dataset written before doc_ids were made
    # distinct may hold one twice (identical files)
    for doc, rate in zip(dataset["documents"].itertuples(), rates.itertuples(), strict=True):
        projects, decisions = rows_of("projects", doc.doc_id), rows_of("decisions", doc.doc_id)
        warnings = list(doc.warnings) if doc.warnings is not None else []
        views.append(
            {
                "doc_id": doc.doc_id,
                "label": labels[doc.doc_id],
                "source_file": doc.source_file,
                "part": int(doc.part),
                "doc_type": doc.doc_type,
                "template_score": float(doc.template_score),
                "status": doc.status,
                "error": text_or_empty(doc.error),
                "facts": [
                    (name, value)
                    for name, value in (
                        ("title", text_or_empty(doc.title)),
                        ("organisation", text_or_empty(doc.organisation)),
                        ("project", text_or_empty(doc.project_name)),
                        ("period", period(doc.period_start, doc.period_end)),
                        (
                            "granted",
                            f"{review.amount_text(doc.granted_sek)} SEK" if pd.notna(doc.granted_sek) else "",
                        ),
                        ("text source", text_or_empty(doc.text_source)),
                    )
                    if value
                ],
                "pages": int(doc.page_count),
                "text_source": text_or_empty(doc.text_source),
                "ocr_confidence": None if pd.isna(doc.ocr_confidence) else float(doc.ocr_confidence),
                "ocr_doubt": pd.notna(doc.ocr_confidence) and doc.ocr_confidence < OCR_THRESHOLD,
                "corrections": int(doc.corrections),
                "doubtful_corrections": int(rate.doubtful_count),
                "per_thousand": None if pd.isna(rate.sure) else float(rate.sure + rate.doubtful),
                "warnings": [
                    {
                        "kind": review.warning_kind(text),
                        "text": text,
                        "page": review.warning_page(doc.doc_id, text, dataset["goals"], dataset["costs"]),
                    }
                    for text in warnings
                ],
                "sections": [
                    {
                        "number": text_or_empty(s.number),
                        "heading": s.heading,
                        "key": s.key,
                        "level": int(s.level),
                        "page": review.page_text(s.page),
                    }
                    for s in rows_of("sections", doc.doc_id).itertuples()
                ],
                "costs": cost_table(rows_of("costs", doc.doc_id)),
                "goals": goal_rows(rows_of("goals", doc.doc_id)),
                "projects": [
                    {
                        "name": p.name,
                        "owner": text_or_empty(p.owner),
                        "amount": review.amount_text(p.amount_sek),
                        "kind": text_or_empty(p.amount_kind),
                        "period": period(p.period_start, p.period_end),
                        "page": review.page_text(p.page),
                    }
                    for p in projects.itertuples()
                ],
                "decisions": [
                    {
                        "paragraph": d.paragraph,
                        "title": text_or_empty(d.title),
                        "decision": cut(text_or_empty(d.decision)),
                        "amount": review.amount_text(d.amount_sek),
                        "recipient": text_or_empty(d.recipient),
                        "page": review.page_text(d.page),
                    }
                    for d in decisions.itertuples()
                ],
                "parties": len(rows_of("parties", doc.doc_id)),
            }
        )
    return views
