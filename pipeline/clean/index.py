"""Compile the corrector's word knowledge once and cache it on disk.

Building it means asking hunspell about wordfreq's 340k Swedish entries (about 20 s), so
the result (candidate words, frequencies, fold tables, real-word confusion sets, the
context model's counts and the candidate words' trie, ready to use) is written to
~/.cache/finsam/ (or $FINSAM_CACHE_DIR, or $XDG_CACHE_HOME/finsam) as one marshal file,
named by a hash of everything it was built from: the corrections/ data files, the context
corpus and the versions of wordfreq, hunspell-sv and chunspell. Changing any of them builds
a new file; a cache that cannot be written only costs the build time again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import marshal
import mmap
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.clean import channel
from pipeline.clean._search import TRIE_NODE_BYTES, Forms, Trie
from pipeline.clean.channel import CONFUSIONS, Channel, Confusion, load_confusions
from pipeline.clean.context import CONTEXT_CORPUS, ContextModel, corpus_files, count_corpus
from pipeline.clean.forms import FormsError, word_forms
from pipeline.clean.lexicon import (
    HUNSPELL_PACKAGE,
    LEXICON,
    Lexicon,
    candidate_words,
    fold_table,
    hunspell_dictionary,
    hunspell_files,
    load_domain_words,
)

# Bump when the layout of the cached file changes. (A change in the size of a trie node
# changes both caches' names by itself: TRIE_NODE_BYTES.)
INDEX_FORMAT = 8
# The same for the cached word forms of hunspell's dictionary (forms.py), which do not
# depend on the corrections/ data and are cached apart (about 40 MB, built in 3 s).
FORMS_FORMAT = 4
PACKAGES = ("wordfreq", "hunspell-sv", "chunspell")
# Real-word errors (`lör` for `för`, `alt` for `att`) are looked for among the readings of
# at most this many of the context corpus's words, most frequent first. The corpus attests
# about 2 200 candidate words, so today all of them; the garbled function words (är, det,
# att, för, har, så) rank in its first 20.
REALWORD_TOP_WORDS = 5000
# Real-word errors are only looked for in short words (the function words OCR garbles into
# other words: lör, alt, del, hal); in longer ones the alternatives are inflections
# (samverkar/samverkan, arbetat/arbetet) that context cannot tell apart reliably. Words this
# short may carry two confusions (`all` for `att`).
REALWORD_MAX_LENGTH = 4
REALWORD_TWO_CONFUSIONS_MAX_LENGTH = 4
REALWORD_MAX_COST = 0.8
# A joined reading is searched with this many expansions at most (single tokens: channel.py).
# 150/250/400 gave the same dev WER; 150 is the fastest.
JOIN_EXPANSIONS = 150
# Confusions that cost next to nothing in a document that lost its å/ä/ö throughout.
STRIPPED_CONFUSIONS = (("a", "å"), ("a", "ä"), ("o", "ö"), ("A", "å"), ("A", "ä"), ("O", "ö"))
STRIPPED_COST = 0.05
# Memoised readings per process (a few MB at most).
MAX_MEMO = 200_000
# A token the search cannot read within its budget is searched again among the domain
# lexicon's words alone (corrections/lexicon.txt: the förbund, the authorities, the places),
# where a far larger budget is cheap: the names that matter most are also the longest and
# the most damaged (`Försäl<ringshassån` needs about 5 000 expansions among all words).
DOMAIN_EXPANSIONS = 5000
# With that budget costly readings come within reach (`lirngera`, fungera, read as Timrå at
# 2.8): a domain reading may cost at most this much per character of the token. On the
# mangled delårsrapport the right ones cost 0.07-0.15 per character, the wrong 0.21-0.35.
DOMAIN_MAX_COST_PER_CHAR = 0.2


@dataclass
class Index:
    lexicon: Lexicon
    context: ContextModel
    channel: Channel
    # A valid word -> words it is a cheap OCR misreading of, with the cost (`lör` -> för).
    realword: dict[str, tuple[tuple[str, float], ...]]
    # Readings found so far in this process, by (text, stops, stripped, compounds): OCR repeats
    # its mistakes.
    memo: dict = field(default_factory=dict)
    # The same for the domain words' search, by (text, stripped).
    domain_memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # In text that lost its diacritics, restoring one is nearly free (the context decides).
        self.stripped_channel = self.channel.with_costs(dict.fromkeys(STRIPPED_CONFUSIONS, STRIPPED_COST))
        # The domain words' own trie, searched with channels of their own (a search keeps
        # what it works out per trie).
        domain = {word.lower() for word in self.lexicon.domain}
        self.domain_trie = Trie({word: self.lexicon.word_frequency(word) for word in domain})
        self.domain_channels = {
            False: self.channel.with_costs({}),
            True: self.stripped_channel.with_costs({}),
        }

    def forget(self, verdicts: bool = False) -> None:
        """Drop the memoised readings (and hunspell's verdicts): as if no text had been seen."""
        self.memo.clear()
        self.domain_memo.clear()
        if verdicts:
            self.lexicon.forget_verdicts()

    def domain_readings(self, text: str, stripped: bool = False) -> list[tuple[str, float, float]]:
        """Readings of `text` among the domain lexicon's words only (see DOMAIN_EXPANSIONS)."""
        key = (text, stripped)
        found = self.domain_memo.get(key)
        if found is None:
            found = [
                reading
                for reading in self.domain_channels[stripped].read_back(
                    text, self.domain_trie, (), DOMAIN_EXPANSIONS, self.lexicon.is_word
                )[len(text)]
                if reading[1] <= DOMAIN_MAX_COST_PER_CHAR * len(text)
            ]
            remember(self.domain_memo, key, found)
        return found

    def readings(
        self, text: str, stops: tuple[int, ...] = (), stripped: bool = False, compounds: bool = True
    ) -> dict[int, list[tuple[str, float, float]]]:
        """The channel's readings of `text` (see Channel.read_back), memoised."""
        key = (text, stops, stripped, compounds)
        found = self.memo.get(key)
        if found is None:
            # A join may drop marks but not letters: an edit outside the table could swallow a
            # whole token (`j de` -> de).
            limit = JOIN_EXPANSIONS if stops else channel.MAX_EXPANSIONS
            lexicon = self.lexicon
            search = self.stripped_channel if stripped else self.channel
            found = search.read_back(
                text,
                lexicon.trie,
                stops,
                limit,
                lexicon.is_word,
                generic_edits=not stops,
                compounds=compounds,
            )
            remember(self.memo, key, found)
        return found


def remember(memo: dict, key: tuple, found) -> None:
    """Keep a search's readings, starting the memo afresh once it holds MAX_MEMO."""
    if len(memo) > MAX_MEMO:
        memo.clear()
    memo[key] = found


def cache_dir() -> Path:
    if explicit := os.environ.get("FINSAM_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "finsam"


def fingerprint(corpus: tuple[Path, ...]) -> str:
    digest = hashlib.sha256(f"format {INDEX_FORMAT} {TRIE_NODE_BYTES}\n".encode())
    for package in PACKAGES:
        digest.update(f"{package} {importlib.metadata.version(package)}\n".encode())
    for path in (LEXICON, CONFUSIONS, CONTEXT_CORPUS, *corpus):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()[:20]


def realword_table(
    frequency: dict[str, float], attested: dict[str, int], confusions: tuple[Confusion, ...]
) -> dict:
    """Valid words a cheap confusion turns a frequent word into: misread -> ((word, cost), ...).

    Only words of the context corpus count as intended words, so chat words that wordfreq
    ranks high (`ah`, `ali`) are never offered in place of a real word.
    """
    letter_rules = [c for c in confusions if c.right and c.wrong.isalpha() and c.wrong.islower()]
    ranked = sorted((w for w in frequency if w in attested), key=frequency.get, reverse=True)
    top = ranked[:REALWORD_TOP_WORDS]
    table: dict[str, dict[str, float]] = {}

    def variants(word: str) -> list[tuple[str, float]]:
        out = []
        for rule in letter_rules:
            start = word.find(rule.right)
            while start >= 0:
                out.append((word[:start] + rule.wrong + word[start + len(rule.right) :], rule.cost))
                start = word.find(rule.right, start + 1)
        return out

    for word in top:
        found = variants(word)
        if len(word) <= REALWORD_TWO_CONFUSIONS_MAX_LENGTH:
            found += [(v2, c1 + c2) for v1, c1 in found for v2, c2 in variants(v1)]
        for variant, cost in found:
            if len(variant) > REALWORD_MAX_LENGTH:
                continue
            if variant != word and variant in frequency and cost <= REALWORD_MAX_COST:
                best = table.setdefault(variant, {})
                best[word] = min(best.get(word, cost), cost)
    return {v: tuple(sorted(words.items(), key=lambda item: item[1])) for v, words in table.items()}


def build_payload(corpus: tuple[Path, ...]) -> tuple:
    import wordfreq  # only needed to build; the cached index stands in for it afterwards

    domain = load_domain_words()
    frequency, spellings = candidate_words(wordfreq.get_frequency_dict("sv"), domain)
    unigrams, pairs = count_corpus([path.read_text(encoding="utf-8") for path in corpus])
    spell = hunspell_dictionary().spell
    for word in unigrams:  # clean domain words wordfreq lacks (compounds, mostly)
        if word not in frequency and len(word) > 2 and word.isalpha() and spell(word):
            frequency[word] = 0.0
    realword = realword_table(frequency, unigrams, load_confusions())
    words = list(frequency)
    return (
        INDEX_FORMAT,
        frequency,
        spellings,
        fold_table(words),
        list(domain),
        unigrams,
        pairs,
        realword,
        Trie(frequency).state(),  # built in a third of a second, read back in milliseconds
    )


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def read_marshal(path: Path):
    """marshal.loads of a cache file, read through a memory map rather than copied into a
    bytes object first: the 40 MB word forms took 0.025 s against 0.051 s."""
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return marshal.loads(mapped)


def read_payload(corpus: tuple[Path, ...]) -> tuple:
    path = cache_dir() / f"clean-index-{fingerprint(corpus)}.marshal"
    try:
        payload = read_marshal(path)
        if payload[0] == INDEX_FORMAT:
            return payload
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        pass
    payload = build_payload(corpus)
    with contextlib.suppress(OSError):  # a read-only home: rebuild next time
        write_atomically(path, marshal.dumps(payload))
    return payload


@lru_cache(maxsize=1)
def load_forms() -> Forms | None:
    """What hunspell could accept (forms.py), from the cache or built and cached: asked
    before hunspell is. None when hunspell's files use what the filter does not model (a
    future hunspell-sv): hunspell is then asked about everything, as before the filter."""
    version = importlib.metadata.version(HUNSPELL_PACKAGE)
    path = cache_dir() / f"clean-forms-{FORMS_FORMAT}-{TRIE_NODE_BYTES}-{version}.marshal"
    try:
        state, min_part, breaks = read_marshal(path)
        return Forms(Trie.from_state(state), min_part, breaks)
    except (OSError, EOFError, ValueError, TypeError):
        pass  # none yet, or damaged: built again
    try:
        table, min_part, breaks = word_forms(*hunspell_files())
    except FormsError:
        return None
    trie = Trie({form: float(roles) for form, roles in table.items()})
    with contextlib.suppress(OSError):  # a read-only home: rebuild next time
        write_atomically(path, marshal.dumps((trie.state(), min_part, breaks)))
    return Forms(trie, min_part, breaks)


def load_index(corpus: tuple[Path, ...] | None = None) -> Index:
    """The compiled index for the context corpus (default: corrections/context_corpus.txt)."""
    return index_for(corpus_files() if corpus is None else tuple(corpus))


@lru_cache(maxsize=4)
def index_for(corpus: tuple[Path, ...]) -> Index:
    _, frequency, spellings, folds, domain, unigrams, pairs, realword, trie = read_payload(corpus)
    lexicon = Lexicon(frequency, spellings, Trie.from_state(trie), folds, frozenset(domain), load_forms())
    context = ContextModel(frequency, unigrams, pairs)
    return Index(lexicon, context, Channel(load_confusions()), realword)
