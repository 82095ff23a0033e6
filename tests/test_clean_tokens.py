"""The compiled token scan (_tokens.pyx) against the Python one it transcribes (reference_tokens.py)."""

from __future__ import annotations

import random

import pytest

from pipeline.clean import _tokens
from pipeline.clean.tokens import EDGE_PUNCTUATION, split_tokens
from tests import reference_tokens
from tests.conftest import SAMPLES

# What the scan treats specially: kinds of space, marks that wrap words, sentence marks and
# their closers, hyphens and slashes, the Tesseract bar, addresses, digits, capitals.
ALPHABET = (
    list("aäåöbcklmnoprst") * 3
    + list("AÄÅÖKLMST") * 2
    + list(" \n\f\t\r\v\x1c\x85\u00a0\u2028\u3000")
    + list("\"'«»“”„([{*‘’<-–—/•○●▪■►·)]}.,;:!?|@§&=>_\\$")
    + list("0123")
    + ["ß", "ǅ", "Ⅻ", "ª", "\u0301", "😀"]
)


def texts() -> list[str]:
    found = sorted(SAMPLES.glob("*.txt")) + sorted((SAMPLES / "generated").glob("*.gt.txt"))
    return [path.read_text(encoding="utf-8") for path in found]


def test_the_samples_split_as_the_python_scan_splits_them():
    checked = texts()
    assert len(checked) >= 8
    for text in checked:
        assert split_tokens(text) == reference_tokens.split_tokens(text)


@pytest.mark.parametrize("seed", range(4))
def test_random_text_splits_as_the_python_scan_splits_it(seed):
    rng = random.Random(seed)
    for _ in range(500):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        assert split_tokens(text) == reference_tokens.split_tokens(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        '\n\nFörst.\fSedan ABCs, SoL och IFAU-projektet (Härnösand/Timrå).\n\nSlut.")',
        "arbets-\nmarknaden | i | bar",
        "e-post: info@exempel.se §5 20 21 3 75,1 000",
        "ABs ABss As ÅÄÖs",
    ],
)
def test_edge_cases_split_as_the_python_scan_splits_them(text):
    assert split_tokens(text) == reference_tokens.split_tokens(text)


def cores_as_python_finds_them(text: str, wanted: dict) -> list[tuple[int, int, str]]:
    return [found for found in reference_tokens.tokens(text) if found[2] in wanted]


@pytest.mark.parametrize("seed", range(2))
def test_the_fix_scan_finds_the_cores_the_python_scan_finds(seed):
    rng = random.Random(seed)
    checked = texts()
    every = {core: "" for text in checked for _, _, core in reference_tokens.tokens(text)}
    some = dict(rng.sample(sorted(every.items()), 300))
    for text in checked:
        for wanted in (every, some):
            assert _tokens.cores(text, EDGE_PUNCTUATION, wanted) == cores_as_python_finds_them(text, wanted)
    for _ in range(1000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        wanted = {core: "" for _, _, core in reference_tokens.tokens(text) if rng.random() < 0.7}
        assert _tokens.cores(text, EDGE_PUNCTUATION, wanted) == cores_as_python_finds_them(text, wanted)
