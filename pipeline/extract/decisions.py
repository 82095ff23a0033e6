"""Board decisions: one DecisionRow per § paragraph of a protokoll.

A paragraph opens with a line holding only `§ 630`; the next line is its heading (often
bold markdown), then the matter, then `… beslutar:` and the decision as `att …` clauses
(sample: the Skellefteå-Norsjö protokoll, § 626–636). The decision is the att-clauses,
joined with newlines; its amount is the one written in those clauses (the matter's prose
has totals and budgets that are not what the board decided) or, when a clause grants the
application without an amount ("att bevilja ansökan"), the one amount the matter says is
applied for or granted (`matter_amount`). Its recipient is the organisation the clause
grants money to (`att bevilja Medlefors folkhögskola kontant bidrag med 600 000 kronor`),
else the sender of the application named in the heading (`ESF-ansökan från Medlefors
folkhögskola`), else null: a recipient is never guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from models.tables import DecisionRow
from pipeline.extract.amounts import find_amounts
from pipeline.extract.goal_table import read_data_file
from pipeline.extract.insatser import cued_amounts

# "§ 630" alone on its line (the sample), or followed by the paragraph's title.
PARAGRAPH = re.compile(r"^[ \t#*]*§[ \t]*(?P<number>\d{1,4})\b[ \t*.:]*(?P<title>[^\n]*)$", re.MULTILINE)
# "Samordningsförbundet beslutar:" ends a line; § 630 writes "Samordningsförbundets beslutar:"
# and § 636 puts it after a bold sub-heading on the same line.
DECIDES = re.compile(r"\bbeslutar\b[ \t*]*:?[ \t*]*$", re.IGNORECASE)
DECIDES_INLINE = re.compile(r"\bbeslutar\b[ \t*]*:?[ \t*]*(?=att\b)", re.IGNORECASE)
CLAUSE = re.compile(r"^att\b", re.IGNORECASE)
MARKDOWN = re.compile(r"^[ \t]*#{1,6}[ \t]*|\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)")
BOLD_START = re.compile(r"^[ \t#]*\*\*(?P<bold>.+?)\*\*")
# Headings end with a pointer to the attachment ("… Se bilaga."): not part of the title.
SEE_ATTACHMENT = re.compile(r"\s*Se bilaga(?:n)?\.?\s*$", re.IGNORECASE)
TITLE_MAX_CHARS = 200
# An organisation name: capitalised words (and a few lower-case ones inside: "folkhögskola").
ORGANISATION = r"[A-ZÅÄÖ][\w.&'-]*(?:[ \t]+(?:[A-ZÅÄÖ][\w.&'-]*|[a-zåäö]{2,}[\w-]*)){0,5}?"
# The recipient in a granting clause: "bevilja X kontant bidrag med …", "… kronor till X".
GRANTED_TO = re.compile(
    rf"\bbevilja[rs]?[ \t]+(?P<org>{ORGANISATION})[ \t]+"
    r"(?:ett[ \t]+|en[ \t]+)?(?:kontant[ \t]+)?(?:bidrag|medel|stöd|anslag|medfinansiering|finansiering|\d)"
)
AMOUNT_TO = re.compile(
    rf"(?:kr|kronor|tkr|:-)[ \t]+(?:till|åt)[ \t]+(?P<org>{ORGANISATION})"
    r"(?=[ \t]*(?:[.,;]|$|för\b|avseende\b))"
)
# A clause granting the application as a whole: its amount is the one applied for.
APPROVES_APPLICATION = re.compile(
    r"\b(?:bevilja|bifalla|godkänna)[rs]?\b[^.]{0,40}?\bansökan\b", re.IGNORECASE
)
# Amounts of the matter (amount_cues.tsv kinds) that a granting decision without one takes.
MATTER_AMOUNT_KINDS = ("applied", "granted")
APPLICATION_FROM = re.compile(
    rf"\b[Aa]nsökan[ \t]+från[ \t]+(?P<org>{ORGANISATION})(?=[ \t]*[;:,.”\"]|[ \t]+i[ \t]+samarbete\b|$)"
)


@lru_cache(maxsize=1)
def grant_words() -> tuple[str, ...]:
    """Verbs that grant money (data/amount_cues.tsv, kinds granted and allocated)."""
    return tuple(
        p.lower() for kind, p in read_data_file("amount_cues.tsv") if kind in ("granted", "allocated")
    )


def strip_markdown(line: str) -> str:
    return " ".join(MARKDOWN.sub("", line).split())


def paragraph_title(body: str) -> str | None:
    """The heading under the § line: its bold part if it opens with one, else the line."""
    for line in body.split("\n"):
        if not line.strip():
            continue
        bold = BOLD_START.match(line)
        title = strip_markdown(bold.group("bold") if bold else line)
        title = SEE_ATTACHMENT.sub("", title).strip()
        return title if title and len(title) <= TITLE_MAX_CHARS else None
    return None


def decision_clauses(body: str) -> list[tuple[str, int]]:
    """The att-clauses after each `… beslutar:` in the body, with their offsets."""
    clauses, open_, offset = [], False, 0
    for paragraph in re.split(r"(\n[ \t]*\n)", body):
        start, offset = offset, offset + len(paragraph)
        text = strip_markdown(paragraph)
        if not text:
            continue
        if inline := DECIDES_INLINE.search(text):
            clauses.append((text[inline.end() :], start))
            open_ = True
        elif DECIDES.search(text):
            open_ = True
        elif open_ and CLAUSE.match(text):
            clauses.append((text, start))
        else:
            open_ = False
    return clauses


def grants(clause: str) -> bool:
    lower = clause.lower()
    return any(re.search(rf"\b{re.escape(word)}\b", lower) for word in grant_words())


def decided_amount(clauses: list[str], paragraph: str) -> tuple[int | None, list[str]]:
    """The amount of the decision: the one amount in its clauses; with several different
    ones, the first in a granting clause, with a warning. Doubtful amounts stay null."""
    found = [(clause, amount) for clause in clauses for _, _, amount in find_amounts(clause)]
    warnings = [f"{paragraph}: doubtful amount {a.raw!r}: {a.warning}" for _, a in found if a.doubtful]
    readable = [(clause, a.value) for clause, a in found if a.value is not None and not a.doubtful]
    values = list(dict.fromkeys(value for _, value in readable))
    if len(values) <= 1:
        return (values[0] if values else None), warnings
    chosen = next((value for clause, value in readable if grants(clause)), values[0])
    warnings.append(f"{paragraph}: several amounts in the decision {values}; took {chosen}")
    return chosen, warnings


def grants_application(clause: str) -> bool:
    """True when the clause grants money or the application ("att bevilja ansökan")."""
    return grants(clause) or bool(APPROVES_APPLICATION.search(clause))


def matter_amount(matter: str, clauses: list[str], paragraph: str) -> tuple[int | None, list[str]]:
    """The amount of a granting decision whose clauses name none ("att bevilja ansökan"),
    read from the matter before it: the one amount the matter says is applied for or
    granted ("Urkraft ansöker om … 150 000 kronor", "beviljas 150 000 kr"). Other amounts
    (totals, budgets) do not count; two different applied or granted amounts leave it null,
    and so does a decision that grants nothing (`att godkänna rapporten`: the report's
    amounts are not what the board decided)."""
    if not any(grants_application(c) for c in clauses):
        return None, []
    found = [a for kind, a in cued_amounts(matter) if kind in MATTER_AMOUNT_KINDS]
    warnings = [
        f"{paragraph}: doubtful amount {a.raw!r} in the matter: {a.warning}" for a in found if a.doubtful
    ]
    values = list(dict.fromkeys(a.value for a in found if a.value is not None and not a.doubtful))
    if len(values) == 1:
        raw = next(a.raw for a in found if a.value == values[0])
        return values[0], [
            *warnings,
            f"{paragraph}: amount {raw!r} read from the matter; the decision names none",
        ]
    if len(values) > 1:
        warnings.append(
            f"{paragraph}: several amounts applied for or granted in the matter {values}; none taken"
        )
    return None, warnings


def recipient_of(clauses: list[str], title: str | None, from_matter: bool = False) -> str | None:
    """Who the decision grants money to, as written; None when no clause grants money. With
    the amount read from the matter, a granting clause need not hold the amount itself."""
    granting = [c for c in clauses if grants_application(c) and (from_matter or find_amounts(c))]
    for clause in granting:
        if match := GRANTED_TO.search(clause) or AMOUNT_TO.search(clause):
            return match.group("org").strip(" \t.,;:")
    if granting and title and (match := APPLICATION_FROM.search(title)):
        return match.group("org").strip(" \t.,;:")
    return None


def protokoll_decisions(text: str, doc_id: str, page_at) -> tuple[list[DecisionRow], list[str]]:
    """One DecisionRow per `§ N` paragraph of a protokoll's text (offsets for page_at are
    relative to `text`). A paragraph without `… beslutar:` has a null decision."""
    rows, warnings = [], []
    starts = list(PARAGRAPH.finditer(text))
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        paragraph = f"§ {match.group('number')}"
        body = text[match.end() : following.start() if following else len(text)]
        title = paragraph_title(match.group("title") or body)
        found = decision_clauses(body)
        clauses = [clause for clause, _ in found]
        amount, amount_warnings = decided_amount(clauses, paragraph)
        from_matter = False
        if amount is None and not any(find_amounts(c) for c in clauses):
            amount, more = matter_amount(body[: found[0][1]] if found else body, clauses, paragraph)
            amount_warnings, from_matter = amount_warnings + more, amount is not None
        warnings.extend(amount_warnings)
        rows.append(
            DecisionRow(
                doc_id=doc_id,
                paragraph=paragraph,
                title=title,
                decision="\n".join(clauses) or None,
                amount_sek=amount,
                recipient=recipient_of(clauses, title, from_matter) if amount is not None else None,
                page=page_at(match.start()),
            )
        )
    return rows, warnings
