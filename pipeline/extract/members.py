"""The förbund's members and its board: member lists in running text, and a protokoll's
attendance list and signatures, as PartyRow.

Reports name the förbund's members in one sentence: "organisation med Arbetsförmedlingen,
Försäkringskassan, Region Västernorrland samt Härnösands och Timrås kommun, som medlemmar"
(delårsrapport), "med huvudmännen Härnösands kommun, Timrå kommun, …" (verksamhetsplan), "som
är medlemmar i Samordningsförbundet Skellefteå-Norsjö; Försäkringskassan, …" (ansökan). The
cue phrases are data (data/party_cues.tsv); the list is split at commas and at the first
`och`/`samt` of its last part, never inside a name the gazetteer knows (so "Härnösands och
Timrås kommun" stays whole and gives both kommuner). An item the gazetteer does not know is
kept as written ("Arbetsmarknadsområdet Härnösand och Timrå"), not guessed.

A protokoll lists who attended as `Name, function` lines (a line ending in a comma continues
on the next): a board function (`ordförande`, `ledamot`, `ersättare`) makes the person a
member; someone of the förbund itself (`Maria Lindgren-Tuoma, Samordningsförbundet`) is the
förbund's (role federation); anyone else is left out with a warning. Signatures are the names
under a dotted line (`/Bertil Almgren, ordf./`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from models.tables import PartyRow
from pipeline.extract.goal_table import read_data_file
from pipeline.extract.organisations import (
    CONFIDENCE_VARIANT,
    LABEL,
    LABEL_PAIR,
    federations,
    find,
    resolve,
)
from pipeline.extract.parties import party, person_name

SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÅÄÖ])|\n[ \t]*\n")
LIST_SEPARATOR = re.compile(r"[ \t]*[,;][ \t\n]*")
CONJUNCTION = re.compile(r"\s+(?:och|samt|respektive|&)\s+")
LIST_START = re.compile(r"\bmed\s+", re.IGNORECASE)
# The förbund's own name before the list ("medlemmar i Samordningsförbundet X; A, B"): short,
# no comma, ended by `;` or `:`.
LEADING_NAME = re.compile(r"[^,;:\n]{0,60}[;:]\s*")
MIN_LISTED_ITEMS = 2
# A line of dots or underscores on which a protokoll is signed; the name is on the next line.
SIGNATURE = re.compile(r"^[ \t]*[._…]{3,}[ \t]*\n[ \t]*(?P<entry>\S[^\n]*)$", re.MULTILINE)


@lru_cache(maxsize=1)
def cues() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for kind, phrase in read_data_file("party_cues.tsv"):
        found.setdefault(kind, []).append(phrase)
    return {kind: tuple(phrases) for kind, phrases in found.items()}


@lru_cache(maxsize=1)
def list_cues() -> re.Pattern[str]:
    """All list cues in one pattern (one pass over the text); the group says which kind."""
    groups = []
    for kind in ("list_before", "list_after"):
        phrases = [r"\s+".join(re.escape(w) for w in p.split()) for p in cues().get(kind, ())]
        groups.append(rf"(?P<{kind}>\b(?:{'|'.join(phrases) or '(?!)'})\b)")
    return re.compile("|".join(groups), re.IGNORECASE)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return before, after.start() if after else len(text)


def list_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each member list a cue phrase introduces or closes."""
    spans = []
    for match in list_cues().finditer(text):
        first, last = sentence_bounds(text, match.start(), match.end())
        if match.group("list_before"):
            start = match.end()
            if leading := LEADING_NAME.match(text, start):
                start = leading.end()
            spans.append((start, last))
        else:
            opener = [m.end() for m in LIST_START.finditer(text, first, match.start())]
            spans.append((opener[-1] if opener else first, match.start()))
    return spans


def split_outside(text: str, pattern: re.Pattern[str], protected: list[tuple[int, int]], first_only=False):
    """Offsets (start, end) of the pieces of text split at `pattern`, never inside a
    protected span; with first_only, at the first such separator only."""
    pieces, position = [], 0
    for sep in pattern.finditer(text):
        if any(a < sep.end() and sep.start() < b for a, b in protected):
            continue
        pieces.append((position, sep.start()))
        position = sep.end()
        if first_only:
            break
    pieces.append((position, len(text)))
    return pieces


def list_items(text: str) -> list[tuple[int, int]]:
    """Items of a list "A, B, C och D" as offsets in text; names are never split."""
    protected = [(h.start, h.end) for h in find(text) if h.label in (LABEL, LABEL_PAIR)]
    chunks = [(a, b) for a, b in split_outside(text, LIST_SEPARATOR, protected) if text[a:b].strip(" \t\n.")]
    if not chunks:
        return []
    start, end = chunks[-1]
    last = [(start + a, start + b) for a, b in split_outside(text[start:end], CONJUNCTION, [
        (a - start, b - start) for a, b in protected], first_only=True)]  # fmt: skip
    return [(a, b) for a, b in [*chunks[:-1], *last] if text[a:b].strip(" \t\n.,;:")]


def item_organisations(
    item: str, federation: str | None, warnings: list[str]
) -> list[tuple[str, str | None, float, bool]]:
    """(organisation, raw, confidence, listed) for one list item; a kommun pair gives two."""
    pair = [h for h in find(item) if h.label == LABEL_PAIR]
    if pair:
        written = " ".join(item.split()).strip(" .,;:")
        return [(h.name, written, CONFIDENCE_VARIANT, True) for h in pair]
    found = resolve(item, federation)
    warnings.extend([found.warning] if found.warning else [])
    return [(found.organisation, found.raw, found.confidence, found.listed)] if found.organisation else []


def member_parties(
    text: str, doc_id: str, page_at, federation: str | None = None
) -> tuple[list[PartyRow], list[str]]:
    """The förbund's members named in text's member lists, once each (role member)."""
    rows, warnings, seen = [], [], set()
    for start, end in list_spans(text):
        span = text[start:end]
        found, item_warnings = [], []
        for a, b in list_items(span):
            for organisation, raw, confidence, listed in item_organisations(
                span[a:b], federation, item_warnings
            ):
                found.append((organisation, raw, confidence, listed, start + a))
        if sum(listed for *_, listed, _ in found) < MIN_LISTED_ITEMS:
            continue
        warnings.extend(item_warnings)
        for organisation, raw, confidence, _, offset in found:
            if organisation in seen or organisation in federations():
                continue
            seen.add(organisation)
            rows.append(
                PartyRow(
                    doc_id=doc_id, role="member", organisation=organisation, organisation_raw=raw,
                    person=None, email=None, page=page_at(offset), confidence=confidence,
                )
            )  # fmt: skip
    return rows, warnings


def attendance_entries(text: str) -> list[tuple[str, int]]:
    """`Name, function` entries of an attendance list with their offsets; a line ending in a
    comma continues on the next line."""
    entries, current, offset, position = [], "", 0, 0
    for line in text.split("\n"):
        line_start, position = position, position + len(line) + 1
        stripped = " ".join(re.sub(r"\*\*", " ", line).split())
        if not stripped:
            if current:
                entries.append((current, offset))
            current = ""
            continue
        if current:
            current = f"{current} {stripped}"
        else:
            current, offset = stripped, line_start + len(line) - len(line.lstrip())
        if not current.endswith(","):
            entries.append((current, offset))
            current = ""
    if current:
        entries.append((current, offset))
    return entries


def board_function(qualifier: str) -> bool:
    lower = qualifier.lower()
    return any(lower == f or lower.startswith(f"{f} ") or lower.startswith(f"{f},") for f in cues()["board"])


def attendance_parties(
    text: str, doc_id: str, page_at, federation: str | None = None
) -> tuple[list[PartyRow], list[str]]:
    """Board members (role member) and the förbund's own people (role federation) of a
    protokoll's attendance list (the bodies of its `Beslutande` and `Övriga deltagande`)."""
    rows, warnings = [], []
    for entry, offset in attendance_entries(text):
        name, _, qualifier = entry.partition(",")
        person, qualifier = person_name(name), qualifier.strip(" ,")
        if not person:
            continue
        organisation = None
        parts = [p.strip() for p in qualifier.split(",") if p.strip()]
        listed = [(p, found) for p in parts if (found := resolve(p, federation)).listed]
        if listed:
            organisation = listed[0][0]
        if board_function(qualifier):
            role = "member"
        elif listed and listed[0][1].organisation == federation and federation:
            role = "federation"
        else:
            warnings.append(f"attendee {entry!r} left out: neither a board member nor the förbund's")
            continue
        row = party(doc_id, role, organisation, person, None, page_at(offset), federation, warnings)
        rows.extend([row] if row else [])
    return rows, warnings


def signature_parties(
    text: str, doc_id: str, page_at, federation: str | None = None
) -> tuple[list[PartyRow], list[str]]:
    """The people who signed a protokoll: the name under each dotted signature line
    (`/Stellan Berglund, sekreterare/`), with the organisation when one is written."""
    rows, warnings = [], []
    for match in SIGNATURE.finditer(text):
        entry = match.group("entry").strip().strip("/").strip()
        name, _, qualifier = entry.partition(",")
        person = person_name(name)
        if not person:
            continue
        found = resolve(qualifier, federation) if qualifier.strip() else None
        organisation = qualifier if found and found.listed else None
        row = party(
            doc_id, "signatory", organisation, person, None, page_at(match.start("entry")), federation, []
        )
        rows.extend([row] if row else [])
    return rows, warnings
