"""Choose the best reading of a run of tokens: Viterbi over a lattice of options, with confidences.

Each edge covers one token or several (a word OCR split apart) and offers options: keep
the text as read, or one of its corrections, each with a local score (log10: how cheap
the OCR mistake is) and a word for the language model. The best path maximises local
scores plus bigram log-probabilities. The confidence of a chosen option is its share of
probability among all options whose edges cover the same position, each scored by the best
whole path through it (max-marginals from a forward and a backward pass).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.clean import _lattice


@dataclass(slots=True)
class Option:
    text: str  # what the span becomes (the raw text itself for a keep option)
    word: str  # what the language model sees: a lowercase word or a placeholder
    local: float  # log10 score of the reading itself
    rule: str | None = None  # None: keep the text as read
    cost: float = 0.0


@dataclass(slots=True)
class Edge:
    first: int  # index of the first token covered
    stop: int  # one past the last token covered
    options: list[Option]
    sentence_start: bool = False


@dataclass(slots=True)
class Choice:
    edge: Edge
    option: Option
    confidence: float


def best_path(
    n: int,
    edges: list[Edge],
    transition: Callable[[str, str], float],
    start_word: str,
    first: int = 0,
    first_word: str | None = None,
) -> list[Choice]:
    """The best reading of tokens first..n-1; every position must be covered by some edge.

    `first_word` is the word before position `first` (default: start_word); edges that start
    a sentence always follow start_word. Forward: the best score of tokens first..i-1 ending
    in each word, with back-pointers; every (edge, option) is scored after each of its
    previous words once, and those scores are kept for the backward pass (the best score of
    tokens i..n-1 given the previous word) and the max-marginals. Compiled (_lattice.pyx);
    tests/reference_lattice.py holds the same in Python, and the tests check both agree.
    """
    path = _lattice.best_path(n, edges, transition, start_word, first, first_word)
    return [Choice(edge, option, confidence) for edge, option, confidence in path]


def decide(
    n: int, edges: list[Edge], transition: Callable[[str, str], float], start_word: str
) -> list[Choice]:
    """best_path over tokens 0..n-1, solved only where there is something to decide.

    A position covered by a single one-token edge with a single option (a word that can only
    stay as it is) cuts the lattice in two: whatever comes before, the path goes through that
    word, so each side is best solved alone, with the word as the context of what follows it.
    In clean text nearly every position is such a cut and nothing is left to solve; the
    confidences are unchanged, as everything outside a stretch adds the same score to all of
    its paths. A stretch is solved with the cut after it, whose transition depends on it.
    """
    choices: list[Choice] = []
    for stop, stretch, start, before in _lattice.stretches(n, edges):  # compiled
        choices += best_path(stop, stretch, transition, start_word, start, before)
    return choices
