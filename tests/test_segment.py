import pytest

from models.document import Document
from pipeline import clean, ingest, segment
from pipeline.options import Options
from pipeline.segment.matcher import find_headings
from pipeline.segment.templates import load_templates
from tests.conftest import DELARSRAPPORT, SLUTRAPPORTER, VERKSAMHETSPLAN

FULL_SLUTRAPPORT = [
    "project",
    "applicants",
    "description",
    "background",
    "purpose",
    "target_group",
    "results",
    "goals",
    "method",
    "deviations",
    "follow_up",
    "analysis",
    "effects",
    "cooperation",
    "lessons",
    "implementation",
    "system_errors",
    "costs",
    "signatures",
]


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
    for index in (0, 1, 4):
        assert [s.key for s in slutrapporter[index].sections] == FULL_SLUTRAPPORT
        assert slutrapporter[index].template_score == 1.0


def test_report_missing_pages_is_typed_but_warned(slutrapporter):
    third = slutrapporter[2]
    keys = [s.key for s in third.sections]
    assert keys[:2] == ["project", "applicants"] and "goals" not in keys and "costs" in keys
    assert 0.5 <= third.template_score < 0.8
    assert any("missing required sections: 3 Insatsbeskrivning" in w for w in third.warnings)


def test_repeated_signature_page_is_warned(slutrapporter):
    fourth = slutrapporter[3]
    assert [s.key for s in fourth.sections].count("signatures") == 1
    assert any("repeated heading '7 Underskrifter'" in w for w in fourth.warnings)


def test_sections_point_into_the_corrected_text(slutrapporter):
    for doc in slutrapporter:
        for section in doc.sections:
            assert doc.text[section.start : section.end].lstrip("<p> ").startswith(section.number)
            assert doc.start <= section.start < section.end <= doc.span_end


def test_heading_matching_tolerates_a_damaged_letter_but_not_unrelated_lines():
    template = next(t for t in load_templates() if t.type == "slutrapport")
    matches, _ = find_headings("6. Ekonomisk rapporl\n2 deltagare som gått mot jobb\n", template)
    assert [(m.heading.key, m.score > 0.9) for m in matches] == [("costs", True)]


@pytest.mark.parametrize("path", [DELARSRAPPORT, VERKSAMHETSPLAN])
def test_other_reports_are_not_forced_into_the_slutrapport_template(path):
    docs = segmented(path)
    assert len(docs) == 1 and docs[0].doc_type == "unknown" and docs[0].template_score < 0.5
