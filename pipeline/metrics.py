"""Error rates of a text against its ground truth: CER and WER.

Both compare whitespace-normalised text (line breaks and runs of spaces count as one
space), since readers differ in where they wrap lines, not in what they read. Used by the
tests and by the measurements in tools/.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: edit distance / reference length."""
    ref = normalise_space(reference)
    return Levenshtein.distance(normalise_space(hypothesis), ref) / max(len(ref), 1)


def wer(hypothesis: str, reference: str) -> float:
    """Word error rate: edit distance over word sequences / reference words."""
    ref = reference.split()
    return Levenshtein.distance(hypothesis.split(), ref) / max(len(ref), 1)
