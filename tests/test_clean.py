from pathlib import Path

import pytest

from models.document import Correction, Document
from pipeline import clean, ingest
from pipeline.clean import apply_corrections, raw_to_clean
from pipeline.clean.dictionary import DictionaryError, load_token_fixes, parse_token_fixes
from pipeline.clean.tokens import token_fixes
from pipeline.options import Options
from tests.conftest import DELARSRAPPORT, SLUTRAPPORTER

FIXES = {"rcdovisar": "redovisar", "lbrbundets": "förbundets", "&r": "är"}


def cleaned(path: Path) -> Document:
    doc = ingest.run(Document(source_file=str(path)), Options())
    return clean.run(doc, Options())


def test_whole_tokens_are_fixed_and_punctuation_kept():
    raw = "Förbundet rcdovisar (lbrbundets) arbete, det &r bra."
    corrections = token_fixes(raw, FIXES)
    text = apply_corrections(raw, corrections)
    assert text == "Förbundet redovisar (förbundets) arbete, det är bra."
    for corr in corrections:
        assert raw[corr.start : corr.end] == corr.original
        assert text[corr.clean_start : corr.clean_start + len(corr.corrected)] == corr.corrected


def test_fix_applies_only_to_whole_tokens_and_never_to_addresses():
    raw = "xrcdovisar rcdovisarx rcdovisar@timra.se https://rcdovisar.se"
    assert token_fixes(raw, FIXES) == []


def test_offsets_map_from_raw_to_clean_text():
    raw = "&r A. &r B."
    corrections = token_fixes(raw, FIXES)
    text = apply_corrections(raw, corrections)
    assert raw_to_clean(corrections, raw.index("B")) == text.index("B")


def test_overlapping_corrections_are_refused():
    a = Correction(start=0, end=4, original="abcd", corrected="x", rule="t", confidence=1)
    b = Correction(start=2, end=5, original="cde", corrected="y", rule="t", confidence=1)
    with pytest.raises(ValueError, match="overlapping"):
        apply_corrections("abcdef", [a, b])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("bara ett fält", "expected WRONG<TAB>RIGHT"),
        ("samma\tsamma", "maps to itself"),
        ("(ord\tord", "punctuation"),
    ],
)
def test_malformed_dictionary_lines_name_the_line(line, message):
    with pytest.raises(DictionaryError, match=f"test.tsv:2: .*{message}"):
        parse_token_fixes(["# header", line], "test.tsv")


def test_dictionary_file_loads_and_has_a_format_header():
    fixes = load_token_fixes()
    assert len(fixes) > 50
    assert clean.dictionary.TOKEN_FIXES.read_text(encoding="utf-8").startswith("# ")


def test_mangled_sample_is_corrected_and_every_change_logged():
    doc = cleaned(DELARSRAPPORT)
    assert "Samordningsförbundet i Härnösand Timrå redovisar delårsrapport för perioden" in doc.text
    assert len(doc.corrections) > 50
    for corr in doc.corrections:
        assert doc.raw_text[corr.start : corr.end] == corr.original
        assert corr.page is not None and corr.rule == "token_fix"


def test_clean_text_is_left_alone():
    # The slutrapporter are born-digital text: the cleaner must not change a word.
    doc = cleaned(SLUTRAPPORTER)
    assert doc.corrections == [] and doc.text == doc.raw_text
