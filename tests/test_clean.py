import gc
import marshal
import random
from pathlib import Path

import pytest

from models.document import Correction, Document
from pipeline import clean, ingest
from pipeline.clean import apply_corrections, clean_document, corrector, raw_to_clean
from pipeline.clean.channel import parse_confusions
from pipeline.clean.corrector import MIN_CONFIDENCE, TOKEN_FIXES_ENV, Settings, correct, overlap_test
from pipeline.clean.dictionary import DictionaryError, load_token_fixes, parse_token_fixes
from pipeline.clean.lexicon import fold, parse_lexicon
from pipeline.clean.rejoin import parse_year_context
from pipeline.clean.tokens import token_fixes
from pipeline.metrics import cer, wer
from pipeline.options import Options
from tests.conftest import DELARSRAPPORT, SAMPLES, SLUTRAPPORTER, VERKSAMHETSPLAN

FIXES = {"rcdovisar": "redovisar", "lbrbundets": "förbundets", "&r": "är"}
RULES = {"token_fix", "confusion", "diacritics", "realword", "rejoin", "rejoin_year", "noise_mark"}
LATTICE_RULES = {"confusion", "diacritics", "realword", "rejoin"}
PROTOKOLL = SAMPLES / "protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt"
MEMO = SAMPLES / "redovisning-2018-timra-integrationsprojekt.txt"
GROUND_TRUTH = SAMPLES / "ground-truth" / "delarsrapport-2021-harnosand-timra.lines-099-170.gt.txt"


def cleaned(path: Path, settings: Settings | None = None) -> Document:
    doc = ingest.run(Document(source_file=str(path)), Options())
    return clean_document(doc, settings or Settings())


@pytest.fixture(scope="module")
def delarsrapport() -> Document:
    return cleaned(DELARSRAPPORT)


@pytest.fixture(scope="module")
def delarsrapport_unaided() -> Document:
    """The mangled sample cleaned without token_fixes.tsv, which was harvested from it."""
    return cleaned(DELARSRAPPORT, Settings(token_fixes=False))


def corrections_of(doc: Document) -> dict[str, str]:
    return {c.original: c.corrected for c in doc.corrections}


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


def test_mangled_sample_is_corrected_and_every_change_logged(delarsrapport):
    doc = delarsrapport
    assert "Samordningsförbundet i Härnösand Timrå redovisar delårsrapport för perioden" in doc.text
    assert len(doc.corrections) > 500
    assert {c.rule for c in doc.corrections} <= RULES
    for corr in doc.corrections:
        assert doc.raw_text[corr.start : corr.end] == corr.original
        assert doc.text[corr.clean_start : corr.clean_start + len(corr.corrected)] == corr.corrected
        assert corr.page is not None and 0 < corr.confidence <= 1
        if corr.rule in LATTICE_RULES:  # a doubtful reading is never applied
            assert corr.confidence >= MIN_CONFIDENCE
        assert doc.page_at(corr.clean_start) == corr.page  # page starts map into the corrected text


def test_clean_text_is_left_alone():
    # The slutrapporter are born-digital text: the cleaner must not change a word.
    doc = cleaned(SLUTRAPPORTER)
    assert doc.corrections == [] and doc.text == doc.raw_text


# --------------------------------------------------------------------------- data files


@pytest.mark.parametrize(
    ("parse", "line", "message"),
    [
        (parse_confusions, "rn\tm", "expected WRONG<TAB>RIGHT<TAB>COST"),
        (parse_confusions, "rn\tm\tbillig", "is not a number"),
        (parse_confusions, "rn\tm\t1.5", "outside"),
        (parse_confusions, "rn\tM\t0.2", "lowercase"),
        (parse_lexicon, "Region Västernorrland", "not a single word form"),
        (parse_year_context, "juni\tnära", "before|after"),
    ],
)
def test_malformed_data_lines_name_the_file_and_line(parse, line, message):
    with pytest.raises(DictionaryError, match=f"data.tsv:3: .*{message}"):
        parse(["# header", "", line], "data.tsv")


@pytest.mark.parametrize("name", ["confusions.tsv", "lexicon.txt", "year_context.tsv", "context_corpus.txt"])
def test_data_files_state_their_format(name):
    text = (clean.dictionary.CORRECTIONS_DIR / name).read_text(encoding="utf-8")
    assert text.startswith("# ") and "Format:" in text


# --------------------------------------------------------------------------- mangled OCR


def test_words_split_by_ocr_are_rejoined(delarsrapport_unaided):
    fixes = corrections_of(delarsrapport_unaided)
    assert fixes["Sarnordni ngslb rbu n d et"] == "Samordningsförbundet"
    assert fixes["ha r"] == "har" and fixes["u nder"] == "under"
    rejoin = next(c for c in delarsrapport_unaided.corrections if c.original == "Sarnordni ngslb rbu n d et")
    assert rejoin.rule == "rejoin"  # one correction over the six tokens


def test_words_broken_at_a_line_end_are_rejoined(delarsrapport_unaided):
    assert corrections_of(delarsrapport_unaided)["rehabiliterings\ninsarser"] == "rehabiliteringsinsatser"
    raw = "Insatsen hjälper fler att nå arbets-\nmarknaden. Hälso- och sjukvården deltar.\n"
    assert [(c.original, c.corrected) for c in correct(raw).corrections] == [
        ("arbets-\nmarknaden", "arbetsmarknaden")
    ]


def test_split_years_are_rejoined_but_amounts_and_table_rows_are_not(delarsrapport_unaided):
    years = {c.original: c.corrected for c in delarsrapport_unaided.corrections if c.rule == "rejoin_year"}
    assert years["20 21"] == "2021" and years["2 021"] == "2021" and years["2 005"] == "2005"
    assert years["20 20"] == "2020"
    assert "3 053 000 kr" in delarsrapport_unaided.text
    plan = cleaned(VERKSAMHETSPLAN)
    assert "Resekostnader 20 20 20" in plan.text
    assert not [c for c in plan.corrections if c.rule == "rejoin_year"]


def test_doubtful_amount_is_left_as_read_and_warned(delarsrapport_unaided):
    doc = delarsrapport_unaided
    assert doc.text.count("3 75,1 000") == doc.raw_text.count("3 75,1 000") == 2
    assert not [c for c in doc.corrections if "75,1" in c.original]
    warnings = [w for w in doc.warnings if "3 75,1 000" in w]
    assert warnings == [
        "page 1: doubtful amount '3 75,1 000' left as read (its digit groups cannot be an amount)",
        "page 2: doubtful amount '3 75,1 000' left as read (its digit groups cannot be an amount)",
    ]


def test_a_capital_that_is_ocr_damage_is_not_kept(delarsrapport_unaided):
    # `Lr` and `Ll` are a misread `u`, `G` a misread `ö`: mid-sentence, the word stays small.
    fixes = corrections_of(delarsrapport_unaided)
    assert fixes["Lrpprättats"] == "upprättats" and fixes["Lllifrån"] == "utifrån"
    assert "den enskildes förmåga att utföra" in delarsrapport_unaided.text
    assert corrections_of(cleaned(VERKSAMHETSPLAN, Settings(token_fixes=False)))["Gverskott"] == "överskott"


def test_a_capital_inside_a_small_word_is_read_as_small(delarsrapport_unaided):
    fixes = corrections_of(delarsrapport_unaided)
    assert fixes["aLla"] == "alla" and fixes["kontinuerLig"] == "kontinuerlig"
    assert fixes["beFogenheter"] == "befogenheter"
    lexicon = clean.index.load_index().lexicon
    assert not lexicon.is_word("aLla") and lexicon.is_word("Alla") and lexicon.is_word("ALLA")
    assert lexicon.is_word("FoU")  # an acronym begins with a capital


def test_damaged_domain_names_beyond_the_search_budget_are_read_back(delarsrapport_unaided):
    fixes = corrections_of(delarsrapport_unaided)
    assert fixes["Försäl<ringshassån"] == "Försäkringskassan"
    assert fixes["^l'betsfiirmedllngen"] == "Arbetsförmedlingen"
    assert fixes["llarnosands"] == "Härnösands"
    # `lirngera` (fungera) reads as Timrå only at 0.35 per letter: too dear, left as read.
    assert "lirngera" not in fixes
    index = clean.index.load_index()
    assert index.readings("Försäl<ringshassån")[len("Försäl<ringshassån")] == []  # beyond the budget
    assert index.domain_readings("lirngera") == []


def test_real_word_errors_are_corrected_in_mangled_text(delarsrapport_unaided):
    # `lör` (a word: short for lördag) is OCR's `för` in this text, `del` its `det`.
    assert "samordning inom rehabiliteringsområdet" in delarsrapport_unaided.text
    assert "att utföra förvärvsarbete för personer" not in delarsrapport_unaided.raw_text
    assert "för personer som befinner sig långt ifrån arbetsmarknaden" in delarsrapport_unaided.text


def test_error_rates_fall_on_the_hand_ground_truth(delarsrapport_unaided):
    # Lines 99-170 of the delårsrapport, typed by hand; token_fixes.tsv off (it was harvested
    # from this file). Measured: WER 41% -> 16% (-62%), CER 12% -> 5% (-61%).
    doc, truth = delarsrapport_unaided, GROUND_TRUTH.read_text(encoding="utf-8")
    starts = [0] + [i + 1 for i, ch in enumerate(doc.raw_text) if ch == "\n"]
    start, end = starts[98], starts[170] - 1
    before = doc.raw_text[start:end]
    after = doc.text[raw_to_clean(doc.corrections, start) : raw_to_clean(doc.corrections, end)]
    assert wer(after, truth) <= 0.45 * wer(before, truth)
    assert cer(after, truth) <= 0.5 * cer(before, truth)


def test_token_fixes_can_be_switched_off(monkeypatch):
    monkeypatch.setenv(TOKEN_FIXES_ENV, "0")
    raw = "Samordningslörbundel i Härnösand rcdovisar."
    assert all(c.rule != "token_fix" for c in clean.corrector.correct(raw).corrections)
    monkeypatch.setenv(TOKEN_FIXES_ENV, "1")
    assert any(c.rule == "token_fix" for c in clean.corrector.correct(raw).corrections)


# --------------------------------------------------------------------------- lost diacritics


def test_stripped_document_gets_its_diacritics_back():
    doc = cleaned(VERKSAMHETSPLAN, Settings(token_fixes=False))
    fixes = corrections_of(doc)
    assert fixes["Harnésand"] == "Härnösand" and fixes["forbundet"] == "förbundet"
    assert "Verksamhetsplanen för 2018 utgår från diskussioner och förslag" in doc.text
    assert "Styrelsen har årligen ett seminarium" in doc.text  # har stays har


def test_normal_document_keeps_a_folded_word():
    # One folded word in born-digital text is a choice of its writer, not lost diacritics.
    # (token_fixes.tsv is off: it lists Harnésand, which it fixes everywhere.)
    raw = (
        SLUTRAPPORTER.read_text(encoding="utf-8")
        + "\nStyrelsen anser att forbundet och Harnésand gör rätt.\n"
    )
    result = correct(raw, Settings(token_fixes=False))
    assert result.loss is None and result.corrections == []


def test_folded_memo_is_restored_and_har_stays_har():
    # The memo (not in the context corpus) with its diacritics folded away, as Tesseract's
    # English model prints Swedish. `har` is restored only where context asks for `här`; the
    # corpus has no `här kommer`, so the memo's two `Här kommer` stay `Har` (a known limit).
    original = MEMO.read_text(encoding="utf-8")
    raw = fold(original)
    text = apply_corrections(raw, correct(raw).corrections)
    assert "Timrå Kommun har i dagsläget" in text and "Torget har fått 900 tkr" in text
    assert "Här kommer en redovisning" in original and "samverkan mellan förvaltningar/nämnder" in text
    assert wer(text, original) <= 0.2 * wer(raw, original)  # measured 0.245 -> 0.029


def test_compounds_no_word_list_holds_get_their_marks_back():
    # Neither wordfreq nor the context corpus lists these compounds; hunspell accepts them
    # with their marks back, so a document that lost its marks gets them restored.
    added = "\nVi erbjuder processtöd och vägledningsstöd samt arbetsplatsträffar för samverkansmål.\n"
    original = MEMO.read_text(encoding="utf-8") + added
    raw = fold(original)
    lexicon = clean.index.load_index().lexicon
    assert not any(word in lexicon.frequency for word in ("processtöd", "vägledningsstöd", "samverkansmål"))
    result = correct(raw)
    fixes = {c.original: (c.corrected, c.rule) for c in result.corrections}
    assert result.loss == "stripped"
    for word in ("processtöd", "vägledningsstöd", "arbetsplatsträffar", "samverkansmål"):
        assert fixes[fold(word)] == (word, "diacritics")


def test_restored_compounds_try_the_fewest_changes_first():
    from pipeline.clean.diacritics import MAX_COMPOUND_CHECKS, restored_compounds

    lexicon = clean.index.load_index().lexicon
    assert restored_compounds("samverkansmal", lexicon) == ("samverkansmål",)
    assert restored_compounds("samverkansmål", lexicon) == ()  # nothing left to restore
    assert restored_compounds("rapport", lexicon) == ()  # a word with no a/o: nothing to try
    checked = []
    counting = type("Counting", (), {"is_word": lambda self, word: checked.append(word) or False})()
    assert restored_compounds("aaaaaaaa", counting) == ()
    assert len(checked) == MAX_COMPOUND_CHECKS


def test_a_lone_bar_between_words_is_read_as_i():
    # Tesseract prints `i` as a bar; the verksamhetsplan's "| utvecklandet av samverkan" is
    # "I utvecklandet ...", not "Utvecklandet" with the bar dropped as a piece of a word.
    doc = cleaned(VERKSAMHETSPLAN, Settings(token_fixes=False))
    assert "tjänsteman. I utvecklandet av samverkan" in doc.text


def test_addresses_and_numbers_are_untouched_in_a_stripped_document():
    original = SLUTRAPPORTER.read_text(encoding="utf-8")
    raw = fold(original)
    result = correct(raw)
    text = apply_corrections(raw, result.corrections)
    assert result.loss == "stripped"
    assert "issam.sassi@harnosand.se" in text and "hans.skimmermo@abetsformedlingen.se" in text
    assert "Kontaktperson för insatsägare" in text
    for corr in result.corrections:
        assert not any(ch.isdigit() for ch in corr.original) and "@" not in corr.original


# --------------------------------------------------------------------------- clean text


@pytest.mark.parametrize("path", [SLUTRAPPORTER, PROTOKOLL, MEMO])
def test_clean_samples_change_at_most_two_words_in_a_thousand(path):
    raw = path.read_text(encoding="utf-8")
    changed = sum(len(c.original.split()) or 1 for c in correct(raw).corrections)
    assert changed <= 0.002 * len(raw.split())


def test_index_cache_is_named_by_what_it_was_built_from():
    corpus = clean.context.corpus_files()
    assert clean.index.fingerprint(corpus) == clean.index.fingerprint(corpus)
    assert clean.index.fingerprint(corpus[:1]) != clean.index.fingerprint(corpus)
    assert clean.index.load_index() is clean.index.load_index(corpus)


def test_caches_of_another_trie_layout_are_not_read(monkeypatch):
    # Two builds with tries of different node sizes (an upgrade, a second checkout) keep
    # caches of their own rather than rebuilding each other's in turn.
    corpus = clean.context.corpus_files()
    before = clean.index.fingerprint(corpus)
    monkeypatch.setattr(clean.index, "TRIE_NODE_BYTES", clean.index.TRIE_NODE_BYTES + 4)
    assert clean.index.fingerprint(corpus) != before


def test_compounds_and_domain_words_are_words():
    lexicon = clean.index.load_index().lexicon
    for word in (
        "styrelsesammanträden",
        "rehabiliteringsområdet",
        "förbundsmedlemmar",
        "insatsägare",
        "Timrå",
    ):
        assert lexicon.is_word(word), word
    for damaged in ("lörbundets", "rehablliteringsorrr:idet", "timrå"):
        assert not lexicon.is_word(damaged), damaged


def test_hunspell_verdicts_kept_are_bounded(monkeypatch):
    lexicon = clean.index.load_index().lexicon
    monkeypatch.setattr(clean.lexicon, "MAX_VERDICTS", 3)
    monkeypatch.setattr(lexicon, "_valid", {})
    words = ("förbundet", "lörbundet", "a", "b", "styrelsesammanträden")
    verdicts = [lexicon.is_word(word) for word in words]
    assert verdicts[0] and not verdicts[1] and verdicts[4]
    assert 0 < len(lexicon._valid) <= 3


def test_best_path_skips_a_position_no_path_reaches():
    # Position 1 lies inside the two-token edge only, and an edge starts there that no path
    # can take, ending in a word a path does end in: the lattice must solve around it, as
    # it did when the language model was asked in each pass.
    from pipeline.clean.lattice import Edge, Option, best_path

    edges = [
        Edge(0, 2, [Option("ab", "ab", 0.0)]),
        Edge(1, 2, [Option("b", "ab", 0.0)]),
        Edge(2, 3, [Option("c", "c", 0.0), Option("k", "k", -1.0, "confusion", 0.5)]),
    ]
    path = best_path(3, edges, lambda word, previous: -1.0, "<s>")
    assert [choice.option.text for choice in path] == ["ab", "c"]


def test_overlap_test_agrees_with_a_scan_of_every_span():
    # Stray apostrophes are dropped where a correction already covers them: the bisection
    # must find exactly the overlaps a scan finds, for touching, nested and overlapping spans.
    rng = random.Random(11)

    def span(start: int, end: int) -> Correction:
        return Correction(start=start, end=end, original="x", corrected="y", rule="confusion", confidence=1.0)

    for _ in range(300):
        taken = []
        for _ in range(rng.randrange(0, 12)):
            start = rng.randrange(0, 60)
            taken.append(span(start, start + rng.randrange(1, 9)))
        overlaps = overlap_test(taken)
        for start in range(0, 70):
            for length in (1, 2, 5):
                probe = span(start, start + length)
                scan = any(c.start < probe.end and probe.start < c.end for c in taken)
                assert overlaps(probe) == scan, (taken, probe)


def test_a_damaged_cache_file_is_refused_and_built_again(tmp_path, monkeypatch):
    # Cache files are read through a memory map (index.read_marshal): an empty or cut-off
    # one fails as a copied one did, and the word forms are built and written again.
    good = tmp_path / "good.marshal"
    good.write_bytes(marshal.dumps((1, "två", b"\x00" * 1000)))
    assert clean.index.read_marshal(good) == (1, "två", b"\x00" * 1000)
    (tmp_path / "cut.marshal").write_bytes(good.read_bytes()[:-10])
    with pytest.raises((EOFError, ValueError)):
        clean.index.read_marshal(tmp_path / "cut.marshal")
    monkeypatch.setenv("FINSAM_CACHE_DIR", str(tmp_path / "cache"))
    forms = clean.index.load_forms.__wrapped__()  # builds the cache
    [path] = (tmp_path / "cache").glob("clean-forms-*.marshal")
    path.write_bytes(b"")
    again = clean.index.load_forms.__wrapped__()
    assert path.stat().st_size > 1_000_000
    assert again.possible("samordningsförbundet") and forms.possible("samordningsförbundet")
    assert not again.possible("lörbundets")


# --------------------------------------------------------------------------- the collector


@pytest.mark.parametrize("path", [DELARSRAPPORT, VERKSAMHETSPLAN, SLUTRAPPORTER])
def test_a_pass_leaves_no_reference_cycles(path):
    # correct() pauses the garbage collector (corrector.collector_paused), which is only
    # harmless while a pass frees all it makes by reference counting. Texts never seen
    # (hunspell asked afresh), mangled, stripped of å/ä/ö and clean.
    raw = path.read_text(encoding="utf-8")
    correct(raw, Settings())  # what loads once (the index, caches of the data files)
    clean.index.load_index().forget(verdicts=True)
    gc.collect()
    gc.disable()  # else the first allocation after the pass would collect what it left
    try:
        correct(raw, Settings())
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_the_collector_is_paused_while_correcting_and_left_as_found(monkeypatch):
    seen = []
    split = corrector.split_tokens

    def watched(raw):
        seen.append(gc.isenabled())
        return split(raw)

    monkeypatch.setattr(corrector, "split_tokens", watched)
    assert gc.isenabled()
    correct("Samordningslörbundel rcdovisar.", Settings())
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        correct("Styrelsen har sammanträtt.", Settings())
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()
    with corrector.collector_paused():
        with corrector.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner block ends; an outer one is still under way
    assert gc.isenabled()

    def broken(raw):
        raise RuntimeError("a pass fails")

    monkeypatch.setattr(corrector, "split_tokens", broken)
    with pytest.raises(RuntimeError):
        correct("Styrelsen har sammanträtt.", Settings())
    assert gc.isenabled()
