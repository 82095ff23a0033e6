"""The objects that flow through the pipeline: Document, Page, Section, Correction.

One Document passes every stage and each stage fills its own part: ingest sets the raw
text and pages, clean the corrected text and corrections, segment the type and sections
(and splits a file holding several reports into parts), extract the records. A failed
stage sets `status`/`error` instead of raising, so one bad file never stops a batch.

Offsets: `raw_text` and `text` are always the whole file's raw and corrected text (what
`finsam text` and `finsam clean` print); a part of a multi-report file is the span
`start:end` of `text`. Keeping file-level offsets lets a reviewer find any record in the
output of those two commands.
"""

from __future__ import annotations

import bisect
import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from models.tables import (
    CostRow,
    DecisionRow,
    DocType,
    GoalRow,
    PartyRow,
    ProjectRow,
    Status,
    TextSource,
)


class Word(BaseModel):
    """A word as OCR saw it: text, confidence 0-1, and its box in pixels of the OCR image."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int


class Page(BaseModel):
    number: int = Field(description="1-based page number in the source file")
    start: int = Field(description="offset of the page in the raw text")
    end: int
    source: TextSource
    confidence: float | None = Field(default=None, description="mean OCR word confidence, 0-1")
    error: str | None = Field(default=None, description="why this page has no text")
    clean_start: int | None = Field(default=None, description="offset in the corrected text")
    words: list[Word] = Field(default=[], description="OCR words with boxes (OCR pages only)")
    tables: list[list[list[str]]] = Field(default=[], description="tables as rows of cells")
    seconds: float | None = Field(default=None, description="time spent reading the page")


class PageContent(BaseModel):
    """What a reader returns for one page, before pages are joined into the raw text."""

    text: str
    source: TextSource
    confidence: float | None = None
    error: str | None = None
    words: list[Word] = []
    tables: list[list[list[str]]] = []
    seconds: float | None = None


class Correction(BaseModel):
    start: int = Field(description="offset in the raw text")
    end: int
    original: str
    corrected: str
    rule: str
    confidence: float
    page: int | None = None
    clean_start: int | None = Field(default=None, description="offset in the corrected text")


class Section(BaseModel):
    number: str | None
    heading: str
    key: str
    level: int
    start: int = Field(description="offset of the heading in the corrected text")
    end: int
    body_start: int = Field(description="offset where the text after the heading begins")
    score: float
    page: int | None = None


class Document(BaseModel):
    model_config = ConfigDict(validate_assignment=False)

    source_file: str
    source_sha256: str | None = None
    part: int = 0
    raw_text: str = ""
    text: str = ""
    start: int = 0
    end: int | None = None
    pages: list[Page] = []
    text_source: TextSource | None = None
    ocr_confidence: float | None = None
    corrections: list[Correction] = []

    doc_type: DocType = "unknown"
    template_score: float = 0.0
    title: str | None = None
    organisation: str | None = None
    project_name: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    granted_sek: int | None = None
    sections: list[Section] = []
    # Spans of the corrected text that are not content: page furniture (page numbers,
    # letterheads) and duplicated pages. Later stages read `content_text`, where they are
    # blanked out, so offsets stay those of `text`.
    skipped: list[tuple[int, int]] = []

    projects: list[ProjectRow] = []
    goals: list[GoalRow] = []
    costs: list[CostRow] = []
    parties: list[PartyRow] = []
    decisions: list[DecisionRow] = []

    status: Status = "ok"
    warnings: list[str] = []
    error: str | None = None

    _content: tuple | None = PrivateAttr(default=None)

    @property
    def doc_id(self) -> str:
        return f"{(self.source_sha256 or 'unreadable')[:16]}-{self.part}"

    @property
    def span_end(self) -> int:
        return len(self.text) if self.end is None else self.end

    @property
    def part_text(self) -> str:
        """The corrected text of this document (one part of its file)."""
        return self.text[self.start : self.span_end]

    @property
    def content_text(self) -> str:
        """part_text with the skipped spans blanked (newlines kept), same length and offsets.

        Computed once per (span, skipped) and kept: extract and export read it per section."""
        key = (self.start, self.span_end, tuple(self.skipped))
        cached = self._content
        if cached is None or cached[0] != key or cached[1] is not self.text:
            cached = self._content = (key, self.text, self.blank_skipped())
        return cached[2]

    def blank_skipped(self) -> str:
        text = self.part_text
        if not self.skipped:
            return text
        chars = list(text)
        for start, end in self.skipped:
            for index in range(max(start - self.start, 0), min(end - self.start, len(chars))):
                if chars[index] != "\n":
                    chars[index] = " "
        return "".join(chars)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def fail(self, error: str) -> Document:
        self.status = "failed"
        self.error = error
        return self

    def page_at(self, clean_offset: int) -> int | None:
        """Page number holding an offset of the corrected text."""
        starts = [p.clean_start if p.clean_start is not None else p.start for p in self.pages]
        if not starts:
            return None
        index = bisect.bisect_right(starts, clean_offset) - 1
        return self.pages[max(index, 0)].number

    def page_span(self) -> list[Page]:
        """The pages this part covers."""
        first, last = self.page_at(self.start), self.page_at(max(self.span_end - 1, self.start))
        if first is None or last is None:
            return []
        return [p for p in self.pages if first <= p.number <= last]
