"""Correct a whole raw text: tokens -> a lattice of readings -> the best path -> Corrections.

The decision is a noisy-channel one, made per document:
  - how noisy is the document? The share of its words that are no words but read cheaply
    as one (0.002 in the clean samples, 0.3 in the mangled delårsrapport) sets how much
    evidence a change needs: in clean text an unknown word is probably a name, in mangled
    text probably damage;
  - did it lose å/ä/ö throughout (diacritics.py)? Then every word is offered its restored
    forms and context decides;
  - each token gets options (candidates.py): keep it, the readings the confusion table
    allows (channel.py), real-word alternatives in noisy text (`lör` for `för`), a join with
    its neighbours (rejoin.py); reviewed whole-token fixes (token_fixes.tsv) and split years
    are applied outright;
  - a bigram model (context.py) scores the options in sequence; the best path wins, and a
    change is applied only when its confidence (its share of the probability at that
    position) reaches MIN_CONFIDENCE.
Numbers, addresses, markup, acronyms and domain words never change; doubtful amounts are
reported, not guessed.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from models.document import Correction
from pipeline.clean import context
from pipeline.clean._lattice import Transition
from pipeline.clean.candidates import (
    NUMBER,
    OTHER,
    REALWORD_MIN_NOISE,
    UNKNOWN,
    UNKNOWN_WORD_LOGP,
    Candidates,
    is_fragment,
    noise_share,
)
from pipeline.clean.diacritics import loss_mode
from pipeline.clean.dictionary import load_token_fixes
from pipeline.clean.index import Index, load_index
from pipeline.clean.lattice import Edge, Option, decide
from pipeline.clean.protect import doubtful_amounts
from pipeline.clean.rejoin import join_windows, load_year_context, year_joins
from pipeline.clean.tokens import Token, split_tokens, token_fixes

SENTENCE = "<s>"
# The context model's tuning values the compiled transition needs.
CONTEXT_CONSTANTS = ("CORPUS_WEIGHT", "BIGRAM_WEIGHT", "PRIOR_STRENGTH", "UNSEEN_FREQUENCY")
# A change is applied only with at least this confidence (its share of probability at its
# position): more likely than everything else together. 0.5/0.6/0.7 gave dev WER
# 14.2/14.4/14.9% (mangled) and 8.2/8.4/8.6% (eng scans).
MIN_CONFIDENCE = 0.5
# An apostrophe glued to a word's end is dropped in mangled text (no quotation opens it).
NOISE_MARK_CONFIDENCE = 0.8
# Whole-token fixes (tokens.TOKEN_FIX_CONFIDENCE) and rejoined years (rejoin.py) are applied
# outright, without the lattice. Set FINSAM_CLEAN_TOKEN_FIXES=0 to correct without
# corrections/token_fixes.tsv (how the evaluation measures text the fixes were not
# harvested from).
TOKEN_FIXES_ENV = "FINSAM_CLEAN_TOKEN_FIXES"

# The cyclic garbage collector is paused while a text is corrected (collector_paused). A pass
# makes tens of thousands of lists, tuples and options and frees them by reference counting:
# it makes no reference cycles (a test checks), so the collections its allocations set off
# find nothing to free, yet they scan every young object, and now and then the whole heap
# with the index. Paused, a pass over the mangled delårsrapport never seen took a median
# 0.200 s against 0.216 s (30 passes each, alternating in one plain process, as `finsam
# clean` and the eval run it; the young collection it defers counted). In a process readied
# as a pool worker, whose collector thresholds already make collections rare (warm.py),
# no difference could be measured.
_pauses = 0  # corrections under way (threads of a Dask worker may run several)
_resume = False  # whether the collector ran before the first of them
_pause_lock = threading.Lock()


@dataclass(frozen=True)
class Settings:
    token_fixes: bool = True
    corpus: tuple[Path, ...] | None = None  # context corpus; None: corrections/context_corpus.txt


@dataclass
class Result:
    corrections: list[Correction]
    doubtful: list[tuple[int, str]]
    noise: float = 0.0
    loss: str | None = None  # diacritics lost: "stripped", "partial" or None
    words: int = 0


def settings_from_environment() -> Settings:
    return Settings(token_fixes=os.environ.get(TOKEN_FIXES_ENV, "1") != "0")


def fixed_spans(raw: str, tokens: list[Token], settings: Settings) -> list[tuple[Correction, int, int]]:
    """Whole-token fixes: (correction, first token, stop token) for each fix that applies."""
    if not settings.token_fixes:
        return []
    found = []
    ends = [t.end for t in tokens]
    for corr in token_fixes(raw, load_token_fixes()):
        first = bisect.bisect_right(ends, corr.start)  # the first token ending after its start
        stop = first
        while stop < len(tokens) and tokens[stop].start < corr.end:
            stop += 1
        if stop > first:
            found.append((corr, first, stop))
    return found


def is_valid(token: Token, raw: str, index: Index) -> bool:
    """A word as it stands; also `bl.a` and `t.ex` (the tokenizer took their full stop) and the
    first part of a compound before a hyphen (`hälso-` in `hälso- och sjukvård`)."""
    lexicon = index.lexicon
    if lexicon.is_word(token.text):
        return True
    if token.hyphen_after and lexicon.trie.has_prefix(token.text.lower()):
        return True
    return raw[token.end : token.end + 1] == "." and "." in token.text and lexicon.is_word(token.text + ".")


def stray_apostrophes(raw: str, tokens: list[Token]) -> list[Correction]:
    """In mangled text an apostrophe glued to the end of a word is a speck (`lör'`, `medlemmar'.`)."""
    found = []
    for token in tokens:
        if (
            token.is_word
            and raw[token.end : token.end + 1] == "'"
            and raw[token.start - 1 : token.start] != "'"
        ):
            found.append(
                Correction(
                    start=token.end,
                    end=token.end + 1,
                    original="'",
                    corrected="",
                    rule="noise_mark",
                    confidence=NOISE_MARK_CONFIDENCE,
                )
            )
    return found


def overlap_test(taken: list[Correction]) -> Callable[[Correction], bool]:
    """correction -> does it overlap one of `taken`? (A bisection, not a scan of them all.)"""
    spans = sorted((c.start, c.end) for c in taken)
    starts = [start for start, _ in spans]
    reach = list(itertools.accumulate((end for _, end in spans), max))  # furthest end so far

    def overlaps(correction: Correction) -> bool:
        before = bisect.bisect_left(starts, correction.end)  # spans starting before it ends
        return before > 0 and reach[before - 1] > correction.start

    return overlaps


def runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Token index ranges between blank lines and page breaks."""
    bounds, start = [], 0
    for i, token in enumerate(tokens):
        if token.gap == "break" and i > start:
            bounds.append((start, i))
            start = i
    if start < len(tokens):
        bounds.append((start, len(tokens)))
    return bounds


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off for the block, and back as it was once the last block ends."""
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def correct(raw: str, settings: Settings | None = None) -> Result:
    """The corrections of a raw text (see the module's docstring)."""
    with collector_paused():
        return correct_text(raw, settings or settings_from_environment())


def correct_text(raw: str, settings: Settings) -> Result:
    index = load_index(settings.corpus)
    lexicon = index.lexicon
    tokens = split_tokens(raw)
    corrections: list[Correction] = []
    forced: dict[int, tuple[int, str]] = {}  # first token -> (stop, language-model word)

    for corr, first, stop in fixed_spans(raw, tokens, settings):
        if any(i in forced for i in range(first, stop)):
            continue
        corrections.append(corr)
        for i in range(first, stop):
            forced[i] = (stop, corr.corrected.lower() if i == first else "")
    for first, second, year, confidence in year_joins(tokens, raw, load_year_context()):
        if first in forced or second in forced:
            continue
        start, end = tokens[first].start, tokens[second].end
        corrections.append(
            Correction(
                start=start,
                end=end,
                original=raw[start:end],
                corrected=year,
                rule="rejoin_year",
                confidence=confidence,
            )
        )
        forced[first], forced[second] = (second + 1, NUMBER), (second + 1, "")

    valid = [t.is_word and is_valid(t, raw, index) for t in tokens]
    loss = loss_mode(tokens, valid, lexicon)
    noise = noise_share(tokens, valid, index, loss)
    corrector = Candidates(index, noise, loss)
    options = [
        corrector.token_options(t, ok) if t.is_word else [] for t, ok in zip(tokens, valid, strict=True)
    ]
    fragment = [is_fragment(t, ok, opts) for t, ok, opts in zip(tokens, valid, options, strict=True)]
    fragment_at = {t.start: f for t, f in zip(tokens, fragment, strict=True)}
    windows: dict[int, list[int]] = {}
    for first, stop in join_windows(tokens, valid, fragment):
        windows.setdefault(first, []).append(stop)
    transition = transition_function(index)
    window_firsts = sorted(windows)
    # forced_before[i]: how many of tokens[:i] a fixed span or a year took (windows over one
    # are dropped).
    forced_before = [0]
    for i in range(len(tokens)):
        forced_before.append(forced_before[-1] + (i in forced))

    for run_start, run_stop in runs(tokens):
        edges = []
        for i in range(run_start, run_stop):
            token, local = tokens[i], i - run_start
            if i in forced:
                stop, word = forced[i]
                if word:  # the first token of a fixed span carries it
                    edges.append(
                        Edge(local, stop - run_start, [Option(token.text, word, 0.0)], token.sentence_start)
                    )
                continue
            placeholder = NUMBER if token.kind == "number" else OTHER
            own = options[i] if token.is_word else [Option(token.text, placeholder, 0.0)]
            edges.append(Edge(local, local + 1, own, token.sentence_start))
        low, high = bisect.bisect_left(window_firsts, run_start), bisect.bisect_left(window_firsts, run_stop)
        for first in window_firsts[low:high]:
            stops = [
                stop
                for stop in windows[first]
                if stop <= run_stop and forced_before[stop] == forced_before[first]
            ]
            if not stops:
                continue
            joined = corrector.join_options(
                tokens[first : max(stops)], [stop - first for stop in stops], raw, fragment_at
            )
            for stop, join in joined.items():
                edges.append(
                    Edge(first - run_start, first + stop - run_start, join, tokens[first].sentence_start)
                )
        for choice in decide(run_stop - run_start, edges, transition, SENTENCE):
            option = choice.option
            if option.rule is None or choice.confidence < MIN_CONFIDENCE:
                continue
            first, last = tokens[run_start + choice.edge.first], tokens[run_start + choice.edge.stop - 1]
            original = raw[first.start : last.end]
            if option.text != original:
                corrections.append(
                    Correction(
                        start=first.start,
                        end=last.end,
                        original=original,
                        corrected=option.text,
                        rule=option.rule,
                        confidence=round(choice.confidence, 3),
                    )
                )
    if noise >= REALWORD_MIN_NOISE:
        overlaps = overlap_test(corrections)
        corrections += [c for c in stray_apostrophes(raw, tokens) if not overlaps(c)]
    corrections.sort(key=lambda c: c.start)
    words = sum(t.is_word for t in tokens)
    return Result(corrections, doubtful_amounts(raw), noise, loss, words)


def transition_function(index: Index) -> Transition:
    """The language model as the lattice asks it: placeholders for what is not a word (an
    unknown word costs UNKNOWN_WORD_LOGP, numbers and marks nothing), else the context
    model's log_prob; compiled (_lattice.Transition)."""
    constants = {name: getattr(context, name) for name in CONTEXT_CONSTANTS}
    return Transition(index.context, constants, UNKNOWN, OTHER, NUMBER, UNKNOWN_WORD_LOGP)
