"""Organisation names: find them in text and normalise them against the gazetteer
(data/organisations.tsv: Finsam members and common bodies, with their variants).

Finding is a spaCy EntityRuler on a blank Swedish pipeline, built once per process on first
use from the gazetteer (no model, nothing downloaded): token patterns that ignore case,
line breaks and lost diacritics, so "Region Västernorrland" split over two lines,
"ARBETSFORMEDLINGEN" and "Timrås kommun" are all found. Ambiguous short forms (AF, FK)
are patterns too, but `resolve` accepts them only as a whole field.

Normalising (`resolve`) a field that names exactly one listed body gives that body's name;
the name as written stays visible in `raw`. A name close to exactly one listed name (OCR
damage, "Iläl nösands kommun") is taken with a warning; anything else is kept as written
with a lower confidence. Nothing is guessed from a place name alone: "Arbetsmarknadsområdet
Härnösand och Timrå" is not a kommun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz, process

from pipeline.extract.goal_table import read_data_file

LABEL = "ORG"  # a listed body; the pattern's id is its canonical name
LABEL_SHORT = "ORG_SHORT"  # an ambiguous short form: only as a whole field
LABEL_SELF = "ORG_SELF"  # "Samordningsförbundet" alone: the document's own förbund
LABEL_PAIR = "KOMMUN_PAIR"  # "Härnösands och Timrås kommun": two kommuner sharing the word
PAIR_JOINERS = ("och", "respektive", "samt", "&")
KOMMUN_WORDS = ("kommun", "kommuner", "kommuns")
# A hyphen inside a name also matches these ("Härnösand — Timrå", "Härnösand/Timrå").
DASH_FORMS = (" ", " - ", " – ", " — ", "/", "–", "—")
FOLD = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")

# Confidence of an organisation as read (parties.confidence).
CONFIDENCE_EXACT = 1.0  # written as the gazetteer writes it
CONFIDENCE_VARIANT = 0.9  # a listed body written otherwise: case, genitive, unit added, short form
CONFIDENCE_FUZZY = 0.8  # close to one listed name (OCR damage), taken with a warning
CONFIDENCE_UNLISTED = 0.7  # not in the gazetteer (or several bodies in one field): as written
# A name read is replaced by a known organisation only when this close to it and clearly
# closer than to any other ("Iläl nösands kommun" 0.83 → Härnösands kommun); with the same
# number of words and the same first word a lower ratio suffices ("Timrå koInmLln" 0.69).
ORGANISATION_RATIO = 0.78
ORGANISATION_RATIO_SAME_FIRST_WORD = 0.65
ORGANISATION_MARGIN = 0.1
# A title word this close to a known place name but not equal is damaged ("Harndsand").
NEAR_MISS_RATIO = 0.75
# Residual OCR damage in a title or name: odd symbols, a capital inside a word, digits in
# words, punctuation between letters ("koInmLln", "TiInr'å", "Mä1", "sj:11!").
DAMAGE = re.compile(r"[{}\[\]|<>\\@#$%^~`]|[a-zåäö][A-ZÅÄÖ]|[^\W\d_]\d|\d[^\W\d_]|[a-zåäö][(',;:!][a-zåäö]")
MARKUP = re.compile(r"<[^>\n]*>|\*\*|__|(?<!\w)\*|\*(?!\w)")
WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    variants: tuple[str, ...]
    short: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """A listed body named in text: offsets of the words naming it, its canonical name (None
    for the document's own förbund, LABEL_SELF) and the label of the pattern."""

    start: int
    end: int
    name: str | None
    label: str


@dataclass(frozen=True)
class Resolved:
    organisation: str | None  # canonical name, or the name as written
    raw: str | None  # the name as written when it differs from organisation
    confidence: float
    warning: str | None = None
    listed: bool = False  # names a body of the gazetteer (exactly, as a variant or by closeness)


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Entry, ...]:
    entries = []
    for row in read_data_file("organisations.tsv"):
        name, kind, variants, short = (row + ["", "", ""])[:4]
        entries.append(Entry(name, kind or "other", split_list(variants), split_list(short)))
    return tuple(entries)


def split_list(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in cell.split("|") if v.strip())


@lru_cache(maxsize=1)
def organisations() -> tuple[str, ...]:
    """The canonical names (the document's-own-förbund words are no name)."""
    return tuple(e.name for e in gazetteer() if e.kind != "self")


def fold(text: str) -> str:
    return text.lower().translate(FOLD)


def written_forms(entry: Entry) -> set[str]:
    """The name and its variants, with the kommun genitive toggled and hyphens as dashes."""
    forms = {entry.name, *entry.variants}
    if entry.kind == "kommun":
        place = entry.name.rsplit(" ", 1)[0]
        bare = place[:-1] if place.endswith("s") else place
        forms |= {f"{bare} kommun", f"{bare}s kommun"}
    for form in list(forms):
        if "-" in form:
            forms |= {form.replace("-", dash) for dash in DASH_FORMS}
    return forms


def kommun_places() -> dict[str, str]:
    """Folded place word (with and without genitive s) -> canonical kommun name."""
    places = {}
    for entry in gazetteer():
        if entry.kind == "kommun":
            place = fold(entry.name.rsplit(" ", 1)[0])
            bare = place[:-1] if place.endswith("s") else place
            places.update({bare: entry.name, f"{bare}s": entry.name})
    return places


def token_pattern(nlp, text: str, attr: str, value) -> list[dict]:
    """Tokens of `text` as a pattern; any run of spaces or line breaks may stand between."""
    pattern: list[dict] = []
    for token in nlp.make_doc(text):
        if token.is_space:
            continue
        if pattern:
            pattern.append({"IS_SPACE": True, "OP": "*"})
        pattern.append({attr: value(token.text)})
    return pattern


def ruler_patterns(nlp) -> list[dict]:
    patterns = []
    for entry in gazetteer():
        label = LABEL_SELF if entry.kind == "self" else LABEL
        for form in sorted(written_forms(entry)):
            pattern = token_pattern(nlp, form, "NORM", fold)
            patterns.append({"label": label, "id": entry.name, "pattern": pattern})
        for short in entry.short:
            patterns.append({"label": LABEL_SHORT, "id": entry.name, "pattern": [{"ORTH": short}]})
    places = sorted(kommun_places())
    space = {"IS_SPACE": True, "OP": "*"}
    patterns.append(
        {
            "label": LABEL_PAIR,
            "pattern": [
                {"NORM": {"IN": places}}, space, {"LOWER": {"IN": list(PAIR_JOINERS)}}, space,
                {"NORM": {"IN": places}}, space, {"LOWER": {"IN": list(KOMMUN_WORDS)}},
            ],
        }
    )  # fmt: skip
    return patterns


@lru_cache(maxsize=1)
def pipeline():
    """The blank Swedish pipeline with the gazetteer's EntityRuler: built once per process,
    on first use (importing spaCy, without its command line, takes a third of a second)."""
    from pipeline.imports import spacy_without_cli

    spacy = spacy_without_cli()
    from spacy.language import Language

    if "finsam_fold_norm" not in Language.factories:

        @Language.component("finsam_fold_norm")
        def fold_norm(doc):
            # NORM is the lower-cased word with å/ä/ö/é as a/a/o/e: patterns use it, so case
            # and lost diacritics ("Harnosands", "FORSAKRINGSKASSAN") do not matter.
            for token in doc:
                token.norm_ = fold(token.text)
            return doc

    nlp = spacy.blank("sv")
    nlp.add_pipe("finsam_fold_norm")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": False})
    ruler.add_patterns(ruler_patterns(nlp))
    return nlp


def find(text: str) -> list[Found]:
    """The listed bodies named in text, in order; a kommun pair gives one Found per kommun
    (both with the pair's offsets)."""
    found = []
    places = kommun_places()
    for ent in pipeline()(text).ents:
        if ent.label_ == LABEL_PAIR:
            words = [t for t in ent if not t.is_space]
            for token in (words[0], words[2]):
                found.append(Found(ent.start_char, ent.end_char, places[token.norm_], LABEL_PAIR))
        else:
            name = None if ent.label_ == LABEL_SELF else ent.ent_id_
            found.append(Found(ent.start_char, ent.end_char, name, ent.label_))
    return found


def clean_name(text: str | None) -> str:
    """A name as written, without markup, surrounding punctuation and doubled spaces; a final
    full stop stays when the name abbreviates with stops elsewhere too ("Samordn.förb.")."""
    name = " ".join(MARKUP.sub(" ", text or "").split()).strip(" \t,;:'\"”/")
    return name if "." in name.rstrip(".") else name.strip(" .")


@lru_cache(maxsize=4096)
def resolve(text: str | None, federation: str | None = None) -> Resolved:
    """Normalise one organisation field. `federation` is the document's förbund (canonical),
    which "Samordningsförbundet" alone stands for. A field without a word of two letters
    is no organisation (OCR debris such as "a" or ". :")."""
    written = clean_name(text)
    if not WORD.search(written):
        return Resolved(None, None, CONFIDENCE_UNLISTED)
    # Found in the field with its punctuation ("Samordn.förb."), compared without it.
    field = " ".join(MARKUP.sub(" ", text or "").split())
    names = set()
    for hit in find(field):
        if hit.label == LABEL_SHORT and field[hit.start : hit.end] != written:
            continue  # "AF" inside a longer field may be anything
        if hit.label == LABEL_SELF:
            if federation is None:
                continue
            names.add(federation)
        else:
            names.add(hit.name)
    if len(names) == 1:
        name = names.pop()
        if written == name:
            return Resolved(name, None, CONFIDENCE_EXACT, listed=True)
        return Resolved(name, written, CONFIDENCE_VARIANT, listed=True)
    if len(names) > 1:
        warning = f"organisation {written!r} names several known bodies {sorted(names)}; kept as written"
        return Resolved(written, None, CONFIDENCE_UNLISTED, warning)
    name, warning = known_organisation(written)
    if name != written:
        return Resolved(name, written, CONFIDENCE_FUZZY, warning, listed=True)
    return Resolved(written, None, CONFIDENCE_UNLISTED, warning)


def named_at(text: str, federation: str | None = None) -> tuple[str, str] | None:
    """(as written, canonical name) of the listed body named at the very start of text, or
    None; the document's own förbund ("samordningsförbundet") only when `federation` is known."""
    for hit in find(text):
        if hit.start > 0:
            break
        if hit.label == LABEL:
            return text[: hit.end], hit.name
        if hit.label == LABEL_SELF and federation:
            return text[: hit.end], federation
    return None


@lru_cache(maxsize=256)
def canonical_federation(name: str | None) -> str | None:
    """The gazetteer name of a förbund named as written (documents.organisation), or None."""
    if not name:
        return None
    hits = [h.name for h in find(name) if h.label == LABEL and h.name in federations()]
    return hits[0] if len(set(hits)) == 1 else None


@lru_cache(maxsize=1)
def federations() -> frozenset[str]:
    return frozenset(e.name for e in gazetteer() if e.kind == "federation")


# --- fuzzy matching of OCR-damaged names (also used for insatser owners) ------------------------


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    words = {w.lower() for name in organisations() for w in re.split(r"[\s-]+", name) if len(w) >= 5}
    return frozenset(words | {w[:-1] for w in words if w.endswith("s")})


def close_to(text: str, candidates, cutoff: float) -> list[str]:
    """The candidates whose difflib ratio to text may reach `cutoff`: rapidfuzz's ratio (the
    LCS-based Indel similarity) is never below difflib's, so it is a fast, safe prefilter."""
    found = process.extract(text, candidates, scorer=fuzz.ratio, score_cutoff=cutoff * 100 - 1e-6, limit=None)
    return [candidate for candidate, _, _ in found]


def looks_damaged(text: str) -> bool:
    if DAMAGE.search(text):
        return True
    for word in re.findall(r"[^\W\d_]{5,}", text.lower()):
        if word not in place_words() and any(
            SequenceMatcher(None, word, known).ratio() >= NEAR_MISS_RATIO
            for known in close_to(word, place_words(), NEAR_MISS_RATIO)
        ):
            return True
    return False


@lru_cache(maxsize=4096)
def known_organisation(read: str) -> tuple[str, str | None]:
    """(name, warning): a known organisation very close to the name read, else the name read."""
    read = read.strip(" \t.,;:'\"")
    lower = read.lower()
    # Names below this cannot be the best (< the lowest ratio needed) nor keep the best within
    # the margin, so only the others are scored exactly.
    floor = ORGANISATION_RATIO_SAME_FIRST_WORD - ORGANISATION_MARGIN
    names = {n.lower(): n for n in organisations()}
    scored = sorted(
        ((SequenceMatcher(None, lower, n).ratio(), names[n]) for n in close_to(lower, list(names), floor)),
        reverse=True,
    )
    if scored and scored[0][0] == 1.0:
        return scored[0][1], None
    if scored:
        (best, name), runner_up = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
        same_shape = len(read.split()) == len(name.split()) and lower.split()[0] == name.lower().split()[0]
        needed = ORGANISATION_RATIO_SAME_FIRST_WORD if same_shape else ORGANISATION_RATIO
        if best >= needed and best - runner_up >= ORGANISATION_MARGIN:
            return name, f"organisation read as {read!r}, taken as known {name!r}"
    if looks_damaged(read):
        return read, f"organisation {read!r} looks damaged by OCR; kept as read"
    return read, None
