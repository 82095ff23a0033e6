"""The filter that spares hunspell the strings it cannot accept (pipeline/clean/forms.py).

It must never rule out a word hunspell accepts: that would change the corrections. These
tests hold it against the real hunspell-sv on every word of the lexicon, on compounds of
frequent words, and on the strings the mangled sample makes the cleaner ask about.
"""

from __future__ import annotations

import random

import pytest

from pipeline.clean._search import Forms, Trie
from pipeline.clean.corrector import Settings, correct
from pipeline.clean.forms import (
    ALONE,
    BEGIN,
    END,
    MIDDLE,
    FormsError,
    break_points,
    may_be_read,
    parse_aff,
    read_apart,
    word_forms,
)
from pipeline.clean.index import load_forms, load_index
from pipeline.clean.lexicon import hunspell_dictionary, hunspell_files
from pipeline.clean.speller import Speller
from tests.conftest import DELARSRAPPORT, VERKSAMHETSPLAN

AFF = """SET UTF-8
COMPOUNDMIN 2
COMPOUNDBEGIN X
COMPOUNDMIDDLE U
COMPOUNDEND Y
COMPOUNDPERMITFLAG W
SIMPLIFIEDTRIPLE
SFX A Y 3
SFX A 0 en [^e]
SFX A e s/XW e
SFX A 0 ar/X [^e]
"""
DIC = """5
glass/XY
skål/Y
hus/XA
vinge/YA
båt/UYA
"""


def possible(forms: Forms, word: str) -> bool:
    lower = word.lower()
    return not lower.isalpha() or forms.possible(lower)


@pytest.fixture(scope="module")
def forms() -> Forms:
    return load_forms()


def test_forms_and_roles_of_a_small_dictionary(tmp_path):
    (tmp_path / "t.aff").write_text(AFF, encoding="utf-8")
    (tmp_path / "t.dic").write_text(DIC, encoding="utf-8")
    table, min_part, breaks = word_forms(tmp_path / "t.dic", tmp_path / "t.aff")
    assert min_part == 2
    # A suffix ends a compound: its form keeps the entry's end role only, unless the suffix
    # carries COMPOUNDPERMITFLAG; a suffix's continuation flags add their roles.
    assert table["husen"] == table["husar"] == ALONE
    assert table["båtar"] == END | ALONE
    assert table["vings"] == END | BEGIN | ALONE
    assert "vingeen" not in table  # the condition [^e] keeps `en` off `vinge`
    assert table["båt"] == MIDDLE | END | ALONE
    filter_ = Forms(Trie({form: float(roles) for form, roles in table.items()}), min_part)
    accepted = ("hus", "husbåt", "husbåtvinge", "vingsbåt", "glasskål", "husvinge", "husbåtar")
    for word in accepted:
        assert filter_.possible(word), word
    # båt cannot begin a compound, skål cannot stand in its middle, `xy` is no form at all,
    # a part must have two letters, and husen and husar are suffixed without permission.
    ruled_out = ("båthus", "glasskålbåt", "husxy", "husq", "hu", "husenbåt", "husarbåt")
    for word in ruled_out:
        assert not filter_.possible(word), word
    # The real hunspell on the same files agrees on all of them.
    spell = Speller(tmp_path / "t.aff", tmp_path / "t.dic").spell
    assert [word for word in accepted if not spell(word)] == []
    assert [word for word in ruled_out if spell(word)] == []


def test_the_entries_of_compound_rules_may_stand_anywhere():
    roles = parse_aff(AFF + "COMPOUNDRULE 2\nCOMPOUNDRULE 47\nCOMPOUNDRULE )k?\n").roles
    assert roles["4"] == roles["7"] == roles[")"] == roles["k"] == BEGIN | MIDDLE | END
    assert "2" not in roles and "?" not in roles  # the count of rules, a quantifier
    assert roles["X"] == BEGIN and roles["Y"] == END


def test_a_dictionary_the_filter_does_not_model_is_refused():
    with pytest.raises(FormsError, match="PFX"):
        parse_aff(AFF + "PFX B Y 1\nPFX B 0 o .\n")


def test_a_dictionary_it_does_not_model_leaves_every_question_to_hunspell(monkeypatch, tmp_path):
    from pipeline.clean import index as index_module
    from pipeline.clean.lexicon import Lexicon

    def refuse(dic, aff):
        raise FormsError("the .aff uses PFX")

    monkeypatch.setenv("FINSAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(index_module, "word_forms", refuse)
    index_module.load_forms.cache_clear()
    try:
        assert index_module.load_forms() is None
    finally:
        index_module.load_forms.cache_clear()
    lexicon = Lexicon({}, {}, Trie({"a": 1.0}), {}, frozenset(), None)
    assert lexicon.is_word("styrelsesammanträden") and not lexicon.is_word("lörbundets")


def test_no_word_of_the_lexicon_that_hunspell_accepts_is_ruled_out(forms):
    spell = hunspell_dictionary().spell
    words = list(load_index().lexicon.frequency)
    assert len(words) > 200_000
    ruled_out = [word for word in words if not possible(forms, word)]
    assert [word for word in ruled_out if spell(word)] == []


def test_no_compound_hunspell_accepts_is_ruled_out_and_most_others_are(forms):
    spell = hunspell_dictionary().spell
    lexicon = load_index().lexicon
    top = sorted((w for w in lexicon.frequency if w.isalpha()), key=lexicon.frequency.get, reverse=True)
    top = top[:20_000]
    rng = random.Random(4)
    accepted, rejected, wrongly_ruled_out, ruled_out = 0, 0, [], 0
    for _ in range(15_000):
        parts = rng.sample(top, rng.choice((2, 2, 3)))
        word = "".join(part + rng.choice(("", "", "s")) for part in parts[:-1]) + parts[-1]
        for variant in (word, word.capitalize()):
            if spell(variant):
                accepted += 1
                if not possible(forms, variant):
                    wrongly_ruled_out.append(variant)
            else:
                rejected += 1
                ruled_out += not possible(forms, variant)
    assert accepted > 500 and wrongly_ruled_out == []
    assert ruled_out >= 0.8 * rejected  # measured 0.88 on such strings


def test_the_sample_asks_hunspell_far_less_and_gets_the_same_answers(forms, monkeypatch):
    # Every string the cleaner asks about in two samples is asked with and without the
    # filter: the answers must be equal, and most of the questions must not reach hunspell.
    index = load_index()
    lexicon = index.lexicon
    asked: list[str] = []
    spell = hunspell_dictionary().spell

    class Recording:
        def spell(self, word: str) -> bool:
            asked.append(word)
            return spell(word)

    monkeypatch.setattr("pipeline.clean.lexicon.hunspell_dictionary", lambda: Recording())
    monkeypatch.setattr(lexicon, "_valid", {})
    index.forget()
    for path in (DELARSRAPPORT, VERKSAMHETSPLAN):
        correct(path.read_text(encoding="utf-8"), Settings())
    with_filter = len(asked)
    strings = list(lexicon._valid)
    verdicts = dict(lexicon._valid)
    monkeypatch.setattr(lexicon, "forms", None)
    monkeypatch.setattr(lexicon, "_valid", {})
    asked.clear()
    assert {text: lexicon.is_word(text) for text in strings} == verdicts
    assert with_filter < 0.15 * len(asked)  # measured 238 of 2,912 on the two samples
    index.forget()


def test_strings_hunspell_reads_apart_are_left_to_it():
    breaks = ("-", ".$", ":")
    for text in ("2021", "hälso-", ":a", "bl.a.", "t.ex.", "rock’n’roll", "lic. "):
        assert read_apart(text, breaks), text
    for text in ("a:b", "kommun-landsting", "l(ommun", "s\\,årt", "psyl{rska", "al[", "meto.lcr", "är'ett"):
        assert not read_apart(text, breaks), text
    assert read_apart("-bar", ("^-",)) and not read_apart("bar-bar", ("^-",))
    assert read_apart("bar-", ("-$",)) and not read_apart("bar-bar", ("-$",))


def test_strings_with_break_patterns_inside_are_split_as_hunspell_splits_them():
    breaks = ("-", ".$", ":")
    words = {"kommun", "landsting", "region", "s"}
    assert break_points("kommun:landsting-region", breaks) == [(16, 17), (6, 7)]
    assert break_points(":kommun:", breaks) == []
    for text in ("kommun:s", "kommun-landsting", "kommun:landsting-region", "kommun", "kommun-2021"):
        assert may_be_read(text, words.__contains__, breaks), text
    for text in ("kommun:lands", "psyki:rtridagarna", "kom(mun:s", "kommun:lands-tinget"):
        assert not may_be_read(text, words.__contains__, breaks), text
    # the string as a whole is a form: no split needed
    assert may_be_read("ak-47:a", {"ak-47:a"}.__contains__, breaks)


def test_no_string_with_other_characters_that_hunspell_accepts_is_ruled_out():
    # Forms of the dictionary that hold other characters than letters (`bl.a`, `rock'n'roll`,
    # entries with parentheses), in other cases and with a full stop; and words and
    # compounds of frequent words with OCR debris put in.
    spell = hunspell_dictionary().spell
    lexicon = load_index().lexicon
    table, _, _ = word_forms(*hunspell_files())
    odd = sorted(form for form in table if not form.isalpha())
    strings = []
    for form in odd[::3]:
        strings += [form, form.capitalize(), form.upper(), form + ".", form.replace("'", "’")]
    top = sorted((w for w in lexicon.frequency if w.isalpha()), key=lexicon.frequency.get, reverse=True)
    top = top[:20_000]
    rng = random.Random(5)
    debris = list("'()&!+_?,.:;-\\{}[]<>|^\"/*=»«’–") + ["1", "l'", "'s"]
    for _ in range(15_000):
        word = rng.choice(top) + rng.choice(("", "", rng.choice(top)))
        at = rng.randrange(len(word) + 1)
        word = word[:at] + rng.choice(debris) + word[at:]
        strings.append(rng.choice((word, word.capitalize(), word.upper())))
    for form in odd[::7]:
        strings += [rng.choice(top) + form, form + rng.choice(top)]
    # Words joined at the BREAK patterns, whole or with OCR debris in one of them: hunspell
    # splits these and checks the parts (forms.may_be_read).
    for _ in range(5_000):
        parts = [rng.choice(top) for _ in range(rng.choice((2, 2, 3)))]
        if rng.random() < 0.5:
            k = rng.randrange(len(parts))
            at = rng.randrange(len(parts[k]) + 1)
            parts[k] = parts[k][:at] + rng.choice(debris) + parts[k][at:]
        joined = parts[0]
        for part in parts[1:]:
            joined += rng.choice((":", "-", ":", "-", "--")) + part
        strings.append(rng.choice((joined, joined.capitalize(), joined.upper())))
    strings += [f"{word}:s" for word in top[:300:3]] + [f"{word}:{word}" for word in top[:200:5]]
    # What hunspell reads in ways of its own: numbers, trailing full stops, parts split at
    # its BREAK patterns (`-`, `:`).
    strings += ["2021", "3,5", "1-2", "12.30", "kommunen.", "Kommunen..", "kommun-landsting"]
    strings += ["FN:s", "kommun:s", "3:e", "2000-talet", "bl.a.", "rock'n'roll"]
    accepted = [text for text in strings if spell(text)]
    rejected = [text for text in strings if not spell(text)]
    assert len(accepted) > 5_000
    assert [text for text in accepted if not lexicon.may_be_word(text.lower())] == []
    ruled_out = sum(not lexicon.may_be_word(text.lower()) for text in rejected)
    assert ruled_out > 0.5 * len(rejected)
