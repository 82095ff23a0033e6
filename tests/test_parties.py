"""Parties: organisation names normalised against the gazetteer (a spaCy EntityRuler on a
blank Swedish pipeline), member lists, a protokoll's board and signatures, the forms'
applicants and contacts, e-mail addresses. Texts are the samples' own (after cleaning)."""

from __future__ import annotations

import pytest

from pipeline.extract import organisations
from pipeline.extract.members import attendance_parties, list_items, member_parties, signature_parties
from pipeline.extract.organisations import find, resolve
from pipeline.extract.parties import (
    applicant_parties,
    application_parties,
    email_parties,
    person_name,
)
from pipeline.options import Options
from pipeline.runner.stages import process_file
from tests.conftest import DELARSRAPPORT, SAMPLES, VERKSAMHETSPLAN

PROTOKOLL = SAMPLES / "protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt"
SKELLEFTEA = "Samordningsförbundet Skellefteå-Norsjö"


def page_one(_offset: int) -> int:
    return 1


def rows(parties) -> list[tuple]:
    return [(p.role, p.organisation, p.organisation_raw, p.person, p.email) for p in parties]


# --- normalising one organisation field ---------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "organisation", "raw", "confidence"),
    [
        ("Region Västernorrland", "Region Västernorrland", None, 1.0),
        # the applicants and signatories of samples/slutrapporter-2019-2022-harnosand-timra.txt
        ("Timrå Kommun", "Timrå kommun", "Timrå Kommun", 0.9),
        ("Arbetsförmedlingen Härnösand", "Arbetsförmedlingen", "Arbetsförmedlingen Härnösand", 0.9),
        (
            "Härnösands kommun, arbetslivsförvaltningen, Arbete och Integration",
            "Härnösands kommun",
            "Härnösands kommun, arbetslivsförvaltningen, Arbete och Integration",
            0.9,
        ),
        ("ARBETSFORMEDLINGEN", "Arbetsförmedlingen", "ARBETSFORMEDLINGEN", 0.9),
        ("Samordningsförbundet Härnösand Timrå", "Samordningsförbundet Härnösand-Timrå", None, 0.9),
        ("*Timrå Kommun*", "Timrå kommun", "Timrå Kommun", 0.9),
        # the usual variants: genitive s, the verksamhetsplan's dash, a short form in a field
        ("Härnösand kommun", "Härnösands kommun", "Härnösand kommun", 0.9),
        ("Timrås kommun", "Timrå kommun", "Timrås kommun", 0.9),
        ("Samordningsförbundet i Härnösand — Timrå", "Samordningsförbundet Härnösand-Timrå", None, 0.9),
        ("Region VN", "Region Västernorrland", "Region VN", 0.9),
        ("AF", "Arbetsförmedlingen", "AF", 0.9),
        ("FK", "Försäkringskassan", "FK", 0.9),
        # not in the gazetteer: as written, lower confidence
        ("Premicare Timrå VC", "Premicare Timrå VC", None, 0.7),
        ("Enheten för hållbar försörjning", "Enheten för hållbar försörjning", None, 0.7),
        ("Arbetsmarknadsområdet Härnösand och Timrå", "Arbetsmarknadsområdet Härnösand och Timrå", None, 0.7),
        # an ambiguous short form inside a longer name is not taken
        ("AF Härnösand", "AF Härnösand", None, 0.7),
    ],
)
def test_resolve(written, organisation, raw, confidence):
    found = resolve(written)
    expected_raw = raw if raw is not None or organisation == written else written
    assert (found.organisation, found.raw, found.confidence) == (organisation, expected_raw, confidence)


def test_resolve_keeps_what_it_cannot_tell_apart_and_drops_debris():
    several = resolve("Försäkringskassan och Arbetsförmedlingen")
    assert several.organisation == "Försäkringskassan och Arbetsförmedlingen" and several.confidence == 0.7
    assert "several known bodies" in several.warning
    # OCR debris in the scan's form fields (samples/generated/…-scan.pdf): no organisation
    assert resolve("a").organisation is None and resolve(". :").organisation is None
    # an OCR-damaged name close to one listed name is taken, with a warning
    damaged = resolve("Iläl nösands kommun")
    assert (damaged.organisation, damaged.raw, damaged.confidence) == (
        "Härnösands kommun",
        "Iläl nösands kommun",
        0.8,
    )
    assert "taken as known" in damaged.warning


def test_samordningsforbundet_alone_is_the_documents_forbund():
    assert resolve("Samordn.förb.", SKELLEFTEA).organisation == SKELLEFTEA
    assert resolve("Samordningsförbundet", SKELLEFTEA).raw == "Samordningsförbundet"
    # without a known förbund it stays as written
    assert resolve("Samordningsförbundet").organisation == "Samordningsförbundet"


def test_entity_ruler_finds_names_across_lines_and_kommun_pairs():
    # samples/verksamhetsplan-2018-harnosand-timra.txt §2, as cleaned
    text = "Timrå kommun, Landstinget Västernorrland,\nFörsäkringskassan lokalt försäkringscenter Sundsvall"
    assert [(h.name, text[h.start : h.end]) for h in find(text)] == [
        ("Timrå kommun", "Timrå kommun"),
        ("Landstinget Västernorrland", "Landstinget Västernorrland"),
        ("Försäkringskassan", "Försäkringskassan"),
    ]
    pair = find("Skellefteå respektive Norsjö kommun")
    assert [(h.name, h.label) for h in pair] == [
        ("Skellefteå kommun", "KOMMUN_PAIR"),
        ("Norsjö kommun", "KOMMUN_PAIR"),
    ]
    assert find("Region Väster-\nnorrland") == []  # a hyphenated line break is no name


def test_the_pipeline_is_built_once_and_has_only_the_ruler():
    nlp = organisations.pipeline()
    assert organisations.pipeline() is nlp
    assert nlp.lang == "sv" and nlp.pipe_names == ["finsam_fold_norm", "entity_ruler"]


@pytest.mark.parametrize(
    ("field", "person"),
    [
        ("Inga-Mai Sundholm-Lepistö", "Inga-Mai Sundholm-Lepistö"),
        ("Tara Al Obaidy Eklund", "Tara Al Obaidy Eklund"),
        ("<b>Leif Löfroth</b>", "Leif Löfroth"),
        ("E-post", None),
        (". E-post", None),
        ("få", None),
        ("Verkställande tjänsteman", None),
    ],
)
def test_a_person_only_when_a_name_is_written(field, person):
    assert person_name(field) == person


# --- member lists -------------------------------------------------------------------------------

# samples/delarsrapport-2021-harnosand-timra.txt 1.2.1, as cleaned
DELARSRAPPORT_MEMBERS = """1.2.1 Organisation
Samordningsförbundet är- en fristående juridisk organisation med Arbetsförmedlingen,
Försäkringskassan, Region Västernorrland samt Härnösands och Timrås kommun, som
medlemmar. Samordningsförbundet leds även vald styrelse med representanter från
samtliga fem myndigheterna."""

# samples/verksamhetsplan-2018-harnosand-timra.txt §2, as cleaned
VERKSAMHETSPLAN_MEMBERS = """bildades november 2005 och är en egen juridisk
person med huvudmännen Härnösands kommun, Timrå kommun, Landstinget Västernorrland,
Försäkringskassan lokalt försäkringscenter Sundsvall och Arbetsmarknadsområdet Härnösand
och Timrå. En förbundsordning har antagits av huvudmännen."""

# samples/protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt line 329 (the ansökan)
ANSOKAN_MEMBERS = (
    "En längre tid i utanförskap påverkar i hög grad även individens hälsa och ökar behovet av "
    "mer resurskrävande insatser från de myndigheter som är medlemmar i Samordningsförbundet "
    "Skellefteå-Norsjö; Försäkringskassan, Arbetsförmedlingen, Västerbottens läns landsting och "
    "Skellefteå respektive Norsjö kommun.\n\nDet långvariga utanförskapets negativa konsekvenser"
)


def test_members_of_the_delarsrapport():
    found, _ = member_parties(DELARSRAPPORT_MEMBERS, "d", page_one, "Samordningsförbundet Härnösand-Timrå")
    assert rows(found) == [
        ("member", "Arbetsförmedlingen", None, None, None),
        ("member", "Försäkringskassan", None, None, None),
        ("member", "Region Västernorrland", None, None, None),
        ("member", "Härnösands kommun", "Härnösands och Timrås kommun", None, None),
        ("member", "Timrå kommun", "Härnösands och Timrås kommun", None, None),
    ]


def test_members_of_the_verksamhetsplan_keep_an_unknown_member_as_written():
    found, _ = member_parties(VERKSAMHETSPLAN_MEMBERS, "d", page_one)
    assert rows(found) == [
        ("member", "Härnösands kommun", None, None, None),
        ("member", "Timrå kommun", None, None, None),
        ("member", "Landstinget Västernorrland", None, None, None),
        ("member", "Försäkringskassan", "Försäkringskassan lokalt försäkringscenter Sundsvall", None, None),
        # Arbetsförmedlingen's local office, but the text does not say so: not guessed
        ("member", "Arbetsmarknadsområdet Härnösand och Timrå", None, None, None),
    ]
    assert [p.confidence for p in found] == [1.0, 1.0, 1.0, 0.9, 0.7]


def test_members_of_the_ansokan_after_the_forbunds_name():
    found, _ = member_parties(ANSOKAN_MEMBERS, "d", page_one, SKELLEFTEA)
    assert [(p.organisation, p.organisation_raw) for p in found] == [
        ("Försäkringskassan", None),
        ("Arbetsförmedlingen", None),
        ("Västerbottens läns landsting", None),
        ("Skellefteå kommun", "Skellefteå respektive Norsjö kommun"),
        ("Norsjö kommun", "Skellefteå respektive Norsjö kommun"),
    ]


def test_no_member_list_without_a_cue_or_without_two_listed_bodies():
    # 1.2.5 of the delårsrapport names members, but lists none
    text = "där Försäkringskassan och Arbetsförmedlingen bidrar med hälften av medlen, regionen med en"
    assert member_parties(text, "d", page_one)[0] == []
    # a cue before words that name no listed body is no list
    text = "Förbundet samverkar med huvudmännen i styrelsen och i utvecklingsgruppen. Nästa mening."
    assert member_parties(text, "d", page_one)[0] == []


def test_list_items_never_split_a_name():
    text = "Region Västernorrland, Härnösands och Timrås kommun"
    assert [text[a:b] for a, b in list_items(text)] == [
        "Region Västernorrland",
        "Härnösands och Timrås kommun",
    ]


# --- a protokoll's board and signatures ----------------------------------------------------------

# samples/protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt lines 67-92
ATTENDANCE = """**Övriga deltagande**

Bertil Almgren, ordförande  
Anna Viklund, vice ordförande  
Kenneth Andersson, ledamot  
Mikael Lindfors, ledamot  
Johan Söderberg, ersättare fr. 11.30

Maria Lindgren-Tuoma,  
Samordningsförbundet  
Stellan Berglund, Samordn.förb.
"""  # noqa: W291 - the sample's markdown line breaks

SIGNATURES = """**Underskrifter**

.....  
/Bertil Almgren, ordf./

.....  
/Stellan Berglund, sekreterare/

.....  
/Anna Viklund, protokolljusterare/
"""  # noqa: W291


def test_board_members_and_the_forbunds_people_present():
    found, warnings = attendance_parties(ATTENDANCE, "d", page_one, SKELLEFTEA)
    assert rows(found) == [
        ("member", None, None, "Bertil Almgren", None),
        ("member", None, None, "Anna Viklund", None),
        ("member", None, None, "Kenneth Andersson", None),
        ("member", None, None, "Mikael Lindfors", None),
        ("member", None, None, "Johan Söderberg", None),
        ("federation", SKELLEFTEA, "Samordningsförbundet", "Maria Lindgren-Tuoma", None),
        ("federation", SKELLEFTEA, "Samordn.förb.", "Stellan Berglund", None),
    ]
    assert warnings == []


def test_an_attendee_of_another_body_is_left_out_with_a_warning():
    found, warnings = attendance_parties(
        "Margareta Larsson, Arbetsmarknadstorget\n", "d", page_one, SKELLEFTEA
    )
    assert found == [] and "Margareta Larsson" in warnings[0]


def test_signatures_under_dotted_lines():
    found, _ = signature_parties(SIGNATURES, "d", page_one, SKELLEFTEA)
    assert rows(found) == [
        ("signatory", None, None, "Bertil Almgren", None),
        ("signatory", None, None, "Stellan Berglund", None),
        ("signatory", None, None, "Anna Viklund", None),
    ]


# --- forms: the slutrapport read by OCR, the ansökan ---------------------------------------------

# Section 2 of samples/generated/slutrapport-arbetsmarknadstorg-scan.pdf as Tesseract reads it
# (after cleaning): no tabs, the owner's name below its label, `@` misread.
SCAN_APPLICANTS = """Ansvarig för genomförande av insats - Organisation
Härnösands kommun, arbetslivsförvaltningen,
Arbete och Integration ål

Kontaktperson för insatsägare Issam Sassi E-post issam.sassie&harnosand.se

Organisation - medsökande Arbetsförmedlingen
Härnösand

Kontaktperson Hans Skimmermo E-post hans.skimmermotabetsformedlingen.se”
Organisation - medsökande a
Kontaktperson E-post

Organisation - medsökande

Kontaktperson . E-post
"""


def test_applicants_of_an_ocr_form():
    found, warnings = applicant_parties(SCAN_APPLICANTS, "d", page_one)
    written = "Härnösands kommun, arbetslivsförvaltningen, Arbete och Integration ål"
    assert rows(found) == [
        ("owner", "Härnösands kommun", written, None, None),
        ("contact", "Härnösands kommun", written, "Issam Sassi", None),
        ("co_applicant", "Arbetsförmedlingen", "Arbetsförmedlingen Härnösand", None, None),
        ("contact", "Arbetsförmedlingen", "Arbetsförmedlingen Härnösand", "Hans Skimmermo", None),
    ]
    # the misread addresses are not repaired
    assert warnings == [
        "e-mail not readable: 'issam.sassie&harnosand.se'",
        "e-mail not readable: 'hans.skimmermotabetsformedlingen.se”'",
    ]


# The ansökan's applicant block and the form's instructions above it (lines 309-317).
ANSOKAN_BLOCK = "\n".join(PROTOKOLL.read_text(encoding="utf-8").split("\n")[308:317])


def test_applicant_block_of_the_ansokan():
    found, _ = application_parties(ANSOKAN_BLOCK, "d", page_one, SKELLEFTEA)
    assert rows(found) == [
        ("owner", "Gymnasiekontoret", None, None, None),
        ("signatory", "Gymnasiekontoret", None, "Jan Midlert", None),
        ("contact", "Gymnasiekontoret", None, "Leif Löfroth", "leif.lofroth@skelleftea.se"),
    ]
    assert [p.confidence for p in found] == [0.7] * 3  # Gymnasiekontoret is not in the gazetteer


def test_an_address_in_prose_belongs_to_the_name_it_spells():
    known, _ = application_parties(ANSOKAN_BLOCK, "d", page_one, SKELLEFTEA)
    found = email_parties(ANSOKAN_BLOCK, "d", page_one, known, SKELLEFTEA)
    # "… via e-post till maria.lindgren-tuoma@skelleftea.se … kontakt med Maria Lindgren-Tuoma
    # på samordningsförbundet": once, though the markdown link writes it twice
    assert rows(found) == [
        (
            "federation",
            SKELLEFTEA,
            "samordningsförbundet",
            "Maria Lindgren-Tuoma",
            "maria.lindgren-tuoma@skelleftea.se",
        )
    ]
    # without a name that spells it, the address stands alone
    alone = email_parties("Skicka till info@skelleftea.se.", "d", page_one, [])
    assert rows(alone) == [("contact", None, None, None, "info@skelleftea.se")]


# --- whole samples ------------------------------------------------------------------------------


def test_parties_of_the_samples():
    delars = process_file(DELARSRAPPORT, Options())[0]
    assert {p.organisation for p in delars.parties if p.role == "member"} == {
        "Arbetsförmedlingen",
        "Försäkringskassan",
        "Region Västernorrland",
        "Härnösands kommun",
        "Timrå kommun",
    }
    plan = process_file(VERKSAMHETSPLAN, Options())[0]
    assert [p.role for p in plan.parties] == ["member"] * 5
    protokoll, ansokan, status = process_file(PROTOKOLL, Options())
    assert [(p.role, p.person) for p in protokoll.parties if p.role == "signatory"] == [
        ("signatory", "Bertil Almgren"),
        ("signatory", "Stellan Berglund"),
        ("signatory", "Anna Viklund"),
        ("signatory", "Åsa Lundmark"),  # the notice (BEVIS OM ANSLAG) is signed too
    ]
    assert len([p for p in protokoll.parties if p.role == "member"]) == 5
    assert [p.role for p in ansokan.parties] == ["owner", "signatory", "contact"] + ["member"] * 5 + [
        "federation"
    ]
    assert status.parties == []
