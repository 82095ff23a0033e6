"""Board decisions: one row per § of the Skellefteå-Norsjö protokoll, its att-clauses, amount
and recipient."""

from __future__ import annotations

import pytest

from models.document import Document
from pipeline.extract.decisions import protokoll_decisions
from pipeline.options import Options
from pipeline.runner.stages import process_file
from tests.conftest import SAMPLES

PROTOKOLL = SAMPLES / "protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt"


@pytest.fixture(scope="module")
def protokoll() -> Document:
    doc = next(d for d in process_file(PROTOKOLL, Options()) if d.doc_type == "protokoll")
    return doc


@pytest.fixture(scope="module")
def decisions(protokoll):
    return protokoll_decisions(
        protokoll.content_text, protokoll.doc_id, lambda o: protokoll.page_at(protokoll.start + o)
    )


def by_paragraph(decisions) -> dict:
    return {row.paragraph: row for row in decisions[0]}


def test_one_decision_per_paragraph(decisions):
    rows, warnings = decisions
    assert [r.paragraph for r in rows] == [f"§ {n}" for n in range(626, 637)]
    assert warnings == []
    assert [r.page for r in rows] == [3] * 7 + [4] * 4


def test_medlefors_grant(decisions):
    row = by_paragraph(decisions)["§ 630"]
    assert row.amount_sek == 600000
    assert row.recipient == "Medlefors folkhögskola"
    assert row.title == "ESF-ansökan från Medlefors folkhögskola; ”Validering Integration Arbete - VIA”."
    clauses = row.decision.split("\n")
    assert len(clauses) == 2
    assert clauses[0].startswith("att bevilja Medlefors folkhögskola kontant bidrag med 600 000 kronor")
    assert clauses[1].startswith("att samordningsförbundets medfinansiering sker under förutsättning")


def test_other_paragraphs(decisions):
    rows = by_paragraph(decisions)
    assert (rows["§ 631"].amount_sek, rows["§ 631"].recipient) == (150000, "Urkraft Service AB")
    # § 629 reports many amounts in its prose, but decides none
    assert (rows["§ 629"].amount_sek, rows["§ 629"].recipient) == (None, None)
    assert rows["§ 629"].decision == "att godkänna rapporten."
    # § 632: a share (50 %) of a service, no amount and no recipient stated
    assert (rows["§ 632"].amount_sek, rows["§ 632"].recipient) == (None, None)
    assert rows["§ 626"].title == "Godkännande av dagordning"
    assert rows["§ 627"].title == "Genomgång av protokoll från föregående möte."
    assert rows["§ 628"].decision == "att utse"
    assert rows["§ 635"].title == "Informationsärenden" and rows["§ 635"].decision is None
    assert rows["§ 636"].title == "Övriga frågor"
    assert len(rows["§ 636"].decision.split("\n")) == 4


def test_several_amounts_take_the_granting_clause_and_warn():
    text = (
        "§ 12\n\n**Ansökan från Arbetsmarknadstorget Timrå.** Se bilaga\n\n"
        "Projektets budget är 900 000 kronor.\n\nStyrelsen beslutar:\n\n"
        "att projektets totala budget om 900 000 kronor noteras\n\n"
        "att bevilja 250 000 kronor till projektet\n\n§ 13\n\nStyrelsen beslutar att godkänna rapporten.\n"
    )
    rows, warnings = protokoll_decisions(text, "d", lambda o: 1)
    assert [(r.paragraph, r.amount_sek, r.recipient) for r in rows] == [
        ("§ 12", 250000, "Arbetsmarknadstorget Timrå"),
        ("§ 13", None, None),
    ]
    assert rows[1].decision == "att godkänna rapporten."
    assert warnings == ["§ 12: several amounts in the decision [900000, 250000]; took 250000"]


def test_no_recipient_is_guessed():
    text = "§ 1\n\n**Budget 2016**\n\nFörbundet beslutar:\n\natt anslå 40 000 kr för utbildning\n"
    rows, _ = protokoll_decisions(text, "d", lambda o: None)
    assert (rows[0].amount_sek, rows[0].recipient, rows[0].page) == (40000, None, None)


def test_title_on_the_paragraph_line():
    text = "## § 7 Val av justerare\n\nStyrelsen beslutar\n\natt utse Anna Viklund\n"
    rows, _ = protokoll_decisions(text, "d", lambda o: 1)
    assert [(r.paragraph, r.title, r.decision) for r in rows] == [
        ("§ 7", "Val av justerare", "att utse Anna Viklund")
    ]


def paragraph_631() -> str:
    """§ 631 of the sample protokoll, as written (the matter and both att-clauses)."""
    text = PROTOKOLL.read_text(encoding="utf-8")
    return text[text.index("§ 631") : text.index("§ 632")]


def test_a_granting_decision_without_an_amount_takes_the_one_applied_for_in_the_matter():
    # § 631 with its first clause written as many protokoll write it: the amount only in the
    # matter ("Urkraft ansöker om kontant medfinansiering med totalt 150 000 kronor")
    text = paragraph_631().replace(" kontant bidrag med 150 000 kronor avseende", " kontant bidrag avseende")
    rows, warnings = protokoll_decisions(text, "d", lambda o: 3)
    assert (rows[0].amount_sek, rows[0].recipient) == (150000, "Urkraft Service AB")
    assert warnings == ["§ 631: amount '150 000 kronor' read from the matter; the decision names none"]
    # "att bevilja ansökan": the application is granted, with the amount it applied for
    clause = next(line for line in text.split("\n") if line.startswith("att bevilja"))
    rows, _ = protokoll_decisions(text.replace(clause, "att bevilja ansökan."), "d", lambda o: 3)
    assert (rows[0].amount_sek, rows[0].recipient) == (150000, "Urkraft")  # the heading's sender


def test_the_matter_amount_only_when_it_is_the_only_one_and_the_decision_grants():
    text = paragraph_631().replace(" kontant bidrag med 150 000 kronor avseende", " kontant bidrag avseende")
    # two different amounts applied for or granted: none taken
    both = text.replace(
        "fördelat över 3 år.", "fördelat över 3 år. Tidigare har förbundet beviljat 90 000 kronor."
    )
    rows, warnings = protokoll_decisions(both, "d", lambda o: 3)
    assert rows[0].amount_sek is None and rows[0].recipient is None
    assert warnings == [
        "§ 631: several amounts applied for or granted in the matter [150000, 90000]; none taken"
    ]
    # a decision that grants nothing keeps no amount of its matter
    clauses = text[text.index("Samordningsförbundet beslutar:") :]
    approving = text.replace(clauses, "Samordningsförbundet beslutar:\n\natt godkänna informationen.\n")
    rows, warnings = protokoll_decisions(approving, "d", lambda o: 3)
    assert (rows[0].amount_sek, warnings) == (None, [])


def test_the_kur_grant_by_forsakringskassan_is_not_the_boards_decision(decisions):
    # § 634: "Försäkringskassan i Stockholm [meddelade] att Skellefteå-Norsjö beviljats 140 000
    # kronor" – the board decides "att godkänna rapporten", which grants nothing
    row = by_paragraph(decisions)["§ 634"]
    assert (row.decision, row.amount_sek, row.recipient) == ("att godkänna rapporten", None, None)
    assert [r.paragraph for r in decisions[0] if r.amount_sek is not None] == ["§ 630", "§ 631"]
