"""The compiled channel search (_search.pyx) against its Python reference (reference_search.py).

The compiled search is a transcription for speed; these tests require identical readings,
word for word and cost for cost, on every single token and join window the cleaner searches
in the text samples, and on edge cases the samples lack.
"""

from __future__ import annotations

import pytest

from pipeline.clean import channel
from pipeline.clean._search import Trie
from pipeline.clean.channel import Channel, Confusion
from pipeline.clean.corrector import Settings, correct
from pipeline.clean.index import DOMAIN_EXPANSIONS, JOIN_EXPANSIONS, load_index
from tests import reference_search
from tests.conftest import DELARSRAPPORT, SLUTRAPPORTER, VERKSAMHETSPLAN


@pytest.fixture(scope="module")
def index():
    return load_index()


@pytest.fixture(scope="module")
def prefixes(index):
    return reference_search.prefix_table(index.lexicon.frequency)


def both(index, prefixes, text, stops=(), stripped=False, compounds=True):
    search = index.stripped_channel if stripped else index.channel
    limit = JOIN_EXPANSIONS if stops else channel.MAX_EXPANSIONS
    lexicon = index.lexicon
    compiled = search.read_back(text, lexicon.trie, stops, limit, lexicon.is_word, not stops, compounds)
    reference = reference_search.read_back(
        search,
        text,
        prefixes,
        lexicon.frequency,
        stops,
        limit,
        lexicon.is_word,
        generic_edits=not stops,
        compounds=compounds,
    )
    return compiled, reference


@pytest.mark.slow
def test_identical_readings_for_every_search_of_the_samples(index, prefixes):
    index.forget()
    for path in (DELARSRAPPORT, VERKSAMHETSPLAN, SLUTRAPPORTER):
        correct(path.read_text(encoding="utf-8"), Settings())
    searched = list(index.memo)
    assert len(searched) > 3000  # single tokens and join windows of three documents
    assert any(stops for _, stops, *_ in searched) and any(stripped for _, _, stripped, _ in searched)
    assert {compounds for *_, compounds in searched} == {True, False}
    differing = []
    for key in searched:
        compiled, reference = both(index, prefixes, *key)
        if compiled != reference:
            differing.append((key, compiled, reference))
    assert not differing, differing[:3]


@pytest.mark.slow
def test_identical_readings_for_the_domain_words_search(index):
    # The second search (index.domain_readings) walks a trie of the domain words alone with
    # a far larger budget; every one the mangled sample makes must match the reference.
    index.forget()
    correct(DELARSRAPPORT.read_text(encoding="utf-8"), Settings())
    searched = list(index.domain_memo)
    assert len(searched) > 50
    domain = {word.lower() for word in index.lexicon.domain}
    frequency = {word: index.lexicon.word_frequency(word) for word in domain}
    prefixes = reference_search.prefix_table(frequency)
    differing = []
    for text, stripped in searched[::4]:  # the Python reference takes ~50 ms a search here
        search = index.domain_channels[stripped]
        compiled = search.read_back(text, index.domain_trie, (), DOMAIN_EXPANSIONS, index.lexicon.is_word)
        reference = reference_search.read_back(
            search, text, prefixes, frequency, (), DOMAIN_EXPANSIONS, index.lexicon.is_word
        )
        if compiled != reference:
            differing.append((text, compiled, reference))
    assert not differing, differing[:3]


@pytest.mark.parametrize(
    "text",
    [
        "lörbundets",  # a table confusion
        "Sarnordningsförbundet",  # rn -> m in a long word
        "rehabiliteringsområdet",  # a compound read as a chain of words
        "försäkringscenter",  # the linking s of a compound
        "xyzqwv",  # nothing near it
        "Straße",  # a letter the lexicon's alphabet lacks
        "İnsats",  # a capital whose lowercase is two code points
        "a",
        "ä'",
        "l<ommun",
        "arbets'marknaden",
        "samordnings" * 5,  # longer than the search's tie-breaking heads
    ],
)
def test_identical_readings_on_edge_cases(index, prefixes, text):
    for stripped in (False, True):
        compiled, reference = both(index, prefixes, text, (), stripped)
        assert compiled == reference
    stops = tuple(sorted({max(1, len(text) // 2), len(text)}))
    compiled, reference = both(index, prefixes, text, stops)
    assert compiled == reference


def test_a_small_lexicon_and_table():
    words = {"kommun": 1e-4, "kommer": 2e-4, "kom": 3e-4, "mun": 1e-5, "kommunen": 5e-5}
    table = Channel((Confusion("l<", "k", 0.2), Confusion("rn", "m", 0.3), Confusion("'", "", 0.1)))
    prefixes = reference_search.prefix_table(words)
    trie = Trie(words)
    assert len(trie) == len(prefixes)  # one node per prefix, the empty one included
    assert trie.has_prefix("kommu") and trie.has_prefix("kommun") and not trie.has_prefix("kommx")
    for text in ("l<ornrnun", "kornrner", "k'om", "kommunen", "komrnunen", "x"):
        compiled = table.read_back(text, trie)
        assert compiled == reference_search.read_back(table, text, prefixes, words)
    assert table.read_back("l<ornrnun", trie)[9][0][0] == "kommun"


def test_a_chain_is_no_reading_where_a_lexicon_word_reads_the_token():
    parts = {"kaffe": 1e-4, "kopp": 1e-4, "kopf": 1e-5}
    table = Channel((Confusion("p", "f", 0.2),))

    def readings(words):
        compiled = table.read_back("kaffekopp", Trie(words))
        reference = reference_search.read_back(
            table, "kaffekopp", reference_search.prefix_table(words), words
        )
        assert compiled == reference
        return [word for word, _, _ in compiled[9]]

    assert readings(parts) == ["kaffekopp", "kaffekopf"]  # chains, as no word reads it
    assert readings({**parts, "kaffekopp": 1e-5}) == ["kaffekopp"]


def test_a_token_longer_than_any_reading_is_not_searched(index):
    # a run of characters without spaces, longer than the compiled search can number
    blob = "ab" * 1_000_000
    assert index.channel.read_back(blob, index.lexicon.trie) == {len(blob): []}
    text = f"Förbundet redovisar {blob} i rapporten."
    assert all(c.original != blob for c in correct(text, Settings()).corrections)


def test_threads_sharing_the_index_get_the_readings_of_one(index, prefixes):
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    tokens = ["lörbundets", "Sarnordningsförbundet", "l<ommun", "arbets'marknaden", "rehabiliteringsområdet"]
    tokens *= 8
    lexicon = index.lexicon
    index.channel.search = type(index.channel.search)(  # a fresh window cache, grown by the threads
        [(c.wrong, c.right, c.cost) for first in index.channel.by_first.values() for c in first],
        channel.search_constants(),
    )
    search = partial(index.channel.read_back, trie=lexicon.trie, accept=lexicon.is_word)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(search, tokens))
    assert got == [both(index, prefixes, t)[1] for t in tokens]


def test_a_trie_read_back_from_its_state_is_the_same_trie():
    words = {"kommun": 1e-4, "kommer": 2e-4, "kom": 3e-4, "mun": 1e-5, "förbund": 5e-5}
    trie = Trie(words)
    again = Trie.from_state(trie.state())
    assert again.state() == trie.state() and len(again) == len(trie)
    assert again.has_prefix("förb") and not again.has_prefix("förx")
    table = Channel((Confusion("l<", "k", 0.2), Confusion("rn", "m", 0.3)))
    for text in ("l<ornrnun", "förbund", "kornrner"):
        assert table.read_back(text, again) == table.read_back(text, trie)
    letters, nodes, frequency, parent, codes = trie.state()
    for broken in (
        (letters, nodes[:-1], frequency, parent, codes),
        (letters, nodes, frequency, parent, codes[:-1]),
        (letters, nodes, frequency, parent),  # the state of the 12-byte nodes' layout
    ):
        with pytest.raises(ValueError):
            Trie.from_state(broken)


def test_a_lexicon_of_more_than_32_letters():
    # Letters coded 1..32 are found through a node's bit set, later ones by scanning after
    # them: words branching into both kinds, at the root and deeper.
    greek = "αβγδεζηθικλμνξοπρστυφχψω"
    words = {"ab": 1e-4, "abc": 2e-4, "aω": 3e-4, "bδ": 1e-5, "ω": 2e-5, "ωa": 5e-5}
    words |= {f"k{letter}n": 1e-6 for letter in "acegikmoqsuy" + greek}
    trie = Trie(words)
    assert len(set("".join(words))) > 32
    prefixes = reference_search.prefix_table(words)
    assert len(trie) == len(prefixes)
    for prefix in prefixes:
        assert trie.has_prefix(prefix)
    for text in ("ax", "aωa", "bd", "ωω", "kbn", "kζx", "kωnn", "kzn"):
        assert not trie.has_prefix(text)
    table = Channel((Confusion("rn", "m", 0.3), Confusion("w", "ω", 0.2), Confusion("d", "δ", 0.2)))
    for text in ("aw", "bd", "kwn", "kζn", "kαn", "kyn", "ωa", "wa", "abc"):
        compiled = table.read_back(text, trie)
        assert compiled == reference_search.read_back(table, text, prefixes, words), text
    assert table.read_back("kwn", trie)[3][0][0] == "kωn"
