"""Insatser in running text: the delårsrapport's section 1.3.4 (mangled OCR) and the
verksamhetsplan's section 11."""

from __future__ import annotations

from collections import Counter

import pytest

from models.document import Document
from pipeline import ingest
from pipeline.extract.insatser import (
    OWNER_LINE,
    delarsrapport_goals,
    delarsrapport_projects,
    known_organisation,
    owner_parties,
    verksamhetsplan_projects,
)
from pipeline.options import Options
from pipeline.runner.stages import process_file
from tests.conftest import DELARSRAPPORT, VERKSAMHETSPLAN

NAMES = [
    "Hälsoprojektet",
    "Stärkt samverkan och kompetenshöjande insatser",
    "Arbetsmarknadstorg i Härnösand",
    "SAM",
    "Extra insatser till utrikesfödda kvinnor",
    "SKAPA",
    "SIP/SKIP",
    "Psykiatridagar",
    "Insatskatalogen",
]
OWNERS = ["Timrå kommun"] * 2 + ["Härnösands kommun"] * 4 + ["Timrå kommun", None, None]


def section(doc: Document, key: str):
    found = next(s for s in doc.sections if s.key == key)
    text = doc.content_text[found.body_start - doc.start : found.end - doc.start]
    return text, (lambda offset: doc.page_at(found.body_start + offset))


@pytest.fixture(scope="module")
def delarsrapport() -> Document:
    # the slowest sample to clean: processed once for the module
    return process_file(DELARSRAPPORT, Options())[0]


@pytest.fixture(scope="module")
def projects(delarsrapport):
    text, page_at = section(delarsrapport, "projects")
    return delarsrapport_projects(text, delarsrapport.doc_id, page_at)


def test_nine_insatser_with_owners(projects, delarsrapport):
    rows, _ = projects
    assert [r.name for r in rows] == NAMES
    assert [r.owner for r in rows] == OWNERS
    assert [r.project_id for r in rows] == [f"{delarsrapport.doc_id}-p{n}" for n in range(1, 10)]
    assert rows[1].co_applicants == ["Arbetsförmedlingen", "Försäkringskassan"]
    assert rows[0].co_applicants == ["Region Västernorrland"]
    assert rows[2].co_applicants == ["Arbetsförmedlingen"]
    assert all(r.page is not None for r in rows)


def test_allocated_amounts_and_confidence(projects):
    rows, warnings = projects
    assert [(r.amount_sek, r.amount_kind) for r in rows] == [(None, None)] * 7 + [
        (30000, "allocated"),
        (159000, "allocated"),
    ]
    # the förbund's own activities have no Projektägare line: found by the text after the title
    assert [r.confidence for r in rows[7:]] == [0.6, 0.6]
    assert all(r.confidence >= 0.8 for r in rows[:7])
    assert sum("no Projektägare line" in w for w in warnings) == 2


def test_goals_of_each_insats(delarsrapport):
    text, page_at = section(delarsrapport, "projects")
    goals, _ = delarsrapport_goals(text, delarsrapport.doc_id, page_at)
    per_project = Counter(g.project_id.rsplit("-", 1)[1] for g in goals)
    assert per_project == {"p1": 1, "p2": 5, "p3": 3, "p4": 1, "p5": 3, "p6": 1, "p7": 5, "p8": 1}
    torg = [(g.level, g.goal[:18]) for g in goals if g.project_id.endswith("-p3")]
    assert torg == [
        ("overall", "Att samverkan ska "),
        ("sub", "Att samtliga indiv"),
        ("sub", "Att deltagarnas sj"),
    ]
    assert [g.level for g in goals if g.project_id.endswith("-p7")] == ["overall"] + ["sub"] * 4
    assert len({g.goal_id for g in goals}) == len(goals)


def test_raw_ocr_still_gives_nine_insatser():
    """Before any correction (the cleaner is still changing), the structure still holds."""
    raw = ingest.run(Document(source_file=str(DELARSRAPPORT)), Options()).raw_text
    start = raw.index("\n", raw.index("1.3.l lnsalser"))
    text = raw[start : raw.index("1.4 Styrelsens")]
    rows, warnings = delarsrapport_projects(text, "raw", lambda o: None)
    assert len(rows) == 9
    assert rows[2].name == "Arbetsmarknadstorg i Härnösand" and rows[5].name == "SKAPA"
    assert [r.owner for r in rows[1:6]] == ["Timrå kommun"] + ["Härnösands kommun"] * 4
    # unreadable names are kept as read, flagged, never replaced by a guess
    assert rows[0].owner == "Tilrrrå koInmLln"
    assert any("'Tilrrrå koInmLln' looks damaged" in w for w in warnings)


@pytest.mark.parametrize(
    ("line", "owner", "co_applicants"),
    [
        (
            "Projel{t.igare: Härnösands kommun, medsökande är Arbetsförmedlingen",
            "Härnösands kommun",
            ["Arbetsförmedlingen"],
        ),
        (
            "Prolektäg.lrer Timrå kommun, medsökande ärArbetsfiirmedlingen och Försäkringskassan",
            "Timrå kommun",
            ["Arbetsförmedlingen", "Försäkringskassan"],
        ),
        (
            "Projektägäre: Timrå kommun, medsöl(ande :ir Region Västernorrland",
            "Timrå kommun",
            ["Region Västernorrland"],
        ),
        ("Projektägare aI Timrå kommun", "Timrå kommun", []),
    ],
)
def test_owner_line_variants(line, owner, co_applicants):
    match = OWNER_LINE.match(line)
    assert match is not None
    assert owner_parties(match)[:2] == (owner, co_applicants)


def test_known_organisations_only_when_close():
    assert known_organisation("Iläl nösands kommun") == (
        "Härnösands kommun",
        "organisation read as 'Iläl nösands kommun', taken as known 'Härnösands kommun'",
    )
    assert known_organisation("Coompanion Västerbotten") == ("Coompanion Västerbotten", None)


def test_damaged_title_lowers_confidence():
    text = "\nSKAPA\nProjektägare: Härnösands kommun, medsökande är Arbetsförmedlingen\nText.\n"
    rows, warnings = delarsrapport_projects(text, "d", lambda o: 1, corrected=lambda s, e: True)
    assert (rows[0].name, rows[0].confidence) == ("SKAPA", 0.7)
    assert "title damaged" in warnings[0]


def test_verksamhetsplan_applications():
    doc = process_file(VERKSAMHETSPLAN, Options())[0]
    text, page_at = section(doc, "projects")
    rows, _ = verksamhetsplan_projects(text, doc.doc_id, page_at)
    assert [(r.owner, r.amount_sek, r.amount_kind) for r in rows] == [
        (None, None, None),
        ("Timrå kommun", 900000, "applied"),
        ("Härnösands kommun", 1150000, "applied"),
        ("Timrå kommun", 265000, "applied"),
        ("Timrå kommun", 1700000, "applied"),
    ]
    assert rows[0].name == "Handledare på arbetsintegrerat socialt företag"
    assert rows[4].name == "Friskare arbetsplatser"
    assert rows[1].name.startswith("Arbetsmarknadstorg Timr")
