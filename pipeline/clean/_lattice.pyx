# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""lattice.best_path, compiled: the Viterbi pass with max-marginals, without the interpreter's
dictionaries of tuples.

On the text samples the corrector solves about 1 500 stretches a pass, most of two
positions, two edges and three options; in Python each cost some 40 µs of dictionaries,
tuples and closures, a quarter of cleaning text it has seen before. Here the words reaching
a position are numbered in the order they first reach it (the order of the Python dicts),
scores sit in C arrays, and the language model is asked exactly as often, about the same
pairs, in the same order.

It is a transcription, not a new algorithm: the sums are made in the same order, ties are
broken the same way (the first best word, the first best previous word), so the choices
and confidences are identical to the Python version (tests/reference_lattice.py);
tests/test_clean_lattice.py checks that on every stretch the samples make and on random
lattices.
"""

from libc.math cimport INFINITY, pow
from libcpp.vector cimport vector


cdef class _Position:
    """The words that reach one position: their order, best score and back-pointer."""

    cdef list words        # in the order they first arrived
    cdef dict index        # word -> its place in `words`
    cdef vector[double] score
    cdef list back         # per word: (previous position, previous word, edge, option), as indices, or None

    def __cinit__(self):
        self.words = []
        self.index = {}
        self.back = []

    cdef void offer(self, str word, double best, object back):
        cdef object at = self.index.get(word)
        cdef Py_ssize_t k
        if at is None:
            self.index[word] = len(self.words)
            self.words.append(word)
            self.score.push_back(best)
            self.back.append(back)
        else:
            k = at
            if best > self.score[k]:
                self.score[k] = best
                self.back[k] = back


def best_path(
    int n, list edges, transition, str start_word, int first=0, first_word=None
) -> list:
    """lattice.best_path (see there), as (edge, option, confidence) for each step of the path."""
    cdef int positions = n - first + 1
    cdef list by_first = [[] for _ in range(positions)]  # per position: the indices of its edges
    cdef Py_ssize_t e, o, k, count, i, at
    for e, edge in enumerate(edges):
        by_first[<int>edge.first - first].append(e)
    cdef list forward = [_Position() for _ in range(positions)]
    (<_Position>forward[0]).offer(start_word if first_word is None else first_word, 0.0, None)

    # scored[edge index in `edges`][option index]: the score of the option after each of the
    # words reaching the edge's first position (None: no path reaches it).
    cdef list scored = [None] * len(edges)
    cdef _Position here, target
    cdef double best, total, local, value
    cdef int best_k
    cdef list values, option_scores
    cdef vector[double] step
    for i in range(positions - 1):
        here = forward[i]
        count = len(here.words)
        if not count:
            continue
        for e in by_first[i]:
            edge = edges[e]
            target = forward[<int>edge.stop - first]
            option_scores = []
            for o, option in enumerate(edge.options):
                local = option.local
                word = option.word
                step.clear()
                if edge.sentence_start:
                    value = local + transition(word, start_word)
                    for k in range(count):
                        step.push_back(value)
                else:
                    for k in range(count):
                        step.push_back(local + <double>transition(word, here.words[k]))
                best, best_k = -INFINITY, -1
                for k in range(count):
                    total = here.score[k] + step[k]
                    if total > best:
                        best, best_k = total, k
                option_scores.append([step[k] for k in range(count)])
                target.offer(word, best, (i, best_k, e, o) if best_k >= 0 else None)
            scored[e] = option_scores

    # Backward: best score of tokens i..n-1 given the previous word.
    cdef list backward = [None] * positions
    backward[positions - 1] = {word: 0.0 for word in (<_Position>forward[positions - 1]).words}
    cdef dict after, rest_of
    cdef vector[double] best_after
    for i in range(positions - 2, -1, -1):
        here = forward[i]
        count = len(here.words)
        after = {}
        backward[i] = after
        if not count:
            continue
        best_after.assign(count, -INFINITY)
        for e in by_first[i]:
            edge = edges[e]
            rest_of = backward[<int>edge.stop - first]
            option_scores = scored[e]
            for o, option in enumerate(edge.options):
                rest = rest_of.get(option.word)
                if rest is not None:
                    values = option_scores[o]
                    for k in range(count):
                        value = <double>values[k] + <double>rest
                        if value > best_after[k]:
                            best_after[k] = value
        for k in range(count):
            if best_after[k] > -INFINITY:
                after[here.words[k]] = best_after[k]

    # Max-marginal score of every (edge, option): edges in the order given.
    cdef list marginal = [None] * len(edges)  # per edge: per option its score, or None
    cdef list edge_marginals
    for e, edge in enumerate(edges):
        option_scores = scored[e]
        rest_of = backward[<int>edge.stop - first]
        edge_marginals = []
        here = forward[<int>edge.first - first]
        for o, option in enumerate(edge.options):
            rest = rest_of.get(option.word)
            if rest is None or option_scores is None:
                edge_marginals.append(None)
                continue
            values = option_scores[o]
            best = -INFINITY
            for k in range(len(values)):
                total = here.score[k] + <double>values[k]
                if total > best or k == 0:
                    best = total
            edge_marginals.append(best + <double>rest)
        marginal[e] = edge_marginals

    # The best path, back from the best word at the end (the first of equal ones).
    cdef list path = []
    cdef _Position last = forward[positions - 1]
    best_k = -1
    for k in range(len(last.words)):
        if best_k < 0 or last.score[k] > last.score[best_k]:
            best_k = k
    back = last.back[best_k] if best_k >= 0 else None
    while back is not None:
        at, k, e, o = back
        path.append((e, o))
        back = (<_Position>forward[at]).back[k]
    path.reverse()

    cdef list covering = [[] for _ in range(positions)]
    cdef list scores
    for e, edge in enumerate(edges):
        scores = [score for score in marginal[e] if score is not None]
        for i in range(<int>edge.first - first, <int>edge.stop - first):
            (<list>covering[i]).extend(scores)

    cdef list choices = []
    cdef double chosen, rival
    for e, o in path:
        edge = edges[e]
        option = edge.options[o]
        found = (<list>marginal[e])[o]
        chosen = -INFINITY if found is None else <double>found
        if chosen > -INFINITY:
            total = 0.0
            for rival in covering[<int>edge.first - first]:
                total += pow(10.0, min(rival - chosen, 300.0))
        else:
            total = 1.0
        choices.append((edge, option, 1.0 / max(total, 1.0)))
    return choices
