"""Which word fits here: a bigram model from clean domain text, backed by wordfreq.

The corrector often has several readings of a damaged token (`atl` -> att/alt/all,
`har` -> har/här in text that lost its diacritics); the neighbours decide. A bigram model
over a few tens of thousands of words of clean Finsam text (the files listed in
corrections/context_corpus.txt) knows the domain's phrases (`i syfte att`, `verkställande
tjänsteman`); unseen pairs fall back on the word's general frequency (Dirichlet smoothing
with wordfreq as the prior), so the model never rules a word out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.clean.dictionary import CORRECTIONS_DIR, DictionaryError, data_lines

CONTEXT_CORPUS = CORRECTIONS_DIR / "context_corpus.txt"
REPOSITORY = CORRECTIONS_DIR.parent
SENTENCE = "<s>"
# Numbers are one word class for the model: `16-64 år` teaches that `år` follows a number.
NUMBER_WORD = "<num>"
WORD = re.compile(r"[a-zåäöéü]+(?:-[a-zåäöéü]+)*|\d+(?:[ ,.:/-]\d+)*")
SENTENCE_END = re.compile(r"[.!?:;]\s|\n\s*\n|\f")
MARKUP = re.compile(r"<[^>\n]*>")
# Weight of the domain corpus in the unigram prior, against wordfreq's general Swedish.
# 0.1/0.3/0.5 gave dev WER 12.4/12.4/12.4% (mangled), 5.5/5.5/5.6% (swe scans), 7.1/7.2/7.2%
# (eng scans): insensitive; 0.3 leans on the domain without letting ~11k words dominate.
CORPUS_WEIGHT = 0.3
# Interpolation: P(w | prev) = l * count(prev, w) / count(prev) + (1 - l) * prior(w), with
# l = BIGRAM_WEIGHT * count(prev) / (count(prev) + PRIOR_STRENGTH). The corpus is small, so
# most real pairs are unseen: an unseen pair must cost at most a factor 1 / (1 - BIGRAM_WEIGHT).
# BIGRAM_WEIGHT 0.2/0.3/0.5/0.7 gave dev WER 14.5/14.5/14.1-14.4/14.7% (a flat optimum;
# Dirichlet smoothing without the cap was 2-3 points worse); PRIOR_STRENGTH 1/3/10: no change.
BIGRAM_WEIGHT = 0.3
PRIOR_STRENGTH = 3.0
# A compound hunspell accepts but no word list holds gets this share of the frequency of its
# rarest part (`verksamhets|arbetet` is plausible, `verksamhetsar|betel` is not). At 0.01 a
# chain beat two separate words too often (`inför år ets` -> införårets); 0.001 did not.
COMPOUND_SHARE = 0.001
# Frequency given to a word neither source knows (a compound hunspell accepts).
UNSEEN_FREQUENCY = 1e-8


def parse_corpus_list(lines: list[str], source: str = "<memory>") -> list[Path]:
    paths = []
    for number, fields in data_lines(lines):
        path = REPOSITORY / fields[0].strip()
        if not path.is_file():
            raise DictionaryError(f"{source}:{number}: no such file {fields[0].strip()!r}")
        paths.append(path)
    return paths


def corpus_files(path: Path = CONTEXT_CORPUS) -> tuple[Path, ...]:
    return tuple(parse_corpus_list(path.read_text(encoding="utf-8").splitlines(), str(path)))


def sentences(text: str) -> list[list[str]]:
    """Lowercase word sequences of a clean text, split at sentence ends and markup."""
    text = MARKUP.sub("\n\n", text)
    return [
        [NUMBER_WORD if word[0].isdigit() else word for word in WORD.findall(chunk.lower())]
        for chunk in SENTENCE_END.split(text)
    ]


def count_corpus(texts: list[str]) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    unigrams: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for text in texts:
        for sentence in sentences(text):
            previous = SENTENCE
            for word in sentence:
                unigrams[word] = unigrams.get(word, 0) + 1
                pairs[(previous, word)] = pairs.get((previous, word), 0) + 1
                previous = word
    return unigrams, pairs


@dataclass
class ContextModel:
    general: dict[str, float]  # wordfreq frequency of the candidate words (the lexicon's table)
    unigrams: dict[str, int]
    pairs: dict[tuple[str, str], int]

    def __post_init__(self) -> None:
        self.total = max(sum(self.unigrams.values()), 1)
        self.left: dict[str, int] = {}
        for (previous, _), count in self.pairs.items():
            self.left[previous] = self.left.get(previous, 0) + count
        self._prior: dict[str, float] = {}

    def note_compound(self, word: str, rarest_part: float) -> None:
        """Give a compound read as a chain of words a prior from its parts."""
        if word not in self.general and word not in self.unigrams:
            self._prior[word] = max(self._prior.get(word, UNSEEN_FREQUENCY), COMPOUND_SHARE * rarest_part)

    def prior(self, word: str) -> float:
        value = self._prior.get(word)
        if value is None:
            value = (1 - CORPUS_WEIGHT) * self.general.get(word, 0.0) + CORPUS_WEIGHT * (
                self.unigrams.get(word, 0) / self.total
            )
            value = max(value, UNSEEN_FREQUENCY)
            self._prior[word] = value
        return value

    def log_prob(self, word: str, previous: str) -> float:
        """log10 P(word | previous word); `previous` is SENTENCE at a sentence start.

        The lattice asks the same through _lattice.Transition, compiled; the tests require
        both to give the same values."""
        prior = self.prior(word)
        seen = self.left.get(previous, 0)
        if not seen:
            return math.log10(prior)
        weight = BIGRAM_WEIGHT * seen / (seen + PRIOR_STRENGTH)
        return math.log10(weight * self.pairs.get((previous, word), 0) / seen + (1 - weight) * prior)
