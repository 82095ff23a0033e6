"""Segment stage: split multi-report files, classify each report, find its sections.

`split` runs once per file and returns one Document per report (part 0..n), cut where a
template's `starts` line opens a new report. `run` then marks page furniture and
duplicated pages as skipped, classifies the part by its best template score (below
MIN_TEMPLATE_SCORE it stays `unknown`, never a forced guess) and records its sections with
file-level offsets in the corrected text, warning about missing required sections and
headings that are repeated or out of order.
"""

from __future__ import annotations

from models.document import Document, Section
from pipeline.options import Options
from pipeline.segment.furniture import duplicate_pages, furniture_spans
from pipeline.segment.matcher import HeadingMatch, find_headings, fold, prepare_lines, template_score
from pipeline.segment.templates import Template, load_templates

# A part scoring below this against every template is typed `unknown`. The sample reports
# score 0.69-1.0 against their own template (the slutrapport missing pages lowest) and
# under 0.35 against any other.
MIN_TEMPLATE_SCORE = 0.5
TITLE_MAX_CHARS = 120
RECORD_LISTS = ("sections", "projects", "goals", "costs", "parties", "decisions")


def split_points(text: str, templates: tuple[Template, ...]) -> list[int]:
    """Offsets where a report starts; always includes 0."""
    points = {0}
    for template in templates:
        if template.starts is not None:
            points.update(m.start() for m in template.starts.finditer(text))
    ordered = sorted(points)
    # Text before the first report start that is only blank is not a report of its own.
    if len(ordered) > 1 and not text[: ordered[1]].strip():
        ordered.pop(0)
    return ordered


def split(doc: Document, options: Options) -> list[Document]:
    if doc.failed:
        return [doc]
    points = split_points(doc.text, load_templates())
    if len(points) <= 1:
        return [doc]
    ends = points[1:] + [len(doc.text)]
    parts = []
    for index, (start, end) in enumerate(zip(points, ends, strict=True)):
        # model_copy is shallow: every list a later stage appends to must be the part's own.
        update = {"part": index, "start": start, "end": end, "warnings": list(doc.warnings)}
        update |= {name: [] for name in RECORD_LISTS}
        part = doc.model_copy(update=update)
        part.corrections = [c for c in doc.corrections if start <= (c.clean_start or 0) < end]
        parts.append(part)
    return parts


def page_spans(doc: Document) -> list[tuple[int, int, int]]:
    """(page number, start, end) of the pages within this part, offsets in the corrected text."""
    starts = [p.clean_start if p.clean_start is not None else p.start for p in doc.pages]
    ends = starts[1:] + [len(doc.text)]
    spans = []
    for page, start, end in zip(doc.pages, starts, ends, strict=True):
        start, end = max(start, doc.start), min(end, doc.span_end)
        if start < end:
            spans.append((page.number, start, end))
    return spans


def mark_skipped(doc: Document) -> None:
    """Blank out page furniture and duplicated pages (Document.skipped), warning of the latter."""
    spans = page_spans(doc)
    pages = [(start, end) for _number, start, end in spans]
    skipped = furniture_spans(doc.text, pages)
    for index, earlier in duplicate_pages(doc.text, pages):
        skipped.append(pages[index])
        doc.warnings.append(f"page {spans[index][0]} repeats page {spans[earlier][0]}; the repeat is ignored")
    doc.skipped = sorted(skipped)


def to_sections(doc: Document, matches: list[HeadingMatch]) -> list[Section]:
    sections = []
    ends = [m.start for m in matches[1:]] + [len(doc.part_text)]
    for match, end in zip(matches, ends, strict=True):
        start = doc.start + match.start
        sections.append(
            Section(
                number=match.number or match.heading.number,
                heading=match.text,
                key=match.heading.key,
                level=match.heading.level,
                start=start,
                end=doc.start + end,
                body_start=doc.start + match.end,
                score=match.score,
                page=doc.page_at(start),
            )
        )
    return sections


def title_of(text: str) -> str | None:
    """The first non-blank line, when it is short enough to be a title (not a paragraph)."""
    for line in text.splitlines():
        line = line.strip(" \t\f#*")
        if line:
            return line if len(line) <= TITLE_MAX_CHARS else None
    return None


def run(doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    mark_skipped(doc)
    text = doc.content_text
    doc.title = title_of(text)
    lines, folded = prepare_lines(text), fold(text)
    scored = []
    for template in load_templates():
        matches, left_out = find_headings(lines, template)
        scored.append((template_score(matches, folded, template), template, matches, left_out))
    score, template, matches, left_out = max(scored, key=lambda s: s[0])
    doc.template_score = score
    if score < MIN_TEMPLATE_SCORE:
        return doc
    doc.doc_type = template.type
    doc.sections = to_sections(doc, matches)
    for reason, match in left_out:
        page = doc.page_at(doc.start + match.start)
        doc.warnings.append(f"{reason} heading '{match.heading.label}' on page {page} ignored")
    found = {m.heading.key for m in matches}
    missing = [h.label for h in template.headings if h.required and h.key not in found]
    if missing:
        doc.warnings.append("missing required sections: " + "; ".join(dict.fromkeys(missing)))
    return doc
