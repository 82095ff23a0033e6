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

from libc.math cimport INFINITY, log10, pow
from libcpp.vector cimport vector


cdef class Transition:
    """The language model's log10 P(word | previous word) as the lattice asks it: corrector.py's
    transition (placeholders) over context.ContextModel.log_prob and prior, compiled.

    A pass over the delårsrapport asks it some 14 000 times, and through three Python calls
    each took about 0.8 µs. The same sums in the same order over the model's own tables (and
    its cache of priors, which note_compound also fills), so the values are identical;
    tests/test_clean_lattice.py checks that on every pair the samples ask.
    """

    cdef dict general, unigrams, pairs, left, priors
    cdef double total, corpus_weight, bigram_weight, prior_strength, unseen_frequency, unknown_logp
    cdef str unknown, other, number

    def __init__(self, model, dict constants, str unknown, str other, str number, double unknown_logp):
        self.general, self.unigrams, self.pairs = model.general, model.unigrams, model.pairs
        self.left, self.priors, self.total = model.left, model._prior, model.total
        self.corpus_weight = constants["CORPUS_WEIGHT"]
        self.bigram_weight = constants["BIGRAM_WEIGHT"]
        self.prior_strength = constants["PRIOR_STRENGTH"]
        self.unseen_frequency = constants["UNSEEN_FREQUENCY"]
        self.unknown, self.other, self.number, self.unknown_logp = unknown, other, number, unknown_logp

    def __call__(self, str word, str previous):
        return self.value(word, previous)

    cdef double prior(self, str word) except? -1.0:
        cdef object known = self.priors.get(word)
        cdef double value
        if known is not None:
            return known
        value = (1 - self.corpus_weight) * <double>self.general.get(word, 0.0) + self.corpus_weight * (
            <double>self.unigrams.get(word, 0) / self.total
        )
        value = max(value, self.unseen_frequency)
        self.priors[word] = value
        return value

    cdef double value(self, str word, str previous) except? -1.0:
        if word == self.unknown:
            return self.unknown_logp
        if word == self.other or word == self.number:
            return 0.0
        cdef double prior = self.prior(word)
        cdef object seen_count = self.left.get(previous, 0)
        if not seen_count:
            return log10(prior)
        cdef double seen = seen_count
        cdef double weight = self.bigram_weight * seen / (seen + self.prior_strength)
        cdef double count = self.pairs.get((previous, word), 0)
        return log10(weight * count / seen + (1 - weight) * prior)


cdef inline double ask(object transition, str word, str previous) except? -1.0:
    if type(transition) is Transition:
        return (<Transition>transition).value(word, previous)
    return transition(word, previous)


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
                    value = local + ask(transition, word, start_word)
                    for k in range(count):
                        step.push_back(value)
                else:
                    for k in range(count):
                        step.push_back(local + ask(transition, word, here.words[k]))
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


def stretches(int n, list edges) -> list:
    """What lattice.decide solves: (stop, edges, first, word before) of each stretch of
    positions 0..n-1 between cuts, in order (see decide for what a cut is and why)."""
    cdef vector[int] covering = vector[int](n, 0)
    cdef vector[int] fixed = vector[int](n, -1)  # per position: its cutting edge, or -1
    cdef Py_ssize_t e, count = len(edges)
    cdef int position, first, stop, start
    cdef list starting = [None] * n  # per position: the edges starting there, in order
    cdef list firsts = [0] * count
    for e in range(count):
        edge = edges[e]
        first, stop = edge.first, edge.stop
        if not 0 <= first < stop <= n:
            raise ValueError(f"an edge over positions {first}..{stop - 1} of a lattice of {n}")
        firsts[e] = first
        for position in range(first, stop):
            covering[position] += 1
    for e in range(count):
        edge = edges[e]
        first = firsts[e]
        if edge.stop == first + 1 and len(edge.options) == 1 and covering[first] == 1:
            fixed[first] = <int>e
        if starting[first] is None:
            starting[first] = [edge]
        else:
            (<list>starting[first]).append(edge)
    cdef list found = []
    cdef list stretch
    position = 0
    while position < n:
        if fixed[position] >= 0:
            position += 1
            continue
        start = position
        while position < n and fixed[position] < 0:
            position += 1
        stop = min(position + 1, n)  # the cut after the stretch, when there is one
        before = edges[fixed[start - 1]].options[0].word if start > 0 else None
        stretch = []
        for first in range(start, stop):
            if starting[first] is not None:
                stretch.extend(<list>starting[first])
        found.append((stop, stretch, start, before))
    return found
