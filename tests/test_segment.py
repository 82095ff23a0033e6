import pandas as pd
import pytest

from models.document import Document
from pipeline import clean, ingest, segment
from pipeline.options import Options
from pipeline.segment.furniture import furniture_spans
from pipeline.segment.matcher import FOLD_TABLE, find_headings, fold, normalise_number, prepare_lines
from pipeline.segment.templates import load_templates, parse_template
from tests.conftest import DELARSRAPPORT, SAMPLES, SLUTRAPPORTER, VERKSAMHETSPLAN

FULL_SLUTRAPPORT = [
    "project", "applicants", "description", "background", "purpose", "target_group", "results",
    "goals", "method", "deviations", "follow_up", "analysis", "effects", "cooperation", "lessons",
    "implementation", "system_errors", "costs", "signatures",
]  # fmt: skip
DELARSRAPPORT_KEYS = [
    "management_report", "summary", "about", "organisation", "history", "legal_basis", "mission",
    "funding", "vision", "target_groups", "activities", "federation_goals", "project_goals",
    "financial_goals", "projects", "board_work", "board", "manager", "development_group", "costs",
    "decision",
]  # fmt: skip
VERKSAMHETSPLAN_KEYS = [
    "preamble", "federation", "organisation", "financial_goals", "federation_goals", "direction",
    "target_groups", "project_goals", "work_goals", "follow_up", "projects", "budget",
]  # fmt: skip
PROTOKOLL_KEYS = [
    "meeting", "members", "attendees", "adjusters", "paragraph_list", "signatures", "notice",
    *["paragraph"] * 11, "other_matters",
]  # fmt: skip
ANSOKAN_KEYS = [
    "description", "background", "purpose", "goals", "target_group", "scope", "method", "timeline",
    "gender_equality", "accessibility", "diversity", "follow_up", "implementation", "costs", "signatures",
]  # fmt: skip
STATUSRAPPORT_KEYS = [
    "title", "target_group", "goals", "activities", "resources", "participants", "method",
    "cooperation", "results", "questions", "next_steps",
]  # fmt: skip
PROTOKOLL_FILE = SAMPLES / "protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt"


def segmented(path) -> list[Document]:
    doc = clean.run(ingest.run(Document(source_file=str(path)), Options()), Options())
    return [segment.run(part, Options()) for part in segment.split(doc, Options())]


@pytest.fixture(scope="module")
def slutrapporter() -> list[Document]:
    return segmented(SLUTRAPPORTER)


def test_sample_002_splits_into_five_slutrapporter(slutrapporter):
    assert [d.part for d in slutrapporter] == [0, 1, 2, 3, 4]
    assert {d.doc_type for d in slutrapporter} == {"slutrapport"}
    assert all(d.part_text.lstrip().startswith("Slutrapport") for d in slutrapporter)
    # The parts cover the file without gaps or overlaps.
    assert slutrapporter[0].start <= 2 and slutrapporter[-1].span_end == len(slutrapporter[0].text)
    for before, after in zip(slutrapporter, slutrapporter[1:], strict=False):
        assert before.span_end == after.start


def test_complete_reports_have_every_section(slutrapporter):
    for index in (0, 1, 3, 4):
        assert [s.key for s in slutrapporter[index].sections] == FULL_SLUTRAPPORT
        assert slutrapporter[index].template_score == 1.0


def test_report_missing_pages_is_typed_but_warned(slutrapporter):
    third = slutrapporter[2]
    keys = [s.key for s in third.sections]
    assert keys == ["project", "applicants", "deviations", "follow_up", "cooperation", "lessons",
                    "implementation", "costs", "signatures"]  # fmt: skip
    assert 0.5 <= third.template_score < 0.8
    assert any("missing required sections: 3 Insatsbeskrivning" in w for w in third.warnings)


def test_duplicated_page_is_kept_once_and_warned(slutrapporter):
    fourth = slutrapporter[3]
    assert [s.key for s in fourth.sections].count("signatures") == 1
    assert "page 19 repeats page 18; the repeat is ignored" in fourth.warnings
    content = fourth.content_text
    # The repeat (signed in Timrå) is blanked; the page it repeats stays.
    assert "Timrå 2021/16" not in content and "Sundsvall 2022-11-21" in content
    assert len(content) == len(fourth.part_text)


def test_letterhead_inside_a_cost_table_is_furniture(slutrapporter):
    second = slutrapporter[1]
    assert "SAMORDNINGSFÖRBUNDET" in second.part_text
    assert "SAMORDNINGSFÖRBUNDET" not in second.content_text and "HÄRNÖSAND TIMRÅ" not in second.content_text
    assert "Lönekostnader" in second.content_text


def test_page_numbers_are_furniture_but_years_are_not():
    text = "Sid a 3\nText på sidan.\n2021\n- 4 -"
    spans = furniture_spans(text, [(0, len(text))])
    assert [text[s:e] for s, e in spans] == ["Sid a 3", "- 4 -"]


def test_sections_point_into_the_corrected_text(slutrapporter):
    for doc in slutrapporter:
        for section in doc.sections:
            assert doc.text[section.start : section.end].lstrip("<p> ").startswith(section.number)
            assert doc.start <= section.start < section.end <= doc.span_end


def test_heading_matching_tolerates_damage_but_not_unrelated_lines():
    template = next(t for t in load_templates() if t.type == "slutrapport")
    text = "6: Ekonomisk rapporl\n2 deltagare som gått mot jobb\n"
    matches, _ = find_headings(prepare_lines(text), template)
    assert [(m.heading.key, m.score > 0.9) for m in matches] == [("costs", True)]
    assert normalise_number("1.:1.2") == "1.1.2" and normalise_number("1,3") == "1.3"
    assert fold("Förbundets ÅRSREDOVISNING") == "forbundets arsredovisning"


def test_fold_translates_every_character_as_the_table_says():
    # fold() translates only the runs of characters the table maps; every other character
    # must come out as a translation of the whole string would leave it.
    every = "".join(chr(c) for c in range(0x30000) if not 0xD800 <= c < 0xE000)
    assert fold(every) == every.lower().translate(FOLD_TABLE)
    assert fold("Ĳssel ÆRØ Straße") == "ijssel ærø straße"  # ø and æ have no decomposition
    assert fold("plain ascii") == "plain ascii"


def test_best_chain_is_not_derailed_by_an_early_stray_heading():
    template = parse_template(
        {"type": "t", "headings": [{"text": "Början", "key": "a", "required": True},
                                   {"text": "Mitten", "key": "b"}, {"text": "Slutet", "key": "c"}]},
        "test",
    )  # fmt: skip
    matches, left_out = find_headings(prepare_lines("Slutet\nBörjan\ntext\nMitten\nSlutet\n"), template)
    assert [m.heading.key for m in matches] == ["a", "b", "c"]
    assert [(reason, m.heading.key) for reason, m in left_out] == [("repeated", "c")]


@pytest.mark.parametrize(
    ("path", "types", "keys"),
    [
        (DELARSRAPPORT, ["delarsrapport"], [DELARSRAPPORT_KEYS]),
        (VERKSAMHETSPLAN, ["verksamhetsplan"], [VERKSAMHETSPLAN_KEYS]),
        (
            PROTOKOLL_FILE,
            ["protokoll", "ansokan", "statusrapport"],
            [PROTOKOLL_KEYS, ANSOKAN_KEYS, STATUSRAPPORT_KEYS],
        ),
        (SAMPLES / "redovisning-2018-timra-integrationsprojekt.txt", ["redovisning"], [["planned_projects"]]),
    ],
)
def test_every_sample_is_split_typed_and_sectioned(path, types, keys):
    docs = segmented(path)
    assert [d.doc_type for d in docs] == types
    assert [[s.key for s in d.sections] for d in docs] == keys
    assert all(d.template_score >= 0.8 for d in docs)


def test_each_report_scores_low_against_the_other_templates():
    for doc in segmented(PROTOKOLL_FILE):
        text = doc.content_text
        lines, folded = prepare_lines(text), fold(text)
        from pipeline.segment.matcher import template_score

        others = [
            template_score(find_headings(lines, t)[0], folded, t)
            for t in load_templates()
            if t.type != doc.doc_type
        ]
        assert max(others) < 0.5


def test_generated_scans_after_ocr_and_cleaning(sample_dataset):
    docs = pd.read_parquet(sample_dataset / "documents.parquet")
    sections = pd.read_parquet(sample_dataset / "sections.parquet")
    by_name = {
        source.rsplit("/", 1)[-1]: doc_id
        for source, doc_id in zip(docs.source_file, docs.doc_id, strict=True)
    }
    scan = by_name["slutrapport-arbetsmarknadstorg-scan.pdf"]
    assert docs.set_index("doc_id").loc[scan, "doc_type"] == "slutrapport"
    assert list(sections[sections.doc_id == scan].key) == FULL_SLUTRAPPORT
    photo = by_name["redovisning-2018-timra-photo.jpg"]
    assert docs.set_index("doc_id").loc[photo, "doc_type"] == "redovisning"
