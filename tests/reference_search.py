"""The channel's search as it was written in Python: the reference for the compiled one.

pipeline/clean/_search.pyx transcribes this search into C++ for speed; the tests run both on
every token and join window of the samples and require identical readings, so this file is
the readable specification of what the compiled search does. Not used by the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush

from pipeline.clean.channel import (
    COMPOUND_COST,
    COMPOUND_MIN_PART,
    COMPOUND_PART_MIN_FREQUENCY,
    GENERIC_COST,
    GENERIC_EDITS_LONG_TOKEN,
    GENERIC_FROM_COST,
    MARGIN,
    MAX_CANDIDATES,
    MAX_COST,
    MAX_COST_PER_CHAR,
    MAX_EXPANSIONS,
    MIN_BUDGET,
    Channel,
)


def prefix_table(words) -> dict[str, str]:
    """Every prefix of a word -> the letters that may follow it ("" -> first letters)."""
    following: dict[str, set[str]] = {}
    for word in words:
        for i in range(len(word)):
            following.setdefault(word[:i], set()).add(word[i])
        following.setdefault(word, set())
    return {prefix: "".join(sorted(letters)) for prefix, letters in following.items()}


def steps(channel: Channel, token: str, drop_letters: bool = True) -> list[list[tuple[int, str, float]]]:
    """For each position: (characters consumed, text produced, cost) of every way to read on."""
    table = []
    for i, ch in enumerate(token):
        options: dict[tuple[int, str], float] = {}
        if ch.isalpha():
            options[(1, ch.lower())] = 0.0
        for conf in channel.by_first.get(ch, ()):
            if token.startswith(conf.wrong, i):
                key = (len(conf.wrong), conf.right)
                options[key] = min(options.get(key, GENERIC_COST), conf.cost)
        if drop_letters or not ch.isalpha():
            options.setdefault((1, ""), channel.drop_cost.get(ch, GENERIC_COST))
        table.append([(n, out, cost) for (n, out), cost in options.items()])
    return table


def read_back(
    channel: Channel,
    token: str,
    prefixes: dict[str, str],
    words: dict[str, float],
    stops: tuple[int, ...] = (),
    max_expansions: int = MAX_EXPANSIONS,
    accept: Callable[[str], bool] = lambda word: True,
    generic_edits: bool = True,
    compounds: bool = True,
) -> dict[int, list[tuple[str, float, float]]]:
    """Channel.read_back (see its docstring) over a prefix table instead of the trie."""
    n = len(token)
    stops = stops or (n,)
    budget = min(MAX_COST, max(MIN_BUDGET, MAX_COST_PER_CHAR * max(stops)))
    max_generic = (2 if n >= GENERIC_EDITS_LONG_TOKEN else 1) if generic_edits else 0
    steps_at = steps(channel, token, drop_letters=generic_edits)
    found: dict[int, dict[str, tuple[float, float]]] = {stop: {} for stop in stops}
    # State: (cost, position, output, current compound part, generic edits, lowest
    # frequency among the finished parts of a compound chain); the part is the output's
    # tail since the last join, kept apart so that prefix checks need no slicing.
    best: dict[tuple[int, str, int], float] = {(0, "", 0): 0.0}
    heap: list[tuple[float, int, str, str, int, float]] = [(0.0, 0, "", "", 0, 1.0)]
    cutoff: dict[int, float] = {}  # stop -> cost beyond which its search is done
    has_word: set[int] = set()  # stops a word of the lexicon reads
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
                has_word.add(i)
            elif len(part) >= COMPOUND_MIN_PART:
                # The same chain may be cut in several places: keep its most plausible cut.
                # A new chain is read only while no lexicon word reads the stop.
                old = found[i].get(out)
                rarest = min(low, words[part])
                if (
                    old is None
                    and i not in has_word
                    and accept(out)
                    or old
                    and old[1]
                    and rarest > old[1]
                    and cost <= old[0] + MARGIN
                ):
                    found[i][out] = (old[0] if old else cost, rarest)
                    cutoff.setdefault(i, cost + MARGIN)
        if compounds and len(part) >= COMPOUND_MIN_PART:
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
        for consumed, text, step_cost in steps_at[i]:
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
            (w, c, k) for w, (c, k) in sorted(readings.items(), key=lambda item: item[1][0])[:MAX_CANDIDATES]
        ]
        for stop, readings in found.items()
    }
