"""The compiled best path (_lattice.pyx) against its Python reference (reference_lattice.py).

The compiled version is a transcription for speed; these tests require the same path, the
same option objects and bit-identical confidences on every stretch the cleaner solves in
the text samples, and on random lattices with what the samples rarely hold (sentence
starts inside a stretch, joins over several tokens, ties, unreachable positions).
"""

from __future__ import annotations

import random

import pytest

from pipeline.clean import lattice
from pipeline.clean.corrector import Settings, correct
from pipeline.clean.index import load_index
from pipeline.clean.lattice import Edge, Option
from tests import reference_lattice
from tests.conftest import SAMPLES


def agree(n, edges, transition, start_word, first=0, first_word=None) -> bool:
    compiled = lattice.best_path(n, edges, transition, start_word, first, first_word)
    reference = reference_lattice.best_path(n, edges, transition, start_word, first, first_word)
    return [(c.edge, c.option, c.confidence) for c in compiled] == [
        (c.edge, c.option, c.confidence) for c in reference
    ] and all(a.edge is b.edge and a.option is b.option for a, b in zip(compiled, reference, strict=True))


@pytest.mark.slow
def test_identical_choices_on_every_stretch_of_the_samples(monkeypatch):
    load_index()
    stretches = []
    compiled = lattice.best_path

    def recording(*args):
        stretches.append(args)
        return compiled(*args)

    monkeypatch.setattr(lattice, "best_path", recording)
    for path in sorted(SAMPLES.glob("*.txt")):
        correct(path.read_text(encoding="utf-8"), Settings())
    monkeypatch.setattr(lattice, "best_path", compiled)
    assert len(stretches) > 1000
    assert any(len(edges) > 10 for _, edges, *_ in stretches)
    assert any(edge.stop - edge.first > 1 for _, edges, *_ in stretches for edge in edges)  # joins
    differing = [args for args in stretches if not agree(*args)]
    assert not differing, f"{len(differing)} of {len(stretches)} stretches differ"


def random_lattice(rng: random.Random) -> tuple:
    """A stretch as decide() makes them: positions first..n-1, each covered by one-token
    edges and some joins, words from a small vocabulary (so that paths meet and tie)."""
    first = rng.choice([0, 0, 3])
    n = first + rng.randint(1, 7)
    vocabulary = ["för", "att", "lör", "alt", "<unk>", "<num>", "och", "i"]
    edges = []
    for i in range(first, n):
        for _ in range(rng.choice([1, 1, 2])):
            options = [
                Option(f"t{i}", rng.choice(vocabulary), rng.choice([0.0, -1.0, -0.5, rng.uniform(-4, 2)]))
                for _ in range(rng.randint(1, 4))
            ]
            edges.append(Edge(i, i + 1, options, rng.random() < 0.2))
        if rng.random() < 0.3 and i + 2 <= n:
            stop = min(n, i + rng.randint(2, 3))
            edges.append(Edge(i, stop, [Option("joined", rng.choice(vocabulary), -0.75)], rng.random() < 0.2))
    rng.shuffle(edges)
    table = {}

    def transition(word: str, previous: str) -> float:
        # Coarse values, so that equal scores (ties) happen.
        return table.setdefault((word, previous), rng.choice([0.0, -1.0, -2.0, -3.5, rng.uniform(-8, 0)]))

    return n, edges, transition, "<s>", first, rng.choice([None, "och", "<num>"]) if first else None


def test_identical_choices_on_random_lattices():
    rng = random.Random(20261126)
    lattices = [random_lattice(rng) for _ in range(3000)]
    differing = [args for args in lattices if not agree(*args)]
    assert not differing, f"{len(differing)} of {len(lattices)} differ"
    # The lattices hold what the comparison needs to mean something.
    assert sum(len(lattice.best_path(*args)) for args in lattices) > 5000
    unreachable = Edge(1, 2, [Option("x", "och", 0.0)])
    lone = [Edge(0, 1, [Option("a", "för", 0.0), Option("b", "att", -1.0)]), unreachable]
    assert agree(2, lone, lambda word, previous: -1.0, "<s>")


@pytest.mark.slow
def test_the_compiled_language_model_gives_the_python_values(monkeypatch):
    """_lattice.Transition against corrector.py's placeholders over ContextModel.log_prob, on
    every (word, previous word) pair the samples make the lattice ask, bit for bit."""
    from pipeline.clean import corrector
    from pipeline.clean.context import ContextModel

    index = load_index()
    asked = []
    compiled = corrector.transition_function

    def recording(index):
        transition = compiled(index)

        def ask(word, previous):
            asked.append((word, previous))
            return transition(word, previous)

        return ask

    monkeypatch.setattr(corrector, "transition_function", recording)
    for path in sorted(SAMPLES.glob("*.txt")):
        correct(path.read_text(encoding="utf-8"), Settings())
    monkeypatch.setattr(corrector, "transition_function", compiled)
    model = index.context
    # A fresh model works its priors out itself; it keeps only what note_compound gave words
    # that neither word list holds.
    reference = ContextModel(model.general, model.unigrams, model.pairs)
    listed = model.general.keys() | model.unigrams.keys()
    reference._prior = {word: value for word, value in model._prior.items() if word not in listed}

    def expected(word, previous):
        if word == corrector.UNKNOWN:
            return corrector.UNKNOWN_WORD_LOGP
        if word in (corrector.OTHER, corrector.NUMBER):
            return 0.0
        return reference.log_prob(word, previous)

    transition = compiled(index)
    assert len(set(asked)) > 5000
    assert {w for w, _ in asked} >= {corrector.UNKNOWN, corrector.OTHER, corrector.NUMBER}
    differing = [pair for pair in set(asked) if transition(*pair) != expected(*pair)]
    assert not differing, f"{len(differing)} pairs differ, e.g. {differing[:3]}"


def stretches(decide_with, monkeypatch, n, edges) -> list[tuple]:
    """The stretches a decide hands to best_path, in order: (stop, edges, first, word before)."""
    handed = []

    def record(stop, stretch, transition, start_word, first, before):
        handed.append((stop, [id(edge) for edge in stretch], first, before))
        return []

    if decide_with is lattice.decide:
        monkeypatch.setattr(lattice, "best_path", record)
        decide_with(n, edges, None, "<s>")
        monkeypatch.undo()
    else:
        decide_with(n, edges, None, "<s>", best_path=record)
    return handed


def random_run(rng: random.Random) -> tuple[int, list[Edge]]:
    """A run as corrector.correct hands it to decide: every position covered by a one-token
    edge, many of them with a single option (cuts), some joins and fixes over several."""
    n = rng.randint(1, 12)
    edges = []
    for i in range(n):
        for _ in range(rng.choice([1, 1, 1, 2])):
            options = [
                Option(f"t{i}", rng.choice(["och", "att", "lör"]), 0.0) for _ in range(rng.choice([1, 1, 2]))
            ]
            edges.append(Edge(i, i + 1, options, rng.random() < 0.2))
        if rng.random() < 0.25 and i + 2 <= n:
            edges.append(Edge(i, min(n, i + rng.randint(2, 3)), [Option("joined", "för", -0.5)]))
    return n, edges


@pytest.mark.slow
def test_decide_cuts_as_the_python_decide_cuts(monkeypatch):
    from pipeline.clean import corrector

    runs = []
    compiled = corrector.decide

    def recording(n, edges, transition, start_word):
        runs.append((n, edges))
        return compiled(n, edges, transition, start_word)

    monkeypatch.setattr(corrector, "decide", recording)
    for path in sorted(SAMPLES.glob("*.txt")):
        correct(path.read_text(encoding="utf-8"), Settings())
    monkeypatch.undo()
    rng = random.Random(20261127)
    runs += [random_run(rng) for _ in range(2000)]
    assert len(runs) > 2500
    for n, edges in runs:
        assert stretches(lattice.decide, monkeypatch, n, edges) == stretches(
            reference_lattice.decide, monkeypatch, n, edges
        )
    with pytest.raises(ValueError):
        lattice.decide(2, [Edge(0, 3, [Option("x", "och", 0.0)])], None, "<s>")
