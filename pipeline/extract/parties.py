"""Parties of a slutrapport: the förbund's contact, applicants and their contacts, signatories.

The form's section 2 pairs an organisation line with a contact line:
`Ansvarig för genomförande av insats - Organisation X` (owner) or
`Organisation - medsökande X` (co-applicant), then `Kontaktperson NAME<TAB>E-post ADDRESS`.
Empty form rows (no organisation written) produce nothing.
"""

from __future__ import annotations

import re

from models.tables import PartyRow

OWNER = re.compile(r"^Ansvarig för genomförande av insats\s*-\s*Organisation[ \t]*(?P<org>[^\t\n]*)", re.M)
CO_APPLICANT = re.compile(r"^Organisation\s*-\s*medsökande[ \t]*(?P<org>[^\t\n]*)", re.M)
CONTACT = re.compile(
    r"^Kontaktperson(?: för insatsägare)?[ ]*(?P<person>[^\t\n]*)(?:\t+E-post[ \t]*(?P<email>[^\t\n]*))?",
    re.M,
)
SIGNATORY = re.compile(r"^[ \t*]*Organisation[ \t*]*:[ \t*]*(?P<org>[^\n]*)$", re.M)
FEDERATION_BLOCK = re.compile(
    r"Kontaktuppgifter till förbundet:\s*\n\s*(?P<person>[^,\n]+),[^\n]*\n\s*(?P<org>[^\n]+)\n"
    r"(?P<rest>(?:[^\n]+\n){0,3})"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def clean(value: str | None) -> str | None:
    value = (value or "").strip().strip("*").strip()
    return value or None


def applicant_parties(text: str, doc_id: str, page_at) -> list[PartyRow]:
    """Owner and co-applicants with their contacts, in the order written."""
    events = sorted(
        [(m.start(), "owner", m) for m in OWNER.finditer(text)]
        + [(m.start(), "co_applicant", m) for m in CO_APPLICANT.finditer(text)]
        + [(m.start(), "contact", m) for m in CONTACT.finditer(text)],
        key=lambda e: e[0],
    )
    rows, organisation = [], None
    for offset, role, match in events:
        if role == "contact":
            person, email = clean(match.group("person")), clean(match.group("email"))
            if person or email:
                rows.append(
                    PartyRow(
                        doc_id=doc_id,
                        role="contact",
                        organisation=organisation,
                        person=person,
                        email=email,
                        page=page_at(offset),
                    )
                )
            continue
        organisation = clean(match.group("org"))
        if organisation:
            rows.append(
                PartyRow(
                    doc_id=doc_id,
                    role=role,
                    organisation=organisation,
                    person=None,
                    email=None,
                    page=page_at(offset),
                )
            )
    return rows


def signatory_parties(text: str, doc_id: str, page_at) -> list[PartyRow]:
    return [
        PartyRow(
            doc_id=doc_id,
            role="signatory",
            organisation=org,
            person=None,
            email=None,
            page=page_at(m.start()),
        )
        for m in SIGNATORY.finditer(text)
        if (org := clean(m.group("org")))
    ]


def federation_party(text: str, doc_id: str, page_at) -> list[PartyRow]:
    match = FEDERATION_BLOCK.search(text)
    if not match:
        return []
    email = EMAIL.search(match.group("rest"))
    return [
        PartyRow(
            doc_id=doc_id,
            role="federation",
            organisation=clean(match.group("org")),
            person=clean(match.group("person")),
            email=email.group() if email else None,
            page=page_at(match.start()),
        )
    ]
