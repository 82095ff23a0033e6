"""The readings offered for each token of one document, with their local scores.

For every word token the lattice (lattice.py) gets options: keep it as read, the readings
the confusion table allows (channel.py), its restored å/ä/ö in a document that lost them
(diacritics.py), real-word alternatives in mangled text (`lör` for `för`), and readings of
a run of tokens as one word (rejoin.py). How much a reading must beat keeping the token
depends on the document: noise_share() measures how mangled it is, and the weights below
move between their clean and their noisy value with it. Scores are log10 probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from pipeline.clean.context import NUMBER_WORD
from pipeline.clean.diacritics import restored_compounds, restored_forms, restored_marks
from pipeline.clean.index import Index
from pipeline.clean.lattice import Option
from pipeline.clean.lexicon import fold, inner_capital
from pipeline.clean.protect import STROKE_INITIALS, has_debris, looks_like_name
from pipeline.clean.tokens import STROKE, Token

# --- placeholders the language model sees for what is not a word
UNKNOWN = "<unk>"
OTHER = "<other>"
NUMBER = NUMBER_WORD
# log10 probability the language model gives a word it does not know (a kept unknown
# token): about a word seen once in a million.
UNKNOWN_WORD_LOGP = -6.0

# --- how much evidence a change needs, by document noise (noise_share: the share of words
# that are no words but read cheaply as one). Below CLEAN_NOISE a document is treated as
# clean, above NOISY_NOISE as mangled, in between by the logarithm of the noise.
CLEAN_NOISE = 0.003
NOISY_NOISE = 0.2
# A reading this cheap explains an unknown word as OCR damage (two thin-stroke confusions).
EXPLAINED_COST = 0.6
# log10 penalty per unit of confusion cost (a generic edit costs 1.0). Tuned on the dev data
# (lines 1-98 of the delårsrapport, transcribed by hand; Tesseract swe/eng output of two
# other slutrapporter rendered as scans): noisy 1.5/2.0/2.5 gave mangled-text WER
# 14.3/14.4/14.8% averaged over the other settings, best single run 13.5% at 1.5 and 2.0;
# clean 3.0 changed 6-14 words of the clean samples, 4.0 none.
CHANNEL_WEIGHT_CLEAN = 4.0
CHANNEL_WEIGHT_NOISY = 2.0
# Bonus (log10) for keeping an unknown word as read: in clean text it is probably a name or
# a rare word, in mangled text probably damage. Noisy -1/-2/-3 gave dev WER 15.6/14.2/13.8%
# (-4 and -5 as -3); clean 0/1/2 changed 8/6/0 words of the clean samples.
KEEP_BONUS_CLEAN = 2.0
KEEP_BONUS_NOISY = -3.0
# Further adjustments of that: a clean capitalised word mid-sentence is likely a name; marks
# or digits inside a word (`olil<a`) are OCR debris.
NAME_BONUS = 1.5
DEBRIS_PENALTY = 2.0
# Real words may be misreadings (`lör` for `för`) only in documents at least this noisy
# (the mangled delårsrapport measures 0.30, everything else below 0.2), and such a change
# pays this much on top of its confusion cost.
REALWORD_MIN_NOISE = 0.1
REALWORD_PENALTY = 1.0
# A restored å/ä/ö in a document that lost them costs this much per letter (nearly free:
# the context decides between `har` and `här`).
STRIPPED_MARK_COST = 0.05
# In a document that lost only some marks, a valid word may still be one that lost them
# (`star` for står), at this extra cost (log10). 0.5/1.0/1.5/2.0 gave swe dev-scan WER
# 5.6/5.55/5.6/5.75%.
PARTIAL_VALID_PENALTY = 1.0
# Reading several tokens as one word costs this per gap, by the kind of gap; a hyphen at a
# line end (`arbets-` / `marknaden`) costs HYPHENATED_COST.
JOIN_COST = {"space": 0.5, "newline": 0.5, "hyphen": 0.25, "slash": 0.6}
HYPHENATED_COST = 0.1
# A token is a fragment worth joining when it is not a word and either has at most this many
# letters or no reading cheaper than WEAK_READING_COST of its own.
FRAGMENT_LETTERS = 3
WEAK_READING_COST = 0.8
# A token this long that no word reads back to within the search's budget is searched again
# among the domain lexicon's words (index.DOMAIN_EXPANSIONS).
DOMAIN_MIN_LETTERS = 7
# One-letter words; any other single letter is a fragment (`Sid a`, `ha r`).
WHOLE_LETTERS = {"i", "å", "ö"}


def interpolate(noise: float, clean: float, noisy: float) -> float:
    """`clean` below CLEAN_NOISE, `noisy` above NOISY_NOISE, in between by log noise."""
    low, high = math.log10(CLEAN_NOISE), math.log10(NOISY_NOISE)
    share = min(max((math.log10(max(noise, 1e-6)) - low) / (high - low), 0.0), 1.0)
    return clean + share * (noisy - clean)


def noise_share(tokens: list[Token], valid: list[bool], index: Index, loss: str | None) -> float:
    """Share of lowercase words of 3+ letters that are no words but have a cheap reading.

    Counting only words with a cheap reading separates OCR damage from what a clean text
    holds that no dictionary knows (names, English, typos): measured 0.002 on the clean
    samples, 0.02 on Tesseract swe output of the scans, 0.14-0.18 on text that lost its
    å/ä/ö, 0.30 on the mangled delårsrapport.
    """
    counted = explained = 0
    for token, ok in zip(tokens, valid, strict=True):
        if not token.is_word or len(token.text) < 3 or looks_like_name(token):
            continue
        counted += 1
        if ok:
            continue
        if loss and restored_forms(token.text.lower(), index.lexicon):
            explained += 1  # its å/ä/ö back make it a word: no need to search it
            continue
        readings = index.readings(token.text, (), loss == "stripped")[len(token.text)]
        if any(cost <= EXPLAINED_COST for _, cost, _ in readings):
            explained += 1
    return explained / max(counted, 1)


class Candidates:
    """Options for the tokens of one document, given its noise and whether it lost å/ä/ö."""

    def __init__(self, index: Index, noise: float, loss: str | None):
        self.index, self.lexicon, self.noise, self.loss = index, index.lexicon, noise, loss
        self.stripped = loss == "stripped"
        self.weight = interpolate(noise, CHANNEL_WEIGHT_CLEAN, CHANNEL_WEIGHT_NOISY)
        self.keep_bonus = interpolate(noise, KEEP_BONUS_CLEAN, KEEP_BONUS_NOISY)
        self.realwords = noise >= REALWORD_MIN_NOISE
        # token_options by what they depend on: a document repeats most of its words.
        self.made: dict[tuple[str, bool, bool], list[Option]] = {}

    def casing(self, token: Token) -> Callable[[str], str]:
        """word -> the word with the capitals the token and the lexicon call for. What depends
        on the token alone is worked out once (a mangled token has several readings)."""
        spellings = self.lexicon.spellings
        text = token.text
        # Three letters or more, all capitals (the first small letter settles most tokens).
        if not any(ch.isalpha() and not ch.isupper() for ch in text) and sum(ch.isalpha() for ch in text) > 2:
            return lambda word: spellings.get(word) or word.upper()
        first = text[0]
        # A capital is the writer's only if it is the word's own first letter: `Lrpprättats`
        # is upprättats whose `u` OCR read as `Lr`, not a capitalised word.
        capital = first.isalpha() and first.isupper() and first not in STROKE_INITIALS
        initial = fold(first.lower())
        sentence = token.sentence_start and (
            not first.isalpha() or first in STROKE_INITIALS or first.isupper()
        )

        def case(word: str) -> str:
            spelling = spellings.get(word)
            if spelling:
                return spelling
            if (capital and initial == fold(word[:1])) or sentence:
                return word.capitalize()
            return word

        return case

    def rule_namer(self, original: str) -> Callable[[str], str]:
        """The rule a reading of this token is logged under: `diacritics` when it only puts
        back diacritics (å, ä, ö, é, ü), else `confusion`."""
        lower = original.lower()
        folded = fold(lower)
        return lambda word: "diacritics" if word != lower and fold(word) == folded else "confusion"

    def keep_local(self, token: Token) -> float:
        score = self.keep_bonus
        if has_debris(token.text):
            score -= DEBRIS_PENALTY
        elif looks_like_name(token):
            score += NAME_BONUS
        return score

    def restored(self, token: Token, valid: bool = True) -> list[Option]:
        """Its words with å/ä/ö back: listed words, or for an unknown word the compounds
        hunspell accepts."""
        lower = token.text.lower()
        options = []
        words = restored_forms(lower, self.lexicon)
        if not words and not valid:
            words = restored_compounds(lower, self.lexicon)
        case = self.casing(token) if words else None
        for word in words:
            if word != lower:
                cost = STRIPPED_MARK_COST * restored_marks(lower, word)
                options.append(Option(case(word), word, -self.weight * cost, "diacritics", cost))
        return options

    def token_options(self, token: Token, valid: bool) -> list[Option]:
        """Keep the token, or one of its readings (see the module's docstring).

        They depend on its text, whether it starts a sentence (capitals) and its validity
        alone, so a repeated word gets the list made for its first occurrence: callers
        must not change it."""
        key = (token.text, token.sentence_start, valid)
        options = self.made.get(key)
        if options is None:
            options = self.made[key] = self.options_for(token, valid)
        return options

    def options_for(self, token: Token, valid: bool) -> list[Option]:
        lower = token.text.lower()
        if token.text in self.lexicon.domain:  # the domain lexicon's words are never changed
            return [Option(token.text, lower, 0.0)]
        if valid:
            options = [Option(token.text, lower, 0.0)]
            if self.stripped:
                options += self.restored(token)
            elif self.loss == "partial":  # `star` may be står, `Timra` Timrå: context decides
                options += [replace(o, local=o.local - PARTIAL_VALID_PENALTY) for o in self.restored(token)]
            if self.realwords and (realwords := self.index.realword.get(lower)):
                case = self.casing(token)
                for word, cost in realwords:
                    local = -self.weight * cost - REALWORD_PENALTY
                    options.append(Option(case(word), word, local, "realword", cost))
            return options
        options = [Option(token.text, UNKNOWN, self.keep_local(token))]
        if self.loss and (restored := self.restored(token, valid=False)):
            # No word as read, a word with its å/ä/ö back: the document's loss explains it.
            options = [Option(token.text, UNKNOWN, KEEP_BONUS_NOISY)] + restored
        if len(options) > 1:
            return options  # restoring the marks explains the token: no search needed
        seen = {option.word for option in options}
        if not inner_capital(token.text):
            seen.add(lower)  # only a capital inside a small word (`aLla`) is read as no capital
        readings = self.index.readings(token.text, (), self.stripped)[len(token.text)]
        if not readings and len(token.text) >= DOMAIN_MIN_LETTERS:
            readings = self.index.domain_readings(token.text, self.stripped)
        if not readings:
            return options
        case, rule = self.casing(token), self.rule_namer(token.text)
        for word, cost, chain in readings:
            if word in seen:
                continue
            if chain:
                self.index.context.note_compound(word, chain)
            seen.add(word)
            options.append(Option(case(word), word, -self.weight * cost, rule(word), cost))
        return options

    def join_options(
        self, tokens: list[Token], stops: list[int], raw: str, fragments: dict[int, bool]
    ) -> dict[int, list[Option]]:
        """Options for reading tokens[0:stop] as one word, for each stop, from one search."""
        pieces = [raw[tokens[0].start : tokens[0].end]]
        ends = [len(pieces[0])]
        for a, b in zip(tokens, tokens[1:], strict=False):
            piece = "".join(raw[a.end : b.end].split())
            if a.hyphen_after and b.gap == "newline":
                piece = piece[1:]  # the hyphen of a word broken at the line end
            pieces.append(piece)
            ends.append(ends[-1] + len(piece))
        # Pieces read as a chain of words are more likely several words than one compound
        # (`förvirllande olgan`, `processtod för utvecklingsgrupp`) unless every piece is a
        # fragment and one is short, as a split compound leaves them. Where no stop may be
        # read so (nine windows in ten), the search builds no chains at all.
        chains = {}
        all_fragments, any_short, at = True, False, 0
        for stop in sorted(stops):
            for token in tokens[at:stop]:
                all_fragments = all_fragments and fragments[token.start]
                any_short = any_short or len(token.text) <= FRAGMENT_LETTERS
            chains[stop], at = all_fragments and any_short, stop
        readings = self.index.readings(
            "".join(pieces), tuple(ends[stop - 1] for stop in stops), self.stripped, any(chains.values())
        )
        options: dict[int, list[Option]] = {}
        if not any(readings.values()):
            return options  # most windows
        case = self.casing(tokens[0])
        for stop in stops:
            gaps = sum(
                HYPHENATED_COST if a.hyphen_after and b.gap == "newline" else JOIN_COST[b.gap]
                for a, b in zip(tokens[: stop - 1], tokens[1:stop], strict=True)
            )
            for word, cost, chain in readings[ends[stop - 1]]:
                if chain and not chains[stop]:
                    continue
                text = case(word)
                if chain:
                    self.index.context.note_compound(word, chain)
                total = cost + gaps
                options.setdefault(stop, []).append(Option(text, word, -self.weight * total, "rejoin", total))
        return options


def is_fragment(token: Token, valid: bool, options: list[Option]) -> bool:
    """A piece of a split word: a stray letter, or no word and without a cheap reading."""
    if not token.is_word or token.text == STROKE:
        return False  # a lone bar is Tesseract's `i` (tokens.py), not part of a split word
    if len(token.text) == 1:
        return token.text.lower() not in WHOLE_LETTERS
    return not valid and (
        len(token.text) <= FRAGMENT_LETTERS
        or not any(o.rule and o.cost <= WEAK_READING_COST for o in options)
    )
