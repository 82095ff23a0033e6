"""Extract stage: records (projects, costs, parties, …) from a classified document.

Each record carries its provenance: the document, and the page it was read from. What
is read per document type lives in the modules beside this one; this module only picks
the sections and assembles the rows.
"""

from __future__ import annotations

from models.document import Document
from models.tables import ProjectRow
from pipeline.extract.commented_goals import commented_goals
from pipeline.extract.costs import find_tables, table_to_costs
from pipeline.extract.decisions import protokoll_decisions
from pipeline.extract.goals import slutrapport_goals
from pipeline.extract.insatser import delarsrapport_goals, delarsrapport_projects, verksamhetsplan_projects
from pipeline.extract.members import attendance_parties, member_parties, signature_parties
from pipeline.extract.organisations import canonical_federation
from pipeline.extract.parties import (
    applicant_parties,
    application_parties,
    email_parties,
    federation_party,
    signatory_parties,
)
from pipeline.extract.plan_goals import plan_goals
from pipeline.extract.projects import federation_name, slutrapport_fields
from pipeline.options import Options

# Confidence of a project read from the form's labelled fields in clean text.
FORM_FIELD_CONFIDENCE = 1.0


def section_text(doc: Document, key: str) -> tuple[str, int] | None:
    """Body of the first section with this key (furniture blanked), and its offset in the
    corrected text."""
    for section in doc.sections:
        if section.key == key:
            content = doc.content_text
            return content[section.body_start - doc.start : section.end - doc.start], section.body_start
    return None


def page_finder(doc: Document, base: int):
    """A function from an offset relative to `base` to the page number."""
    return lambda offset: doc.page_at(base + offset)


def extract_costs(doc: Document, project_id: str | None) -> None:
    seen: dict[tuple, int | None] = {}
    page_at = page_finder(doc, doc.start)
    for table in find_tables(doc.content_text):
        page = page_at(table.offset)
        signature = table.signature()
        if signature in seen:
            doc.warnings.append(
                f"duplicated cost table on page {page} (same as page {seen[signature]}) ignored"
            )
            continue
        seen[signature] = page
        rows, warnings = table_to_costs(table, f"costs-{len(seen)}", doc.doc_id, project_id, page_at)
        doc.costs.extend(rows)
        doc.warnings.extend(warnings)


def extract_slutrapport(doc: Document, federation: str | None) -> str | None:
    """Project, parties and signatories of a slutrapport; returns the project's id."""
    found = section_text(doc, "project")
    text, base = found if found else (doc.content_text, doc.start)
    fields = slutrapport_fields(text)
    doc.warnings.extend(fields.warnings)
    doc.project_name = fields.name
    doc.period_start, doc.period_end = fields.period_start, fields.period_end
    doc.granted_sek = fields.granted_sek

    if found := section_text(doc, "applicants"):
        parties, warnings = applicant_parties(found[0], doc.doc_id, page_finder(doc, found[1]), federation)
        doc.parties.extend(parties)
        doc.warnings.extend(warnings)
    # The project keeps its applicants as written; parties holds them normalised too.
    owner = next((p.organisation_raw or p.organisation for p in doc.parties if p.role == "owner"), None)
    co_applicants = [p.organisation_raw or p.organisation for p in doc.parties if p.role == "co_applicant"]

    project_id = None
    if fields.name:
        project_id = f"{doc.doc_id}-p1"
        doc.projects.append(
            ProjectRow(
                doc_id=doc.doc_id,
                project_id=project_id,
                name=fields.name,
                owner=owner,
                co_applicants=co_applicants,
                amount_sek=fields.granted_sek,
                amount_kind="granted" if fields.granted_sek is not None else None,
                period_start=fields.period_start,
                period_end=fields.period_end,
                page=doc.page_at(base + (fields.offset or 0)),
                confidence=FORM_FIELD_CONFIDENCE,
            )
        )
    else:
        doc.warnings.append("no project name (Insatsens namn) found")
    if found := section_text(doc, "signatures"):
        parties, warnings = signatory_parties(found[0], doc.doc_id, page_finder(doc, found[1]), federation)
        doc.parties.extend(parties)
        doc.warnings.extend(warnings)
    return project_id


def extract_goals(doc: Document, project_id: str | None) -> None:
    if found := section_text(doc, "goals"):
        goals, warnings = slutrapport_goals(found[0], doc.doc_id, project_id, page_finder(doc, found[1]))
        doc.goals.extend(goals)
        doc.warnings.extend(warnings)


def extract_insatser(doc: Document) -> None:
    """The insatser a delårsrapport or verksamhetsplan reports on, with their goals."""
    found = section_text(doc, "projects")
    if not found:
        return
    text, page_at = found[0], page_finder(doc, found[1])
    if doc.doc_type == "delarsrapport":
        projects, warnings = delarsrapport_projects(text, doc.doc_id, page_at)
        goals, goal_warnings = delarsrapport_goals(text, doc.doc_id, page_at)
        doc.goals.extend(goals)
        warnings += goal_warnings
    else:
        projects, warnings = verksamhetsplan_projects(text, doc.doc_id, page_at)
    doc.projects.extend(projects)
    doc.warnings.extend(warnings)


# Sections of a delårsrapport that follow up the förbund's own goals with `Kommentar:`.
FOLLOW_UP_SECTIONS = ("federation_goals", "project_goals", "financial_goals")


def extract_followed_up_goals(doc: Document) -> None:
    for key in FOLLOW_UP_SECTIONS:
        if found := section_text(doc, key):
            goals, warnings = commented_goals(
                found[0], doc.doc_id, page_finder(doc, found[1]), len(doc.goals) + 1
            )
            doc.goals.extend(goals)
            doc.warnings.extend(f"section {key}: {w}" for w in warnings)


# Sections of a verksamhetsplan that state the förbund's own goals (§4, §5, §8, §9).
PLAN_GOAL_SECTIONS = ("financial_goals", "federation_goals", "project_goals", "work_goals")


def extract_plan_goals(doc: Document) -> None:
    for section in doc.sections:
        if section.key in PLAN_GOAL_SECTIONS:
            found = section_text(doc, section.key)
            goals, warnings = plan_goals(
                found[0], section.heading, doc.doc_id, page_finder(doc, found[1]), len(doc.goals) + 1
            )
            doc.goals.extend(goals)
            doc.warnings.extend(f"section {section.key}: {w}" for w in warnings)


def extract_decisions(doc: Document) -> None:
    # The whole protokoll: a § paragraph's decision may run past the next heading.
    decisions, warnings = protokoll_decisions(doc.content_text, doc.doc_id, page_finder(doc, doc.start))
    doc.decisions.extend(decisions)
    doc.warnings.extend(warnings)


# Sections of a protokoll listing who attended: `Beslutande` and `Övriga deltagande`.
ATTENDANCE_SECTIONS = ("members", "attendees")


def add_parties(doc: Document, found: tuple[list, list[str]]) -> None:
    doc.parties.extend(found[0])
    doc.warnings.extend(found[1])


def extract_board(doc: Document, federation: str | None) -> None:
    """A protokoll's board members and the förbund's people present, and who signed."""
    for key in ATTENDANCE_SECTIONS:
        if found := section_text(doc, key):
            add_parties(doc, attendance_parties(found[0], doc.doc_id, page_finder(doc, found[1]), federation))
    add_parties(doc, signature_parties(doc.content_text, doc.doc_id, page_finder(doc, doc.start), federation))


def extract_members_and_contacts(doc: Document, federation: str | None) -> None:
    """In every type of report: the förbund's members where a sentence lists them, and any
    e-mail address not yet on a party row."""
    page_at = page_finder(doc, doc.start)
    add_parties(doc, member_parties(doc.content_text, doc.doc_id, page_at, federation))
    doc.parties.extend(email_parties(doc.content_text, doc.doc_id, page_at, doc.parties, federation))


def run(doc: Document, options: Options) -> Document:
    if doc.failed:
        return doc
    project_id = None
    doc.organisation = federation_name(doc.content_text)
    # The förbund as the gazetteer names it: "Samordningsförbundet" alone stands for it.
    federation = canonical_federation(doc.organisation)
    if doc.doc_type == "slutrapport":
        doc.parties.extend(
            federation_party(doc.content_text, doc.doc_id, page_finder(doc, doc.start), federation)
        )
        project_id = extract_slutrapport(doc, federation)
        extract_goals(doc, project_id)
    elif doc.doc_type in ("delarsrapport", "verksamhetsplan"):
        extract_insatser(doc)
        if doc.doc_type == "delarsrapport":
            extract_followed_up_goals(doc)
        else:
            extract_plan_goals(doc)
    elif doc.doc_type == "protokoll":
        extract_decisions(doc)
        extract_board(doc, federation)
    elif doc.doc_type == "ansokan":
        add_parties(
            doc, application_parties(doc.content_text, doc.doc_id, page_finder(doc, doc.start), federation)
        )
    extract_members_and_contacts(doc, federation)
    # Cost and budget tables are found by their header rows, in every type of report.
    extract_costs(doc, project_id)
    return doc
