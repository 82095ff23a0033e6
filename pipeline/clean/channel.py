"""Read a damaged token back into dictionary words through the OCR confusion table.

This is the channel half of a noisy-channel corrector: given what OCR printed, which words
could have been on the page and how costly is each reading? corrections/confusions.tsv says
what OCR prints for what (`rn` for `m`, `l<` for `k`, `:i` for `å`) and how cheap each
mistake is; anything else is a generic edit at cost 1.0. The search walks the token left to
right, applying identity, table confusions or (a few) generic edits, and keeps only outputs
that are still the beginning of a dictionary word (a trie of the lexicon).
A compound is read as a chain of dictionary words (`rehabiliterings` + `området`); the
caller checks such a chain with hunspell before trusting it. A chain is a reading only where
no dictionary word reads the same characters as cheaply: it is there for the compounds the
lexicon lacks, not to compete with the words it holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.clean._search import Search, Trie
from pipeline.clean.dictionary import CORRECTIONS_DIR, DictionaryError, data_lines

CONFUSIONS = CORRECTIONS_DIR / "confusions.tsv"

# An edit the table does not list. Table costs are relative to this.
GENERIC_COST = 1.0
# Generic edits: a token may take 1 (short) or 2 (from 8 characters).
GENERIC_EDITS_LONG_TOKEN = 8
# The search stops after this many expanded states; cheap readings come first, so this cuts
# the hard searches short. 150/400/800 gave dev WER 15.4/13.2/12.7% on the mangled lines at
# 1000/830/700 tokens per CPU second: 400 is the compromise.
MAX_EXPANSIONS = 400
# Once a stop has a reading, readings costing this much more are not worth looking for: at
# the smallest channel weight (2 log10 per unit) they would need 10 times more support from
# context. 0.5 against 0.7: dev WER 15.4 against 15.8%, and faster.
MARGIN = 0.5
# Generic edits are only tried from states this cheap (they multiply the states by ~25):
# 0.4 against 0.8 gave the same dev WER at 830 against 660 tokens/s.
GENERIC_FROM_COST = 0.4
# Search budget: a reading may cost this much per character of the token, at most MAX_COST.
# 0.35/char lets a 6-letter word carry two thin-stroke confusions and one generic edit.
MAX_COST_PER_CHAR = 0.35
MIN_BUDGET = 0.8
MAX_COST = 3.0
# Parts of a compound read as a chain of words must have at least this many letters and be
# at least this common (wordfreq holds rare junk like `lör`, `väs`, `lern` that would chain
# into anything); each join costs a little, so a listed word beats a chain spelling the same
# string. The whole chain must then pass hunspell (its compound rules are strict). Once a
# listed word reads a stop, no new chain is read there: such chains (`verksenhetsplan` beside
# `verksamhetsplan`) changed no correction of the samples, only lowered the confidence of the
# word's, and asking hunspell about them (200 µs to 8 ms each: it looks for a misspelt word
# behind a compound of three parts) took half of the time that cleaning the mangled
# delårsrapport spent in hunspell (35 of 134 questions, 10.6 of 21.5 ms a pass).
COMPOUND_MIN_PART = 4
COMPOUND_PART_MIN_FREQUENCY = 1e-6
COMPOUND_COST = 0.05
MAX_CANDIDATES = 8
# A token longer than this (a run without spaces: an encoded blob, a line of dashes) is not
# searched: a reading is a word or a chain of a few, and every character beyond them costs
# at least 0.1 of a budget of MAX_COST, so none can span it.
MAX_TOKEN_CHARS = 1000


SEARCH_CONSTANTS = (
    "GENERIC_COST",
    "GENERIC_EDITS_LONG_TOKEN",
    "MARGIN",
    "GENERIC_FROM_COST",
    "MAX_COST_PER_CHAR",
    "MIN_BUDGET",
    "MAX_COST",
    "COMPOUND_MIN_PART",
    "COMPOUND_PART_MIN_FREQUENCY",
    "COMPOUND_COST",
    "MAX_CANDIDATES",
)


def search_constants() -> dict[str, float]:
    """The tuning values above, as the compiled search takes them."""
    return {name: globals()[name] for name in SEARCH_CONSTANTS}


@dataclass(frozen=True)
class Confusion:
    wrong: str
    right: str
    cost: float


def parse_confusions(lines: list[str], source: str = "<memory>") -> list[Confusion]:
    confusions, seen = [], set()
    for number, fields in data_lines(lines):
        where = f"{source}:{number}"
        if len(fields) < 3:
            raise DictionaryError(f"{where}: expected WRONG<TAB>RIGHT<TAB>COST, got {lines[number - 1]!r}")
        wrong, right, cost_text = fields[0], fields[1], fields[2]
        if not 1 <= len(wrong) <= 4 or len(right) > 4 or right != right.lower():
            raise DictionaryError(f"{where}: WRONG must be 1-4 characters, RIGHT 0-4 lowercase ones")
        if wrong == right:
            raise DictionaryError(f"{where}: {wrong!r} maps to itself")
        try:
            cost = float(cost_text)
        except ValueError:
            raise DictionaryError(f"{where}: cost {cost_text!r} is not a number") from None
        if not 0 < cost <= GENERIC_COST:
            raise DictionaryError(f"{where}: cost {cost} is outside (0, {GENERIC_COST}]")
        if (wrong, right) in seen:
            raise DictionaryError(f"{where}: {wrong!r} -> {right!r} is listed twice")
        seen.add((wrong, right))
        confusions.append(Confusion(wrong, right, cost))
    return confusions


@lru_cache(maxsize=4)
def load_confusions(path: Path = CONFUSIONS) -> tuple[Confusion, ...]:
    return tuple(parse_confusions(path.read_text(encoding="utf-8").splitlines(), str(path)))


class Channel:
    """The confusion table indexed for the search, and the search itself."""

    def __init__(self, confusions: tuple[Confusion, ...]):
        self.by_first: dict[str, list[Confusion]] = {}
        for conf in confusions:
            self.by_first.setdefault(conf.wrong[0], []).append(conf)
        # The cheapest way to drop a character (table deletions, else a generic edit).
        self.drop_cost = {c.wrong: c.cost for c in confusions if not c.right and len(c.wrong) == 1}
        self.search = Search([(c.wrong, c.right, c.cost) for c in confusions], search_constants())
        # The search keeps what it works out per character window in C++ vectors that a
        # second thread must not grow under it (a Dask worker may run tasks in threads).
        self.lock = threading.Lock()

    def with_costs(self, costs: dict[tuple[str, str], float]) -> Channel:
        """The same table with some confusions made cheaper or added (WRONG, RIGHT) -> cost."""
        table = {(c.wrong, c.right): c.cost for first in self.by_first.values() for c in first}
        table.update(costs)
        return Channel(tuple(Confusion(wrong, right, cost) for (wrong, right), cost in table.items()))

    def read_back(
        self,
        token: str,
        trie: Trie,
        stops: tuple[int, ...] = (),
        max_expansions: int = MAX_EXPANSIONS,
        accept: Callable[[str], bool] | None = None,
        generic_edits: bool = True,
        compounds: bool = True,
    ) -> dict[int, list[tuple[str, float, float]]]:
        """Readings of token[:stop] for each stop (default: the whole token), cheapest first.

        A reading is (lowercase word, cost, chain frequency): the last is 0 for a word of the
        lexicon, and for a compound read as a chain of words the frequency of its rarest part
        (without `compounds`, no chains are built: only the lexicon's words are read). A new
        chain is read at a stop only until a lexicon word reads it.
        Best-first search: states are expanded cheapest first, so cheap readings are found
        after few expansions and generic edits are only explored when nothing cheaper is left.
        The search itself is compiled (_search.pyx); tests/reference_search.py holds the same
        search in Python, and the tests check both give identical readings.
        """
        if len(token) > MAX_TOKEN_CHARS:
            return {stop: [] for stop in stops or (len(token),)}
        with self.lock:
            return self.search.read_back(trie, token, stops, max_expansions, accept, generic_edits, compounds)
