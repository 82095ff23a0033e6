"""Read a damaged token back into dictionary words through the OCR confusion table.

This is the channel half of a noisy-channel corrector: given what OCR printed, which words
could have been on the page and how costly is each reading? corrections/confusions.tsv says
what OCR prints for what (`rn` for `m`, `l<` for `k`, `:i` for `å`) and how cheap each
mistake is; anything else is a generic edit at cost 1.0. The search walks the token left to
right, applying identity, table confusions or (a few) generic edits, and keeps only outputs
that are still the beginning of a dictionary word (a prefix table built with the lexicon).
A compound is read as a chain of dictionary words (`rehabiliterings` + `området`); the
caller checks such a chain with hunspell before trusting it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from heapq import heappop, heappush
from pathlib import Path

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
# string. The whole chain must then pass hunspell (its compound rules are strict).
COMPOUND_MIN_PART = 4
COMPOUND_PART_MIN_FREQUENCY = 1e-6
COMPOUND_COST = 0.05
MAX_CANDIDATES = 8


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

    def with_costs(self, costs: dict[tuple[str, str], float]) -> Channel:
        """The same table with some confusions made cheaper or added (WRONG, RIGHT) -> cost."""
        table = {(c.wrong, c.right): c.cost for first in self.by_first.values() for c in first}
        table.update(costs)
        return Channel(tuple(Confusion(wrong, right, cost) for (wrong, right), cost in table.items()))

    def steps(self, token: str, drop_letters: bool = True) -> list[list[tuple[int, str, float]]]:
        """For each position: (characters consumed, text produced, cost) of every way to read on."""
        table = []
        for i, ch in enumerate(token):
            options: dict[tuple[int, str], float] = {}
            if ch.isalpha():
                options[(1, ch.lower())] = 0.0
            for conf in self.by_first.get(ch, ()):
                if token.startswith(conf.wrong, i):
                    key = (len(conf.wrong), conf.right)
                    options[key] = min(options.get(key, GENERIC_COST), conf.cost)
            if drop_letters or not ch.isalpha():
                options.setdefault((1, ""), self.drop_cost.get(ch, GENERIC_COST))
            table.append([(n, out, cost) for (n, out), cost in options.items()])
        return table

    def read_back(
        self,
        token: str,
        prefixes: dict[str, str],
        words: dict[str, float],
        stops: tuple[int, ...] = (),
        max_expansions: int = MAX_EXPANSIONS,
        accept: Callable[[str], bool] = lambda word: True,
        generic_edits: bool = True,
    ) -> dict[int, list[tuple[str, float, float]]]:
        """Readings of token[:stop] for each stop (default: the whole token), cheapest first.

        A reading is (lowercase word, cost, chain frequency): the last is 0 for a word of the
        lexicon, and for a compound read as a chain of words the frequency of its rarest part.
        Best-first search: states are expanded cheapest first, so cheap readings are found
        after few expansions and generic edits are only explored when nothing cheaper is left.
        """
        n = len(token)
        stops = stops or (n,)
        budget = min(MAX_COST, max(MIN_BUDGET, MAX_COST_PER_CHAR * max(stops)))
        max_generic = (2 if n >= GENERIC_EDITS_LONG_TOKEN else 1) if generic_edits else 0
        steps = self.steps(token, drop_letters=generic_edits)
        found: dict[int, dict[str, tuple[float, float]]] = {stop: {} for stop in stops}
        # State: (cost, position, output, current compound part, generic edits, lowest
        # frequency among the finished parts of a compound chain); the part is the output's
        # tail since the last join, kept apart so that prefix checks need no slicing.
        best: dict[tuple[int, str, int], float] = {(0, "", 0): 0.0}
        heap: list[tuple[float, int, str, str, int, float]] = [(0.0, 0, "", "", 0, 1.0)]
        cutoff: dict[int, float] = {}  # stop -> cost beyond which its search is done
        expansions = 0
        while heap and expansions < max_expansions:
            cost, i, out, part, generic, low = heappop(heap)
            if cost > best.get((i, out, len(part)), budget):
                continue  # a cheaper way to this state was expanded already
            if len(cutoff) == len(stops) and cost > max(cutoff.values()):
                break
            expansions += 1
            if i in found and part in words:
                chain = len(part) < len(out)
                if not chain:
                    found[i].setdefault(out, (cost, 0.0))
                    cutoff.setdefault(i, cost + MARGIN)
                elif len(part) >= COMPOUND_MIN_PART:
                    # The same chain may be cut in several places: keep its most plausible cut.
                    old = found[i].get(out)
                    rarest = min(low, words[part])
                    if (
                        old is None
                        and accept(out)
                        or old
                        and old[1]
                        and rarest > old[1]
                        and cost <= old[0] + MARGIN
                    ):
                        found[i][out] = (old[0] if old else cost, rarest)
                        cutoff.setdefault(i, cost + MARGIN)
            if len(part) >= COMPOUND_MIN_PART:
                # a part may end in the linking s of a compound (`försäkrings|center`)
                frequency = max(words.get(part, 0.0), words.get(part[:-1], 0.0) if part[-1] == "s" else 0.0)
                if frequency >= COMPOUND_PART_MIN_FREQUENCY:
                    joined = cost + COMPOUND_COST
                    key = (i, out, 0)
                    if joined <= budget and joined < best.get(key, budget + 1.0):
                        best[key] = joined
                        heappush(heap, (joined, i, out, "", generic, min(low, frequency)))
            if i == n:
                continue
            for consumed, text, step_cost in steps[i]:
                total = cost + step_cost
                if total > budget:
                    continue
                grown = part + text
                if grown not in prefixes:
                    continue
                key = (i + consumed, out + text, len(grown))
                if total < best.get(key, budget + 1.0):
                    best[key] = total
                    heappush(heap, (total, i + consumed, key[1], grown, generic, low))
            if generic < max_generic and cost <= GENERIC_FROM_COST and cost + GENERIC_COST <= budget:
                total = cost + GENERIC_COST
                here = token[i].lower() if token[i].isalpha() else ""
                for letter in prefixes.get(part, ""):
                    # another letter in place of token[i], or a letter OCR dropped before it
                    texts = ([letter] if letter != here else []) + ([letter + here] if here else [])
                    for text in texts:
                        grown = part + text
                        if grown not in prefixes:
                            continue
                        key = (i + 1, out + text, len(grown))
                        if total < best.get(key, budget + 1.0):
                            best[key] = total
                            heappush(heap, (total, i + 1, key[1], grown, generic + 1, low))

        return {
            stop: [
                (w, c, k)
                for w, (c, k) in sorted(readings.items(), key=lambda item: item[1][0])[:MAX_CANDIDATES]
            ]
            for stop, readings in found.items()
        }
