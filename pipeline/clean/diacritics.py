"""Text that lost its å, ä and ö: detect it per document, and offer the restored words.

Tesseract's English model, and some old OCR (the verksamhetsplan sample), print `a` for å and
ä and `o` for ö throughout a document. Such a document is recognised by its words: many
read as the folded form of a much more common Swedish word (`pa`, `ar`, `for`, `forbundet`)
and few carry å/ä/ö at all. In that mode every word is offered its restored forms. Which
one is right is not a question of validity (wordfreq itself lists `forbundet`, and `for`,
`har`, `var` are words), so restoring is left to frequencies and context in the lattice.
A document that lost only some marks (partial mode) has its unknown words restored, not
its valid ones.

Compounds are mostly missing from the word lists (`lonebidragsutredning`, `projektmal`), so an
unknown word that no listed word restores is offered the spellings with marks put back that
hunspell accepts, fewest changed letters first.
"""

from __future__ import annotations

import itertools

from pipeline.clean.lexicon import Lexicon, fold
from pipeline.clean.tokens import Token

MARKS = set("åäöÅÄÖ")
# A folded word counts as evidence when a restored form is this many times more frequent
# (pa/på: 440x, for/för: 160x; har/här (0.3x) is no evidence either way).
EVIDENCE_RATIO = 20.0
# A document is stripped when evidence outweighs words with marks this much (share of the
# two), with at least MIN_EVIDENCE such words. Measured shares: verksamhetsplan and
# Tesseract eng on the dev scans 1.00; the clean samples 0.00-0.003, the mangled but
# Swedish delårsrapport 0.04, Tesseract swe on the dev scans 0.07-0.12.
STRIPPED_SHARE = 0.5
MIN_EVIDENCE = 8
# Tesseract's Swedish model on worn scans loses some rings and dots (`da`, `varen`, `ocksa`):
# a document is partly stripped when this share of its unknown lowercase words become words
# with their marks back. Measured: clean samples 0.04-0.07, mangled delårsrapport 0.03, swe
# OCR of the dev scans 0.36-0.70.
PARTIAL_SHARE = 0.25
PARTIAL_MIN_WORDS = 5
# What a lost mark leaves behind, and what it was.
MARKABLE = {"a": "åä", "o": "ö"}
# Unknown words this long are tried as compounds with their marks back (shorter ones are
# listed words when they are words at all), with at most this many hunspell checks: every
# spelling with one or two marks back in a word with four a/o, and the cheap ones beyond.
COMPOUND_MIN_LETTERS = 6
MAX_COMPOUND_CHECKS = 40


def stripped_share(tokens: list[Token], lexicon: Lexicon) -> tuple[float, int]:
    """(share of stripped evidence among evidence and marked words, evidence count)."""
    marked = evidence = 0
    counts: dict[str, tuple[int, int]] = {}  # text -> (marked, evidence): words repeat
    for token in tokens:
        if not token.is_word:
            continue
        text = token.text
        count = counts.get(text)
        if count is None:
            count = counts[text] = word_evidence(text, lexicon)
        marked += count[0]
        evidence += count[1]
    return evidence / max(evidence + marked, 1), evidence


def word_evidence(text: str, lexicon: Lexicon) -> tuple[int, int]:
    """stripped_share's count of one word: (1, 0) when it has å/ä/ö; (0, 1) when it is
    evidence of lost marks (the folded form of a word with marks far more common than it, or
    of any such word while it is no word itself); else (0, 0)."""
    if not MARKS.isdisjoint(text):
        return 1, 0
    lower = text.lower()
    restored = lexicon.folds.get(lower)
    if not restored:
        return 0, 0
    best = max(lexicon.word_frequency(word) for word in restored)
    if best > EVIDENCE_RATIO * lexicon.word_frequency(lower) or not lexicon.is_word(text):
        return 0, 1
    return 0, 0


def loss_mode(tokens: list[Token], valid: list[bool], lexicon: Lexicon) -> str | None:
    """ "stripped" (å/ä/ö lost throughout), "partial" (often lost) or None for the document."""
    share, evidence = stripped_share(tokens, lexicon)
    if share >= STRIPPED_SHARE and evidence >= MIN_EVIDENCE:
        return "stripped"
    unknown = [
        t for t, ok in zip(tokens, valid, strict=True) if t.is_word and not ok and not t.text[0].isupper()
    ]
    restorable = sum(1 for t in unknown if restored_forms(t.text.lower(), lexicon))
    if restorable >= PARTIAL_MIN_WORDS and restorable >= PARTIAL_SHARE * len(unknown):
        return "partial"
    return None


def restored_forms(lower: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Words with å/ä/ö whose folded form is `lower` (förbundet for forbundet)."""
    return lexicon.folds.get(fold(lower), ())


def restored_compounds(lower: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Spellings of an unknown word with marks back that hunspell accepts (lönebidragsutredning
    for lonebidragsutredning): those with the fewest changed letters, none if none is found
    within MAX_COMPOUND_CHECKS."""
    spots = [(i, MARKABLE[ch]) for i, ch in enumerate(lower) if ch in MARKABLE]
    if len(lower) < COMPOUND_MIN_LETTERS or not spots:
        return ()
    checks = 0
    for changes in range(1, len(spots) + 1):
        found = []
        for chosen in itertools.combinations(spots, changes):
            for marks in itertools.product(*(letters for _, letters in chosen)):
                checks += 1
                if checks > MAX_COMPOUND_CHECKS:
                    return tuple(found)
                letters = list(lower)
                for (i, _), mark in zip(chosen, marks, strict=True):
                    letters[i] = mark
                word = "".join(letters)
                if lexicon.is_word(word):
                    found.append(word)
        if found:
            return tuple(found)
    return ()


def restored_marks(original: str, word: str) -> int:
    """How many letters restoring changed (a cost for the lattice)."""
    return sum(a != b for a, b in zip(original.lower(), word, strict=False))
