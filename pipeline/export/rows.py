"""Turn finished Documents into table rows (the models of models/tables.py).

A worker sends rows back as plain dicts (collect_rows); only the parent makes arrow tables
of them (parquet.py), so nothing here imports pyarrow.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.document import Document
from models.tables import TABLES, CorrectionRow, DocumentRow, SectionRow

# Table name -> its rows, as DatasetRow.model_dump() dicts.
Rows = dict[str, list[dict]]


def document_row(doc: Document) -> DocumentRow:
    return DocumentRow(
        doc_id=doc.doc_id,
        source_file=doc.source_file,
        source_sha256=doc.source_sha256,
        part=doc.part,
        doc_type=doc.doc_type,
        template_score=doc.template_score,
        title=doc.title,
        organisation=doc.organisation,
        project_name=doc.project_name,
        period_start=doc.period_start,
        period_end=doc.period_end,
        granted_sek=doc.granted_sek,
        page_count=len(doc.page_span()),
        text_source=doc.text_source,
        ocr_confidence=doc.ocr_confidence,
        corrections=len(doc.corrections),
        status=doc.status,
        warnings=doc.warnings,
        error=doc.error,
    )


def section_body(doc: Document, start: int, end: int) -> str:
    """A section's text without its page furniture and repeated pages (blank lines collapsed)."""
    body = doc.content_text[start - doc.start : end - doc.start]
    lines = [line.rstrip() for line in body.split("\n")]
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept).strip()


def section_rows(doc: Document) -> list[SectionRow]:
    return [
        SectionRow(
            doc_id=doc.doc_id,
            section_id=f"{doc.doc_id}-s{index}",
            number=section.number,
            heading=section.heading,
            key=section.key,
            level=section.level,
            page=section.page,
            start=section.start,
            end=section.end,
            text=section_body(doc, section.body_start, section.end),
            score=section.score,
        )
        for index, section in enumerate(doc.sections, start=1)
    ]


def correction_rows(doc: Document) -> list[CorrectionRow]:
    return [
        CorrectionRow(
            doc_id=doc.doc_id,
            page=c.page,
            start=c.start,
            end=c.end,
            original=c.original,
            corrected=c.corrected,
            rule=c.rule,
            confidence=c.confidence,
        )
        for c in doc.corrections
    ]


def table_rows(doc: Document) -> dict[str, list]:
    """Every table's rows for one document, keyed by table name (models.tables.TABLES)."""
    return {
        "documents": [document_row(doc)],
        "sections": section_rows(doc),
        "projects": doc.projects,
        "goals": doc.goals,
        "costs": doc.costs,
        "parties": doc.parties,
        "decisions": doc.decisions,
        "corrections": correction_rows(doc),
    }


def collect_rows(docs: Iterable[Document]) -> Rows:
    """Every table's rows of some Documents, as dicts."""
    tables: Rows = {name: [] for name in TABLES}
    for doc in docs:
        for name, rows in table_rows(doc).items():
            tables[name].extend(row.model_dump() for row in rows)
    return tables
