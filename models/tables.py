"""One pydantic model per dataset table (see CONTRACT.md).

These models are the single source of truth for the parquet schemas: the export stage
derives each file's arrow schema from the model's field types (models/schema.py), so a
column is added or renamed here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocType = Literal[
    "slutrapport",
    "delarsrapport",
    "verksamhetsplan",
    "protokoll",
    "ansokan",
    "statusrapport",
    "redovisning",
    "unknown",
]
TextSource = Literal["text", "pdf_text", "ocr", "mixed", "docx"]
Status = Literal["ok", "partial", "failed"]
AmountKind = Literal["granted", "applied", "allocated", "budget"]
GoalLevel = Literal["overall", "sub", "unknown"]
Achieved = Literal["yes", "no", "partly"]
CostCategory = Literal[
    "activities",
    "external_services",
    "personnel",
    "premises",
    "material",
    "travel",
    "other",
    "total",
    "income",
    "result",
    "unknown",
]
CostKind = Literal["budget", "outcome", "forecast", "plan"]
PartyRole = Literal["owner", "co_applicant", "federation", "signatory", "contact", "member"]


class Row(BaseModel):
    """Base of every table row: strict field names, nothing extra slips in."""

    model_config = ConfigDict(extra="forbid")


class DocumentRow(Row):
    doc_id: str = Field(
        description="sha256 of the file (16 hex digits) and the part: stable across runs; a byte-identical "
        "copy later in the batch gets `~` and 8 hex digits of its path's hash, so doc_id stays unique"
    )
    source_file: str = Field(description="path of the source file as given to convert")
    source_sha256: str | None = Field(description="sha256 of the file's bytes; null if unreadable")
    part: int = Field(description="0-based index of this report within its file")
    doc_type: DocType
    template_score: float = Field(description="0-1, how well the text fits the chosen template")
    title: str | None
    organisation: str | None = Field(description="the förbund or issuing body")
    project_name: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    granted_sek: int | None
    page_count: int
    text_source: TextSource | None
    ocr_confidence: float | None = Field(description="0-1 mean OCR word confidence; null if no OCR")
    corrections: int = Field(description="number of changes the cleaner made")
    status: Status
    warnings: list[str]
    error: str | None = Field(description="why the document failed; null unless failed")


class SectionRow(Row):
    doc_id: str
    section_id: str
    number: str | None = Field(description="heading number as written, e.g. 4.1")
    heading: str
    key: str = Field(description="canonical key from the template, e.g. goals, costs")
    level: int
    page: int | None
    start: int = Field(description="offset in the file's corrected text (finsam clean)")
    end: int
    text: str
    score: float = Field(description="0-1 match score of the heading against the template")


class ProjectRow(Row):
    doc_id: str
    project_id: str
    name: str
    owner: str | None
    co_applicants: list[str]
    amount_sek: int | None
    amount_kind: AmountKind | None
    period_start: dt.date | None
    period_end: dt.date | None
    page: int | None
    confidence: float


class GoalRow(Row):
    doc_id: str
    goal_id: str
    project_id: str | None
    level: GoalLevel
    goal: str
    achieved: Achieved | None
    achieved_raw: str | None
    outcome: str | None
    page: int | None
    confidence: float


class CostRow(Row):
    doc_id: str
    project_id: str | None
    table: str = Field(description="which table in the document, e.g. costs-1")
    label: str = Field(description="row label as written")
    category: CostCategory
    kind: CostKind
    year: int | None
    amount_sek: int | None = Field(description="null when the amount could not be read safely")
    amount_raw: str = Field(description="the cell as read")
    page: int | None
    confidence: float


class PartyRow(Row):
    doc_id: str
    role: PartyRole
    organisation: str | None = Field(
        description="normalised to the gazetteer (extract/data/organisations.tsv) when it names one "
        "listed body, else as written"
    )
    organisation_raw: str | None = Field(
        description="the organisation as written, when it differs from `organisation`; else null"
    )
    person: str | None
    email: str | None
    page: int | None
    confidence: float = Field(
        description="0-1: 1 as listed, 0.9 a listed body written otherwise, 0.8 an OCR-damaged "
        "name matched, 0.7 an organisation not in the gazetteer kept as written"
    )


class DecisionRow(Row):
    doc_id: str
    paragraph: str
    title: str | None
    decision: str | None
    amount_sek: int | None
    recipient: str | None
    page: int | None


class CorrectionRow(Row):
    doc_id: str
    page: int | None
    start: int = Field(description="offset in the file's raw text (finsam text)")
    end: int
    original: str
    corrected: str
    rule: str = Field(description="which rule made the change, e.g. token_fix")
    confidence: float


# File name -> row model, in the order the tables are written and summarised.
TABLES: dict[str, type[Row]] = {
    "documents": DocumentRow,
    "sections": SectionRow,
    "projects": ProjectRow,
    "goals": GoalRow,
    "costs": CostRow,
    "parties": PartyRow,
    "decisions": DecisionRow,
    "corrections": CorrectionRow,
}
