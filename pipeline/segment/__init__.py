"""Segment stage: split multi-report files, classify each report, find its sections.

`split` runs once per file and returns one Document per report (part 0..n), cut where a
template's `starts` line opens a new report. `run` then classifies a part by its best
template score (below MIN_TEMPLATE_SCORE it stays `unknown`, never a forced guess) and
records its sections with file-level offsets in the corrected text.
"""

from __future__ import annotations

from models.document import Document, Section
from pipeline.options import Options
from pipeline.segment.matcher import HeadingMatch, find_headings, template_score
from pipeline.segment.templates import Template, load_templates

# A part scoring below this against every template is typed `unknown`. The five
# slutrapporter of the samples score 0.69-1.0 (the one missing pages lowest); the other
# sample reports score under 0.2 against the slutrapport template.
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


def to_sections(doc: Document, matches: list[HeadingMatch]) -> list[Section]:
    sections = []
    ends = [m.start for m in matches[1:]] + [len(doc.part_text)]
    for match, end in zip(matches, ends, strict=True):
        start = doc.start + match.start
        sections.append(
            Section(
                number=match.heading.number,
                heading=match.text,
                key=match.heading.key,
                level=match.heading.level,
                start=start,
                end=doc.start + end,
                body_start=doc.start + match.end,
                score=round(match.score, 3),
                page=doc.page_at(start),
            )
        )
    return sections


def title_of(text: str) -> str | None:
    """The first non-blank line, when it is short enough to be a title (not a paragraph)."""
    for line in text.splitlines():
        line = line.strip(" \t#*")
        if line:
            return line if len(line) <= TITLE_MAX_CHARS else None
    return None


def run(doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    text = doc.part_text
    doc.title = title_of(text)
    best: tuple[float, Template, list[HeadingMatch], list[str]] | None = None
    for template in load_templates():
        matches, warnings = find_headings(text, template)
        score = template_score(matches, text, template)
        if best is None or score > best[0]:
            best = (score, template, matches, warnings)
    if best is None or best[0] < MIN_TEMPLATE_SCORE:
        doc.template_score = best[0] if best else 0.0
        return doc
    score, template, matches, warnings = best
    doc.doc_type = template.type
    doc.template_score = score
    doc.sections = to_sections(doc, matches)
    found = {m.heading.key for m in matches}
    missing = [f"{h.number} {h.text}" for h in template.headings if h.required and h.key not in found]
    if missing:
        warnings.append("missing required sections: " + "; ".join(missing))
    doc.warnings.extend(warnings)
    return doc
