"""lattice.best_path and the stretches lattice.decide solves, as they were written in Python
before they were compiled (_lattice.pyx): the references the compiled ones must agree with
exactly (tests/test_clean_lattice.py)."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.clean.lattice import Choice, Edge, Option

NEG_INF = float("-inf")


Transition = Callable[[str, str], float]


def best_path(n: int, edges: list[Edge], transition: Transition, start_word: str, first=0, first_word=None):
    """lattice.best_path's choices, computed in Python (see there for the arguments)."""
    by_first: dict[int, list[Edge]] = {}
    for edge in edges:
        by_first.setdefault(edge.first, []).append(edge)

    def steps(edge: Edge, option: Option, previous: list[str]) -> list[float]:
        if edge.sentence_start:
            return [option.local + transition(option.word, start_word)] * len(previous)
        return [option.local + transition(option.word, word) for word in previous]

    # Forward: best score of tokens first..i-1 ending in a given word, with back-pointers.
    # forward[i] is complete once i is reached (edges only go forward), so the score of every
    # (edge, option) after each of its previous words is worked out here once and kept for
    # the backward pass and the marginals: the language model is asked a third as often.
    forward: dict[int, dict[str, tuple[float, tuple | None]]] = {i: {} for i in range(first, n + 1)}
    forward[first][start_word if first_word is None else first_word] = (0.0, None)
    previous_words: dict[int, list[str]] = {}
    scored: dict[tuple[int, int], list[float]] = {}
    for i in range(first, n):
        if not forward[i]:
            continue
        words = previous_words[i] = list(forward[i])
        so_far = [score for score, _ in forward[i].values()]
        for edge in by_first.get(i, ()):
            target = forward[edge.stop]
            for option in edge.options:
                values = scored[(id(edge), id(option))] = steps(edge, option, words)
                best, back = NEG_INF, None
                for k, value in enumerate(values):
                    total = so_far[k] + value
                    if total > best:
                        best, back = total, (i, words[k], edge, option)
                old = target.get(option.word)
                if old is None or best > old[0]:
                    target[option.word] = (best, back)

    # Backward: best score of tokens i..n-1 given the previous word.
    backward: dict[int, dict[str, float]] = {i: {} for i in range(first, n + 1)}
    for word in forward[n]:
        backward[n][word] = 0.0
    for i in range(n - 1, first - 1, -1):
        words = previous_words.get(i)
        if not words:
            continue  # no path reaches i: nothing after it is scored from here
        best_after = [NEG_INF] * len(words)
        for edge in by_first.get(i, ()):
            for option in edge.options:
                rest = backward[edge.stop].get(option.word)
                if rest is not None:
                    for k, value in enumerate(scored[(id(edge), id(option))]):
                        if value + rest > best_after[k]:
                            best_after[k] = value + rest
        for k, word in enumerate(words):
            if best_after[k] > NEG_INF:
                backward[i][word] = best_after[k]

    # Max-marginal score of every (edge, option).
    marginal: dict[tuple[int, int], float] = {}
    for edge in edges:
        for option in edge.options:
            rest = backward[edge.stop].get(option.word)
            values = scored.get((id(edge), id(option)))
            if rest is None or values is None:
                continue
            so_far = [score for score, _ in forward[edge.first].values()]
            marginal[(id(edge), id(option))] = max(map(float.__add__, so_far, values)) + rest

    path = []
    end = max(forward[n].items(), key=lambda item: item[1][0], default=None)
    back = end[1][1] if end else None
    while back is not None:
        i, previous, edge, option = back
        path.append((edge, option))
        back = forward[i][previous][1]
    path.reverse()

    covering: dict[int, list[float]] = {}
    for edge in edges:
        scores = [marginal[key] for option in edge.options if (key := (id(edge), id(option))) in marginal]
        for position in range(edge.first, edge.stop):
            covering.setdefault(position, []).extend(scores)

    choices = []
    for edge, option in path:
        chosen = marginal.get((id(edge), id(option)), NEG_INF)
        rivals = covering.get(edge.first, [])
        total = sum(10 ** min(score - chosen, 300.0) for score in rivals) if chosen > NEG_INF else 1.0
        choices.append(Choice(edge, option, 1.0 / max(total, 1.0)))
    return choices


def decide(n: int, edges: list[Edge], transition: Transition, start_word: str, best_path=best_path):
    """lattice.decide in Python (see there), solving each stretch with `best_path`."""
    covering = [0] * n
    for edge in edges:
        for position in range(edge.first, edge.stop):
            covering[position] += 1
    fixed: dict[int, Edge] = {
        edge.first: edge
        for edge in edges
        if edge.stop == edge.first + 1 and len(edge.options) == 1 and covering[edge.first] == 1
    }
    starting: dict[int, list[Edge]] = {}
    for edge in edges:
        starting.setdefault(edge.first, []).append(edge)
    choices: list[Choice] = []
    position = 0
    while position < n:
        if position in fixed:
            position += 1
            continue
        start = position
        while position < n and position not in fixed:
            position += 1
        stop = min(position + 1, n)  # the cut after the stretch, when there is one
        before = fixed[start - 1].options[0].word if start > 0 else None
        stretch = [edge for first in range(start, stop) for edge in starting.get(first, ())]
        choices += best_path(stop, stretch, transition, start_word, start, before)
    return choices
