"""Goals: the slutrapport goal table (section 4.1) in all its sample layouts, its OCR reading,
and goal lists in prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.document import Document
from pipeline.extract.goal_table import read_achieved
from pipeline.extract.goals import prose_goals, slutrapport_goals
from pipeline.extract.plan_goals import plan_goals
from pipeline.options import Options
from pipeline.runner.stages import process_file
from tests.conftest import SAMPLES, SLUTRAPPORTER

# The body of section 4.1 of samples/generated/slutrapport-arbetsmarknadstorg-scan.pdf as
# Tesseract reads it (after cleaning): the table's cells come out as paragraphs.
SCAN_GOALS = """

Ange uppsatta mål för
insatsen

Har målet uppnåtts?
Ja eller nej

Utfall/resultat för respektive mål-

Övergripande projektmål: Att
samverkan ska leda till att
arbetslösheten hos målgruppen
ska minska

Ja

Arbetslösheten sjunker i Härnösand
men är högre än i länet i stort. (9,2 i
maj jämfört med 6,8 i länet)

Mätbara delmål: Att skapa en
organisation med konkreta mål

och gemensamma rutiner där
uppdragen är tydliggjorda

Ja, med förbättrade
gemensamma rutiner
vid implementering av
BIP:

Förbättrade gemensamma rutiner och
ökad samsyn vid implementering av BIP

Att samtliga individer som tar del
av arbetsmarknadstorgets
insatser i samverkan får en
upprättad handlingsplan i syfte
att bli självförsörjande

Ja, i de fall som personen
går vidare mot
sysselsättning i form av
arbetsträning studier

I de fall nybesök leder till att personen
går vidare mot sysselsättning i form av
arbete/studier

Att de individer som tar del av
arbetsmarknadstorgets insatser i
samverkan tar steg mot ökad,
grad av självförsörjning

Ja

Införandet av BIP kommer tydligt att
visa hur progressionen mot ökad
självförsörjning ser ut på olika
livsområden för varje individ.

"""
DELARSRAPPORT_GT = SAMPLES / "ground-truth" / "delarsrapport-2021-harnosand-timra.lines-198-295.gt.txt"


@pytest.fixture(scope="module")
def reports() -> list[Document]:
    return process_file(Path(SLUTRAPPORTER), Options())


def goals_of(doc: Document):
    section = next(s for s in doc.sections if s.key == "goals")
    text = doc.content_text[section.body_start - doc.start : section.end - doc.start]
    return slutrapport_goals(
        text, doc.doc_id, f"{doc.doc_id}-p1", lambda o: doc.page_at(section.body_start + o)
    )


def summary(goals) -> list[tuple]:
    """(level, goal start, achieved, outcome start) of each goal."""
    return [(g.level, g.goal[:30], g.achieved, g.outcome[:30] if g.outcome else None) for g in goals]


def test_report_1_level_prefixes_and_html_cells(reports):
    goals, warnings = goals_of(reports[0])
    assert summary(goals) == [
        ("overall", "Att samverkan ska leda till at", "yes", "Arbetslösheten sjunker i Härnö"),
        ("sub", "Att skapa en organisation med ", "yes", "Förbättrade gemensamma rutiner"),
        ("sub", "Att samtliga individer som tar", "yes", "I de fall nybesök leder till a"),
        ("sub", "Att de individer som tar del a", "yes", "Införandet av BIP kommer tydli"),
    ]
    assert goals[1].achieved_raw == "Ja, med förbättrade gemensamma rutiner vid implementering av BIP"
    assert goals[0].outcome.endswith("(9,2 i maj jämfört med 6,8 i länet)")
    assert [g.confidence for g in goals] == [1.0] * 4
    assert [g.goal_id for g in goals] == [f"{reports[0].doc_id}-g{n}" for n in range(1, 5)]
    assert {g.project_id for g in goals} == {f"{reports[0].doc_id}-p1"}
    assert {g.page for g in goals} == {2}
    assert warnings == []


def test_report_5_cues_and_goal_cut_across_a_page_with_its_own_answer(reports):
    goals, warnings = goals_of(reports[4])
    assert summary(goals) == [
        ("overall", "En utvecklad process mellan So", "yes", "Arbetsätt framtaget för att få"),
        ("sub", "Andelen genomförda samverkansm", "yes", "Försörjningsstöd har genomfört"),
        ("sub", "Kännedom och praktisk kunskap ", "no", "Enligt enkätundersökningen har"),
        ("sub", "Systematisk uppföljning av öve", "yes", "De nyttillkomna överenskommels"),
        ("sub", "Projektet ska ta fram underlag", "yes", None),
    ]
    joined = goals[2]
    assert joined.goal.startswith("Kännedom och praktisk kunskap om lokala överenskommelser mellan region")
    assert joined.achieved_raw == "Nej"
    # the unfinished sentence of the outcome before the page break goes with its continuation
    assert joined.outcome.endswith(
        "kunskap om SIP/SKIP men sämre kunskap om de lokala överenskommelser som finns "
        "mellan kommun och region"
    )
    assert goals[1].outcome.endswith("Andelen av dessa som genomförts enbart med Premicare är 24 st.")
    assert [g.confidence for g in goals] == [1.0, 0.7, 0.7, 1.0, 1.0]
    assert any("-g3" in w and "joined" in w for w in warnings)


def test_report_2_table_broken_across_pages_with_empty_answers(reports):
    goals, _ = goals_of(reports[1])
    assert len(goals) == 7
    assert [g.level for g in goals] == ["unknown"] + ["sub"] * 6
    assert all(g.achieved is None and g.achieved_raw is None for g in goals)
    first = goals[0]
    assert first.goal == (
        "Att deltagande i projektet ger positiva effekter på hälsan och därigenom också på förmågan "
        "till praktik, arbete eller studier."
    )
    assert first.outcome.startswith(
        "2 deltagare som gått mot sjukersättning 5 deltagare som gått mot jobb 9 "
    )
    assert (first.page, goals[1].page) == (5, 6)
    assert goals[1].goal == "20 deltagare ska erbjudas Hälsoprojektet under hösten"
    assert goals[1].outcome.startswith("Delmålen reviderades 2020")
    assert goals[6].goal == "Projektet ska ta fram underlag för implementering"
    assert goals[6].outcome.startswith("Projektet leder till att Enheten för hållbar försörjning")
    assert all(g.confidence == 0.7 for g in goals)


def test_report_4_continuation_and_shared_answer_cells(reports):
    goals, warnings = goals_of(reports[3])
    assert len(goals) == 9
    assert [g.achieved for g in goals] == ["yes"] * 6 + [None] + ["yes"] * 2
    assert goals[6].achieved_raw == "JA/NEJ" and goals[6].confidence == 0.5
    assert goals[3].goal == (
        "Deltagare som är inskrivna hos samverkande myndigheter är fortsatt inskrivna hos aktuell "
        "myndighet som aktivt följer individens utveckling."
    )
    assert goals[3].outcome.endswith("deltagarna har fortsatt varit inskrivna hos aktuell myndighet.")
    assert goals[8].goal == "Att aktivt föra dialog om samverkan."
    assert goals[8].outcome.endswith("har genomsyrat hos medverkande parter genom projekttiden.")
    assert [g.confidence for g in goals[:3]] == [1.0, 1.0, 1.0]
    assert all(g.confidence <= 0.7 for g in goals[3:])
    assert any("'JA/NEJ'" in w for w in warnings)


def test_report_3_has_no_goal_section(reports):
    assert not any(s.key == "goals" for s in reports[2].sections)


def test_several_goals_sharing_one_answer_cell():
    text = "<ul>• Att öka samverkan • Att minska sjukskrivningen\tDelvis\tSamverkan ökade.\n"
    goals, warnings = slutrapport_goals(text, "d", None, lambda o: 1, start=5)
    assert [(g.goal_id, g.goal, g.achieved, g.outcome, g.confidence) for g in goals] == [
        ("d-g5", "Att öka samverkan", "partly", "Samverkan ökade.", 0.7),
        ("d-g6", "Att minska sjukskrivningen", "partly", "Samverkan ökade.", 0.7),
    ]
    assert warnings == ["goals d-g5..d-g6 share one answer and outcome cell"]


def test_heading_and_header_phrases_are_not_goals():
    text = (
        "4.1 Insatsens mål Ange uppsatta mål för insatsen\tHar målet uppnåtts? Ja eller nej\t"
        "Utfall/resultat för respektive mål\nAtt öka\tJa\t\n"
    )
    goals, _ = slutrapport_goals(text, "d", None, lambda o: 1)
    assert [(g.goal, g.achieved, g.outcome) for g in goals] == [("Att öka", "yes", None)]


def test_answer_words():
    assert read_achieved("NEJ") == ("no", "NEJ")
    assert read_achieved("<p>Ja,</p> delvis") == ("yes", "Ja, delvis")
    assert read_achieved("Uppnås 2023") == (None, "Uppnås 2023")
    assert read_achieved("  ") == (None, None)


def test_ocr_paragraphs_of_the_scanned_form():
    goals, warnings = slutrapport_goals(SCAN_GOALS, "scan", None, lambda o: 3)
    assert summary(goals) == [
        ("overall", "Att samverkan ska leda till at", "yes", "Arbetslösheten sjunker i Härnö"),
        ("sub", "Att skapa en organisation med ", "yes", "Förbättrade gemensamma rutiner"),
        ("sub", "Att samtliga individer som tar", "yes", "I de fall nybesök leder till a"),
        ("sub", "Att de individer som tar del a", "yes", "Införandet av BIP kommer tydli"),
    ]
    assert goals[1].goal.endswith("konkreta mål och gemensamma rutiner där uppdragen är tydliggjorda")
    assert all(g.confidence == 0.6 and g.page == 3 for g in goals)
    assert "OCR" in warnings[0]


def test_ocr_lines_with_the_answer_on_the_goal_line():
    text = (
        "Ange uppsatta mål för insatsen Har målet uppnåtts? Ja eller nej Utfall/resultat för respektive mål\n"
        "Övergripande projektmål: Att samverkan ska öka Ja Arbetslösheten sjunker\n"
        "men är högre än i länet\n"
        "Mätbara delmål:\n"
        "Att skapa en organisation Nej Rutinerna finns inte\n"
        "Att alla får en handlingsplan JA/NEJ I de fall\n"
    )
    goals, warnings = slutrapport_goals(text, "x", None, lambda o: 1)
    assert [(g.level, g.goal, g.achieved, g.achieved_raw, g.outcome) for g in goals] == [
        ("overall", "Att samverkan ska öka", "yes", "Ja", None),
        ("sub", "Att skapa en organisation", "no", "Nej", None),
        ("sub", "Att alla får en handlingsplan", None, "JA/NEJ", None),
    ]
    assert all(g.confidence == 0.5 for g in goals)
    assert "outcomes are not read" in warnings[0]


def test_unreadable_ocr_table_warns():
    goals, warnings = slutrapport_goals("Sida 4\n\nnågot helt annat\n", "x", None, lambda o: 1)
    assert goals == [] and warnings and "not readable" in warnings[0]


def test_prose_goals_of_an_insats():
    lines = DELARSRAPPORT_GT.read_text(encoding="utf-8").split("\n")
    text = "\n".join(lines[60:100])  # Stärkt samverkan's Mål and Arbetsmarknadstorg i Härnösand
    goals, warnings = prose_goals(text, "d", "d-p3", lambda o: 2)
    assert [(g.level, g.goal) for g in goals] == [
        ("unknown", "Att skapa en gemensam förståelse och riktlinjer för samverkan."),
        ("unknown", "Att mötas på en samverkansyta"),
        ("unknown", "Att skapa samarbetsformer som tydliggörs i en lokal överenskommelse om samverkan."),
        ("unknown", "Att skapa dialog kring samverkan."),
        ("unknown", "Att tillsammans kartlägga och utveckla nya kompetenshöjande insatser."),
        ("overall", "Att samverkan ska leda till att arbetslösheten hos målgruppen ska minska"),
        (
            "sub",
            "Att samtliga individer som tar del av arbetsmarknadstorgets insatser får en upprättad "
            "planering i syfte att bli självförsörjande",
        ),
        ("sub", "Att deltagarnas självupplevda anställningsbarhet ska öka"),
    ]
    assert all(g.achieved is None and g.outcome is None and g.project_id == "d-p3" for g in goals)
    assert [g.goal_id for g in goals][:2] == ["d-g1", "d-g2"]
    assert warnings == []


def test_prose_goal_lists_without_bullets_and_goal_sentences():
    text = (
        "Bakgrunden är lång.\n\nMål\n10 kvinnor ska få anställning\n25 kvinnor ska kunna logga in med\n"
        "bank-id\n\nSKAPA\nMålet är att 30% av 50 deltagare ska bli\n\nsjälvförsörjande. Det mäts årligen.\n"
    )
    goals, _ = prose_goals(text, "d", None, lambda o: 1)
    assert [(g.goal, g.confidence) for g in goals] == [
        ("10 kvinnor ska få anställning", 0.8),
        ("25 kvinnor ska kunna logga in med bank-id", 0.8),
        ("Målet är att 30% av 50 deltagare ska bli självförsörjande.", 0.7),
    ]


# §9 of samples/verksamhetsplan-2018-harnosand-timra.txt as cleaned: its OCR read the
# bullets as `e`.
PLAN_WORK_GOALS = """
e Sprida kunskap om Samordningsförbundets syfte, verksamhet och resultat hos
medlemmarna.

e Genomföra träffar/utbildningar mellan utvecklingsgruppen och styrelsen för att få en
Ökad samsyn.

e Verka för att parterna ska få en ökad kunskap om respektive parts uppdrag och
ansvarsområde i syfte att identifiera hinder.

e Ge stöd till att utveckla den strukturella samverkan mellan samverkansparterna.

"""


def test_plan_goals_of_a_list_with_ocr_bullets():
    goals, warnings = plan_goals(
        PLAN_WORK_GOALS, "Mål för verksamhetsarbetet under 2018", "d", lambda o: 1, 5
    )
    assert [(g.goal_id, g.level, g.goal, g.confidence) for g in goals] == [
        (
            "d-g5",
            "unknown",
            "Sprida kunskap om Samordningsförbundets syfte, verksamhet och resultat hos medlemmarna.",
            0.8,
        ),
        (
            "d-g6",
            "unknown",
            "Genomföra träffar/utbildningar mellan utvecklingsgruppen och styrelsen för att få en "
            "Ökad samsyn.",
            0.8,
        ),
        (
            "d-g7",
            "unknown",
            "Verka för att parterna ska få en ökad kunskap om respektive parts uppdrag och ansvarsområde i "
            "syfte att identifiera hinder.",
            0.8,
        ),
        (
            "d-g8",
            "unknown",
            "Ge stöd till att utveckla den strukturella samverkan mellan samverkansparterna.",
            0.8,
        ),
    ]
    assert all(g.project_id is None and g.achieved is None and g.outcome is None for g in goals)
    assert warnings == []
    # one line opening with `e` is a word, not a bullet: no list, and no goal sentence either
    assert plan_goals("e Sprida kunskap om förbundet hos medlemmarna.\n", "Mål", "d", lambda o: 1)[0] == []


def test_the_verksamhetsplans_own_goals():
    doc = process_file(SAMPLES / "verksamhetsplan-2018-harnosand-timra.txt", Options())[0]
    assert [(g.level, g.goal[:40], g.confidence) for g in doc.goals] == [
        # §4: a goal sentence
        ("unknown", "Förbundets finansiella mål är att översk", 0.7),
        # §5 "Förbundets övergripande mål och syfte": the purposes after "Syftet … är att:"
        ("overall", "Resurser används på ett effektivare sätt", 0.8),
        ("overall", "Möjliggöra en förbättrad förmåga till eg", 0.8),
        # §8 "Mål för insatser finansierade av Samordningsförbundet"
        ("unknown", "Attinsatserna långsiktigt stärker samarb", 0.8),
        ("unknown", "| de individinriktade insatserna ska del", 0.6),  # OCR's "I de"
        # §9 "Mål för verksamhetsarbetet under 2018"
        ("unknown", "Sprida kunskap om Samordningsförbundets ", 0.8),
        ("unknown", "Genomföra träffar/utbildningar mellan ut", 0.8),
        ("unknown", "Verka för att parterna ska få en ökad ku", 0.8),
        ("unknown", "Ge stöd till att utveckla den strukturel", 0.8),
    ]
    assert doc.goals[0].goal.endswith("d v s att inte överstiga 20 % av intäkterna.")
    assert {g.project_id for g in doc.goals} == {None} and {g.page for g in doc.goals} == {1}
    assert [g.goal_id for g in doc.goals] == [f"{doc.doc_id}-g{n}" for n in range(1, 10)]
    assert any("damaged by OCR" in w for w in doc.warnings)
