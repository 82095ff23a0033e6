"""Insatser (funded projects) described in running text: the delårsrapport's section 1.3.4
and the verksamhetsplan's section 11, as ProjectRow (and their prose goals as GoalRow).

Neither report has a table of its insatser; each insats is a short title line followed by
its description. In the delårsrapport the title is followed by `Projektägare: X, medsökande
är Y` (badly OCR'd: `Projel{t.igare:`, `Prolektäg.lrer`, `Projektägare aI`, `medsökande
ärArbetsfiirmedlingen`), except for the förbund's own activities (Psykiatridagar,
Insatskatalogen), whose title is followed by prose. In the verksamhetsplan titles stand alone
between blank lines and the owner is the subject of `X ansöker om 900 000 kronor`. Titles
are found by that structure, never from a list of known names; a short line followed by
another title-like line is a group heading ("Ansökningar inför 2018"), not an insats.

Owner and co-applicant names damaged by OCR are matched against data/organisations.tsv only
when very close to one name (the name as read goes into a warning); amounts count only in
a sentence that says what they are (data/amount_cues.tsv: `har avsatt 30 000 kr`).
Doubtful amounts stay null with a warning; a damaged title lowers the confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from models.tables import GoalRow, ProjectRow
from pipeline.extract.amounts import find_amounts
from pipeline.extract.goal_table import match_level, read_data_file, starts_goal
from pipeline.extract.goals import prose_goals
from pipeline.extract.organisations import known_organisation, looks_damaged

# The owner line of the delårsrapport: a label starting "Pro" (OCR-damaged, no colon in
# "Prolektäg.lrer Timrå kommun", "aI" for the colon in "Projektägare aI Timrå kommun").
OWNER_LINE = re.compile(
    r"^[ \t]*Pro[^\s:]{4,13}(?:[ \t]*[:;.][ \t]*|[ \t]+a[Il1|][ \t]+|[ \t]+)(?P<parties>\S.*)$"
)
# ", medsökande är Y": the word after a comma, OCR-damaged ("mcdsökande", "medsöl(ande",
# "rreclsökancle"), then "är" (":ir", "air", or glued: "ärArbetsfiirmedlingen").
CO_APPLICANTS = re.compile(
    r",[ \t]*(?P<word>[^\s,]{6,14})[ \t]*(?:(?:är|ar|air|:ir|iir|ät|äl|al)(?=[ \t]|[A-ZÅÄÖ])[ \t]*)?"
)
CO_APPLICANT_WORD = "medsökande"
CO_APPLICANT_RATIO = 0.6
PARTY_SEPARATOR = re.compile(r"[ \t]*(?:,|\boch\b|\bsamt\b)[ \t]*")
TITLE_MAX_CHARS = 70
TITLE_MAX_WORDS = 8
PROSE_MIN_CHARS = 50  # a following line this long is the insats description
ENDS_SENTENCE = re.compile(r"[.!?:][\"”)]?$")
SENTENCE_START = re.compile(r"(?:[.!?]\s|\n[ \t]*\n)")
# "Timrå kommun ansöker om 900 000 kronor", "Nu ansöker Timrå kommun om 1 700 000 kronor".
APPLICANT = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))[ \t]*(?P<org>[A-ZÅÄÖ][^.\n]{1,60}?)[ \t]+ans[öoé]ker[ \t]+om\b"
)
APPLICANT_INVERTED = re.compile(r"\bans[öoé]ker[ \t]+(?P<org>[A-ZÅÄÖ][^.\n]{1,60}?)[ \t]+om\b")
APPLICANT_MAX_WORDS = 5

CONFIDENCE_CLEAN = 1.0
CONFIDENCE_DAMAGED = 0.7  # the title line was damaged (or corrected by the cleaner)
CONFIDENCE_NO_OWNER_LINE = 0.6  # title found by the prose after it, no Projektägare line
CONFIDENCE_PARTY_DAMAGED = 0.8  # an owner or co-applicant name was damaged (matched or kept as read)


@dataclass(frozen=True)
class Insats:
    name: str
    start: int  # offset of the title line in the text
    end: int  # where the next insats begins
    name_offset: int
    owner_line: re.Match[str] | None


@lru_cache(maxsize=1)
def insats_headings() -> frozenset[str]:
    return frozenset(row[0].lower() for row in read_data_file("insats_headings.tsv"))


def owner_parties(line: re.Match[str]) -> tuple[str | None, list[str], list[str]]:
    """Owner, co-applicants and warnings from a `Projektägare: X, medsökande är Y` line."""
    text = line.group("parties").strip()
    owner_text, co_text = text, ""
    for split in CO_APPLICANTS.finditer(text):
        if (
            SequenceMatcher(None, split.group("word").lower(), CO_APPLICANT_WORD).ratio()
            >= CO_APPLICANT_RATIO
        ):
            owner_text, co_text = text[: split.start()], text[split.end() :]
            break
    owner, warning = known_organisation(owner_text) if owner_text.strip() else (None, None)
    warnings = [warning] if warning else []
    co_applicants = []
    for part in PARTY_SEPARATOR.split(co_text):
        if part.strip(" .,"):
            name, warning = known_organisation(part)
            co_applicants.append(name)
            warnings.extend([warning] if warning else [])
    return owner, co_applicants, warnings


def title_like(line: str) -> bool:
    text = line.strip()
    return bool(
        text
        and len(text) <= TITLE_MAX_CHARS
        and len(text.split()) <= TITLE_MAX_WORDS
        and re.match(r"[A-ZÅÄÖ]", text)
        and not re.search(r"[.,;:!?]$", text)
        and not OWNER_LINE.match(text)
        and not starts_goal(text)
        and not match_level(text, fuzzy=True)
        and text.rstrip(":").lower() not in insats_headings()
    )


def find_insatser(text: str) -> list[Insats]:
    """Insatser in order: a title-like line after a blank line or a finished sentence, whose
    next non-blank line is a Projektägare line or prose (not another title: group heading)."""
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((line, offset))
        offset += len(line) + 1
    found = []
    for index, (line, offset) in enumerate(lines):
        before = lines[index - 1][0].strip() if index else ""
        if not title_like(line) or (before and not ENDS_SENTENCE.search(before)):
            continue
        following = next((candidate for candidate, _ in lines[index + 1 :] if candidate.strip()), "")
        owner = OWNER_LINE.match(following)
        if owner or (len(following.strip()) >= PROSE_MIN_CHARS and not title_like(following)):
            name_offset = offset + len(line) - len(line.lstrip())
            found.append(Insats(" ".join(line.split()), offset, len(text), name_offset, owner))
    return [
        Insats(i.name, i.start, following.start if following else len(text), i.name_offset, i.owner_line)
        for i, following in zip(found, [*found[1:], None], strict=True)
    ]


def cued_amounts(text: str) -> list[tuple[str, object]]:
    """(kind, Amount) for each amount whose sentence says what it is (amount_cues.tsv)."""
    cues = [(kind, phrase.lower()) for kind, phrase in read_data_file("amount_cues.tsv")]
    found = []
    for start, _, amount in find_amounts(text):
        sentence_start = max((m.end() for m in SENTENCE_START.finditer(text, 0, start)), default=0)
        before = text[sentence_start:start].lower()
        kind = next((k for k, p in cues if re.search(rf"\b{re.escape(p)}\b", before)), None)
        if kind:
            found.append((kind, amount))
    return found


def insats_amount(text: str, name: str) -> tuple[int | None, str | None, list[str]]:
    """(amount_sek, amount_kind, warnings) of one insats's description."""
    found = cued_amounts(text)
    if not found:
        return None, None, []
    kind, amount = found[0]
    warnings = []
    if len({a.raw for _, a in found}) > 1:
        warnings.append(f"insats {name!r}: several amounts {[a.raw for _, a in found]}; took {amount.raw!r}")
    if amount.doubtful or amount.value is None:
        warnings.append(f"insats {name!r}: doubtful amount {amount.raw!r}: {amount.warning}")
        return None, kind, warnings
    return amount.value, kind, warnings


def project_row(
    doc_id: str, number: int, insats: Insats, page_at, owner: str | None, co_applicants: list[str],
    amount: int | None, kind: str | None, confidence: float,
) -> ProjectRow:  # fmt: skip
    """An insats as a project row; the amount's kind is stated only when there is an amount."""
    return ProjectRow(
        doc_id=doc_id,
        project_id=f"{doc_id}-p{number}",
        name=insats.name,
        owner=owner,
        co_applicants=co_applicants,
        amount_sek=amount,
        amount_kind=kind if amount is not None else None,
        period_start=None,
        period_end=None,
        page=page_at(insats.name_offset),
        confidence=confidence,
    )


def delarsrapport_projects(
    text: str, doc_id: str, page_at, corrected: Callable[[int, int], bool] | None = None
) -> tuple[list[ProjectRow], list[str]]:
    """The insatser of a delårsrapport's section 1.3.4 ("Insatser") in `text`.

    `corrected(start, end)`, when given, says whether the cleaner changed text in that span
    (offsets in `text`): a corrected title is kept but gets a lower confidence."""
    rows, warnings = [], []
    for number, insats in enumerate(find_insatser(text), 1):
        owner, co_applicants, confidence = None, [], CONFIDENCE_CLEAN
        if insats.owner_line:
            owner, co_applicants, party_warnings = owner_parties(insats.owner_line)
            warnings.extend(f"insats {insats.name!r}: {w}" for w in party_warnings)
            confidence = CONFIDENCE_PARTY_DAMAGED if party_warnings else CONFIDENCE_CLEAN
        else:
            confidence = CONFIDENCE_NO_OWNER_LINE
            warnings.append(f"insats {insats.name!r}: no Projektägare line; title found by the text after it")
        name_end = insats.name_offset + len(insats.name)
        if looks_damaged(insats.name) or (corrected and corrected(insats.name_offset, name_end)):
            confidence = min(confidence, CONFIDENCE_DAMAGED)
            warnings.append(f"insats {insats.name!r}: title damaged by OCR; kept as read")
        amount, kind, amount_warnings = insats_amount(text[insats.start : insats.end], insats.name)
        warnings.extend(amount_warnings)
        rows.append(
            project_row(doc_id, number, insats, page_at, owner, co_applicants, amount, kind, confidence)
        )
    if not rows:
        warnings.append("no insatser found in section 1.3.4")
    return rows, warnings


def delarsrapport_goals(text: str, doc_id: str, page_at, start: int = 1) -> tuple[list[GoalRow], list[str]]:
    """The goals written under each insats of section 1.3.4, with the insats's project_id
    (numbered as by delarsrapport_projects on the same text)."""
    goals, warnings = [], []
    for number, insats in enumerate(find_insatser(text), 1):
        body = text[insats.start : insats.end]
        found, more = prose_goals(
            body,
            doc_id,
            f"{doc_id}-p{number}",
            lambda offset, base=insats.start: page_at(base + offset),
            start + len(goals),
        )
        goals.extend(found)
        warnings.extend(more)
    return goals, warnings


def applicant(text: str) -> tuple[str | None, str | None]:
    """(organisation, warning) of the `X ansöker om N kronor` sentence with an amount."""
    for pattern in (APPLICANT, APPLICANT_INVERTED):
        for match in pattern.finditer(text):
            org = match.group("org").strip()
            following = text[match.end() : match.end() + 40]
            if len(org.split()) <= APPLICANT_MAX_WORDS and find_amounts(following):
                return known_organisation(org)
    return None, None


def verksamhetsplan_projects(text: str, doc_id: str, page_at) -> tuple[list[ProjectRow], list[str]]:
    """The insatser of a verksamhetsplan's section 11 ("Verksamheter/insatser under …"):
    owner and applied amount from `X ansöker om N kronor` (tkr become kronor)."""
    rows, warnings = [], []
    for number, insats in enumerate(find_insatser(text), 1):
        body = text[insats.start : insats.end]
        owner, warning = applicant(body)
        warnings.extend([f"insats {insats.name!r}: {warning}"] if warning else [])
        amount, kind, amount_warnings = insats_amount(body, insats.name)
        warnings.extend(amount_warnings)
        confidence = CONFIDENCE_PARTY_DAMAGED if warning else CONFIDENCE_CLEAN
        if looks_damaged(insats.name):
            confidence = CONFIDENCE_DAMAGED
            warnings.append(f"insats {insats.name!r}: title damaged by OCR; kept as read")
        rows.append(project_row(doc_id, number, insats, page_at, owner, [], amount, kind, confidence))
    if not rows:
        warnings.append("no insatser found in section 11")
    return rows, warnings
