"""What the corrector knows about Swedish words: which strings are words, how common they are.

Three sources, each doing what it is good at:
  - hunspell-sv (through libhunspell, speller.py) decides validity, including the
    open-ended compounds Swedish builds (`styrelsesammanträden`, `rehabiliteringsområdet`
    are words, `lörbundets` is not);
  - wordfreq gives frequencies; its 340k Swedish entries include OCR-ish folded forms
    (`forbundet`, `nagot`), so an entry only becomes a candidate word if hunspell accepts it;
  - corrections/lexicon.txt adds the domain's names and vocabulary (Härnösand, insatsägare).
The candidate words and their frequencies are compiled once
and cached on disk by pipeline/clean/index.py (the search's trie is built from them at
load); hunspell itself is only asked about tokens that are not candidate words (compounds,
mostly) and that the word forms of its own dictionary do not rule out (forms.py), and its
answers are memoised.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.clean._search import Forms, Trie
from pipeline.clean.dictionary import CORRECTIONS_DIR, DictionaryError, data_lines
from pipeline.clean.forms import may_be_read
from pipeline.clean.speller import Speller, package_file

LEXICON = CORRECTIONS_DIR / "lexicon.txt"
HUNSPELL_PACKAGE = "hunspell-sv"
HUNSPELL_NAME = "sv_SE"
# A word form: letters, optionally hyphenated parts (e-post, hälso-), no digits or marks.
WORD_FORM = re.compile(r"^[a-zåäöéü]+(?:-[a-zåäöéü]+)*$")
FOLD = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")
# Domain lexicon words missing from wordfreq get this frequency: about that of `förbundet`
# (1.3e-5), so a damaged domain word reads back to it rather than to a rare general word.
DOMAIN_MIN_FREQUENCY = 1e-5
# hunspell's verdicts kept per process (a worker converting an archive would otherwise keep
# every token it ever saw): about 20 MB at most, then they are asked again.
MAX_VERDICTS = 200_000


def inner_capital(text: str) -> bool:
    """A capital inside a word that begins small (`aLla`, `kontinuerLig`): OCR damage, not a
    spelling (acronyms such as FoU and SoL begin with a capital)."""
    return text[:1].islower() and text != text.lower()


def fold(text: str) -> str:
    """The text without Swedish diacritics (what an English OCR model prints)."""
    return text.translate(FOLD)


def parse_lexicon(lines: list[str], source: str = "<memory>") -> list[str]:
    words = []
    for number, fields in data_lines(lines):
        word = fields[0].strip()
        if not word or " " in word or not WORD_FORM.match(word.lower()):
            raise DictionaryError(f"{source}:{number}: {word!r} is not a single word form")
        words.append(word)
    return words


@lru_cache(maxsize=4)
def load_domain_words(path: Path = LEXICON) -> tuple[str, ...]:
    return tuple(parse_lexicon(path.read_text(encoding="utf-8").splitlines(), str(path)))


def hunspell_files() -> tuple[Path, Path]:
    """sv_SE.dic and sv_SE.aff as installed by the hunspell-sv package."""
    name = f"{HUNSPELL_NAME}.dic"
    dic = package_file(HUNSPELL_PACKAGE, name, lambda found: found == name)
    return dic, dic.with_suffix(".aff")


# hunspell's dictionary: read once per process, by its first caller, or ahead of it in a
# thread of its own (start_hunspell).
_reading: threading.Thread | None = None
_read: list = []  # the Speller, or what reading it raised
_start = threading.Lock()


def start_hunspell() -> None:
    """Begin reading hunspell's dictionary in a thread: it runs outside the interpreter lock
    (speller.py), so the caller goes on loading meanwhile. hunspell_dictionary() waits.

    The thread's 26 MB go into an arena of glibc's own, where they cannot reuse what the
    caller frees meanwhile; the index, read through a memory map, frees little."""
    global _reading
    with _start:
        if _reading is None and not _read:
            _reading = threading.Thread(target=read_hunspell, name="finsam-hunspell", daemon=True)
            _reading.start()


def read_hunspell() -> None:
    try:
        dic, aff = hunspell_files()
        _read.append(Speller(aff, dic))
    except Exception as exc:  # raised again to whoever asks for the dictionary
        _read.append(exc)


def hunspell_reads() -> int:
    """How often this process (or the one it was forked from) read the dictionary: once at most."""
    return len(_read)


def hunspell_dictionary() -> Speller:
    if not _read:
        if _reading is not None:
            _reading.join()
        with _start:
            if not _read:  # not begun (read here, not in a thread of its own), or its thread
                read_hunspell()  # was lost to a fork
    found = _read[0]
    if isinstance(found, Exception):
        raise found
    return found


@dataclass
class Lexicon:
    """Candidate words (lowercase) with frequency, preferred spelling and their trie."""

    frequency: dict[str, float]
    # Lowercase form -> spelling with capitals, for names and acronyms (timrå -> Timrå).
    spellings: dict[str, str]
    # The candidate words as a trie: what the search walks, and which strings begin a word.
    trie: Trie
    # Folded form -> the candidate words with diacritics that fold to it (forbundet -> förbundet).
    folds: dict[str, tuple[str, ...]]
    # Exact spellings from corrections/lexicon.txt: never changed.
    domain: frozenset[str]
    # What hunspell could accept (forms.py): a string it rules out is not asked about.
    forms: Forms | None = None
    _valid: dict[str, bool] = field(default_factory=dict, repr=False)

    def is_word(self, text: str) -> bool:
        """Is this exact token a correct word (candidate word, domain word or hunspell)?

        A word with an inner capital is not, unless the domain lexicon lists the spelling.
        """
        known = self._valid.get(text)
        if known is None:
            lower = text.lower()
            known = text in self.domain or (
                not inner_capital(text)
                and (
                    (lower in self.frequency and self.case_fits(text, lower))
                    or (self.may_be_word(lower) and bool(hunspell_dictionary().spell(text)))
                )
            )
            if len(self._valid) >= MAX_VERDICTS:
                self._valid.clear()
            self._valid[text] = known
        return known

    def forget_verdicts(self) -> None:
        """Drop hunspell's memoised verdicts (as if no text had been seen)."""
        self._valid.clear()

    def may_be_word(self, lower: str) -> bool:
        """False when hunspell cannot accept it (forms.py)."""
        if self.forms is None:
            return True
        if lower.isalpha():
            return self.forms.possible(lower)
        return may_be_read(lower, self.forms.possible, self.forms.breaks)

    def case_fits(self, text: str, lower: str) -> bool:
        """`timrå` is not the name Timrå; any word may be capitalised or written in capitals."""
        spelling = self.spellings.get(lower)
        return spelling is None or text[0].isupper()

    def word_frequency(self, lower: str) -> float:
        return self.frequency.get(lower, 0.0)

    def spelling(self, lower: str) -> str:
        return self.spellings.get(lower, lower)


def fold_table(words: list[str]) -> dict[str, tuple[str, ...]]:
    folds: dict[str, list[str]] = {}
    for word in words:
        folded = fold(word)
        if folded != word:
            folds.setdefault(folded, []).append(word)
    return {key: tuple(value) for key, value in folds.items()}


def candidate_words(wordfreq_entries: dict[str, float], domain: tuple[str, ...]) -> tuple[dict, dict]:
    """(frequency, spellings) of the words hunspell accepts, plus the domain lexicon."""
    spell = hunspell_dictionary().spell
    frequency: dict[str, float] = {}
    spellings: dict[str, str] = {}
    for word, freq in wordfreq_entries.items():
        if not WORD_FORM.match(word):
            continue
        if spell(word):
            frequency[word] = freq
        elif spell(word.capitalize()):
            frequency[word] = freq
            spellings[word] = word.capitalize()
    listed_lower = {word for word in domain if word == word.lower()}
    for word in domain:
        lower = word.lower()
        frequency[lower] = max(frequency.get(lower, 0.0), DOMAIN_MIN_FREQUENCY)
        # A capitalised entry is a name and is always written so (arbetsförmedlingen is
        # hunspell-valid, but in these reports it is the authority Arbetsförmedlingen),
        # unless the lowercase form is listed too (hälsoprojektet).
        if word != lower and lower not in listed_lower:
            spellings[lower] = word
    return frequency, spellings
