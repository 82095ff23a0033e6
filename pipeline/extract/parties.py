"""Parties named in a report's forms: the förbund's contact, the applicants and their
contacts, the signatories, an ansökan's applicant block and any other e-mail address.

The slutrapport's section 2 pairs an organisation line with a contact line:
`Ansvarig för genomförande av insats - Organisation X` (owner) or
`Organisation - medsökande X` (co-applicant), then `Kontaktperson NAME<TAB>E-post ADDRESS`.
An OCR'd form has no tabs: the organisation may continue on the lines below its label and
`E-post` follows the name after a space. The ansökan form has labelled cells
(`Organisationens namn`, `Firmatecknare/Chef`, `Kontaktperson`, `Kontaktpersonens e-post
adress`).

Organisations are normalised against the gazetteer (organisations.py), the name as written
kept beside. Nothing is invented: a person is recorded only when the field holds a name
(capitalised words: not `E-post`, not OCR debris), an e-mail only when it is a whole
address, and empty form rows produce nothing.
"""

from __future__ import annotations

import re

from models.tables import PartyRole, PartyRow
from pipeline.extract.organisations import CONFIDENCE_EXACT, fold, named_at, resolve

OWNER = re.compile(r"^Ansvarig för genomförande av insats\s*-\s*Organisation[ \t]*(?P<org>[^\t\n]*)", re.M)
CO_APPLICANT = re.compile(r"^Organisation\s*-\s*medsökande[ \t]*(?P<org>[^\t\n]*)", re.M)
# The e-mail cell after a TAB, or (OCR, no tabs) after a space before the word `E-post`.
CONTACT = re.compile(
    r"^Kontaktperson(?: för insatsägare)?[ ]*(?P<person>[^\t\n]*?)"
    r"(?:(?:\t+|[ \t]*(?<![^ \t])(?=E-post\b))E-post[ \t]*(?P<email>[^\t\n]*?))?[ \t]*$",
    re.M,
)
# A line that starts another field of the form: an organisation value stops before it.
FORM_LABEL = re.compile(r"^[ \t]*(?:Kontaktperson|Organisation|Ansvarig|E-post|\d+[.:]\s)", re.I)
SIGNATORY = re.compile(r"^[ \t*]*Organisation[ \t*]*:[ \t*]*(?P<org>[^\n]*)$", re.M)
# The address lines below the förbund's name (with blank lines between them in a PDF).
FEDERATION_BLOCK = re.compile(
    r"Kontaktuppgifter till förbundet:\s*\n\s*(?P<person>[^,\n]+),[^\n]*\n\s*(?P<org>[^\n]+)\n"
    r"(?P<rest>(?:[^\n]*\n){0,6})"
)
# The ansökan's applicant block: a label, then the value in the same cell (bold in the sample).
APPLICATION_FIELD = re.compile(
    r"(?:^|\t)[ \t]*(?P<label>Organisationens namn|Firmatecknare(?:/Chef)?|Kontaktperson|"
    r"Kontaktpersonens e-post ?adress)[ \t]+(?P<value>[^\t\n]+)",
    re.M | re.I,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MAX_LOCAL, EMAIL_MAX_DOMAIN = 64, 255
# "Maria Lindgren-Tuoma på samordningsförbundet": where the person works.
WORKS_AT = re.compile(r"[ \t]+(?:på|vid|hos|från)[ \t]+")
# A person's name: two to five capitalised words (hyphenated parts allowed, "Inga-Mai
# Sundholm-Lepistö"), lower-case particles between them.
NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüß]+(?:-[A-ZÅÄÖÉÜ]?[a-zåäöéüß]+)*"
PERSON = re.compile(rf"{NAME_WORD}(?:[ ]+(?:(?:af|von|van|de|der|la)[ ]+)?{NAME_WORD}){{1,4}}")


def clean(value: str | None) -> str | None:
    value = " ".join(re.sub(r"<[^>\n]*>|\*\*", " ", value or "").split()).strip("*").strip()
    return value or None


def person_name(text: str | None) -> str | None:
    """The field as a person's name when it is one, else None."""
    value = clean(text)
    return value if value and PERSON.fullmatch(value) else None


def email_address(text: str | None) -> str | None:
    """The field as an e-mail address when it is a whole one ("issam.sassie&harnosand.se" is not)."""
    value = (clean(text) or "").strip(" .,;:”\"'<>()[]")
    return value if EMAIL.fullmatch(value) else None


def party(
    doc_id: str, role: PartyRole, organisation: str | None, person: str | None, email: str | None,
    page: int | None, federation: str | None, warnings: list[str],
) -> PartyRow | None:  # fmt: skip
    """A row with its organisation normalised; None when it names nobody."""
    found = resolve(organisation, federation) if organisation else None
    if found and found.warning:
        warnings.append(found.warning)
    name = found.organisation if found else None
    if not (name or person or email):
        return None
    return PartyRow(
        doc_id=doc_id, role=role, organisation=name, organisation_raw=found.raw if found else None,
        person=person, email=email, page=page,
        confidence=found.confidence if found and name else CONFIDENCE_EXACT,
    )  # fmt: skip


def organisation_value(text: str, match: re.Match[str]) -> str:
    """The organisation after its label; on an OCR'd form (no TAB on the label's line) it
    continues on the following lines up to a blank line or the next label."""
    value = match.group("org")
    line_end = text.find("\n", match.start())
    line_end = len(text) if line_end < 0 else line_end
    if "\t" in text[match.start() : line_end]:
        return value
    parts = [value]
    for line in text[line_end + 1 :].split("\n"):
        if not line.strip() or FORM_LABEL.match(line):
            break
        parts.append(line)
    return " ".join(parts)


def applicant_parties(
    text: str, doc_id: str, page_at, federation: str | None = None
) -> tuple[list[PartyRow], list[str]]:
    """Owner and co-applicants with their contacts, in the order written."""
    events = sorted(
        [(m.start(), "owner", m) for m in OWNER.finditer(text)]
        + [(m.start(), "co_applicant", m) for m in CO_APPLICANT.finditer(text)]
        + [(m.start(), "contact", m) for m in CONTACT.finditer(text)],
        key=lambda e: e[0],
    )
    rows, warnings, organisation = [], [], None
    for offset, role, match in events:
        if role == "contact":
            person, email = person_name(match.group("person")), email_address(match.group("email"))
            if match.group("email") and clean(match.group("email")) and not email:
                warnings.append(f"e-mail not readable: {clean(match.group('email'))!r}")
            row = party(doc_id, "contact", organisation, person, email, page_at(offset), federation, [])
        else:
            organisation = clean(organisation_value(text, match))
            row = party(doc_id, role, organisation, None, None, page_at(offset), federation, warnings)
            organisation = organisation if row else None
        rows.extend([row] if row else [])
    return rows, warnings


def signatory_parties(
    text: str, doc_id: str, page_at, federation: str | None = None
) -> tuple[list[PartyRow], list[str]]:
    """The organisations of the slutrapport's signature blocks (`Organisation: X`), once each."""
    rows, warnings, seen = [], [], set()
    for match in SIGNATORY.finditer(text):
        row = party(
            doc_id, "signatory", match.group("org"), None, None, page_at(match.start()), federation, warnings
        )
        if row and row.organisation not in seen:
            seen.add(row.organisation)
            rows.append(row)
    return rows, warnings


def federation_party(text: str, doc_id: str, page_at, federation: str | None = None) -> list[PartyRow]:
    """The förbund's contact written at the top of the slutrapport form."""
    match = FEDERATION_BLOCK.search(text)
    if not match:
        return []
    email = EMAIL.search(match.group("rest"))
    row = party(
        doc_id, "federation", match.group("org"), person_name(match.group("person")),
        email.group() if email else None, page_at(match.start()), federation, [],
    )  # fmt: skip
    return [row] if row else []


def application_parties(
    text: str, doc_id: str, page_at, federation: str | None = None
) -> tuple[list[PartyRow], list[str]]:
    """The ansökan's applicant block: the organisation (owner), its authorised signatory
    (`Firmatecknare/Chef`) and its contact person with the contact's e-mail."""
    fields: dict[str, tuple[str, int]] = {}
    for match in APPLICATION_FIELD.finditer(text):
        label = match.group("label").lower()
        key = "email" if "e-post" in label else label.split("/")[0].split()[0]
        fields.setdefault(key, (match.group("value"), match.start("value")))
    if "organisationens" not in fields:
        return [], []
    organisation, offset = fields["organisationens"]
    rows, warnings = [], []
    rows.append(party(doc_id, "owner", organisation, None, None, page_at(offset), federation, warnings))
    if "firmatecknare" in fields and (person := person_name(fields["firmatecknare"][0])):
        page = page_at(fields["firmatecknare"][1])
        rows.append(party(doc_id, "signatory", organisation, person, None, page, federation, []))
    person = person_name(fields["kontaktperson"][0]) if "kontaktperson" in fields else None
    email = email_address(fields["email"][0]) if "email" in fields else None
    if person or email:
        page = page_at(fields.get("kontaktperson", fields.get("email"))[1])
        rows.append(party(doc_id, "contact", organisation, person, email, page, federation, []))
    return [r for r in rows if r], warnings


def email_matches(text: str) -> list[re.Match[str]]:
    """EMAIL matches in text, looked for only around its `@` signs (a scan of every word
    for a possible address costs more than the rest of the parties together)."""
    found, position = [], 0
    while (at := text.find("@", position)) >= 0:
        start = max(0, at - EMAIL_MAX_LOCAL)
        match = next(
            (m for m in EMAIL.finditer(text, start, at + EMAIL_MAX_DOMAIN) if m.start() <= at < m.end()), None
        )
        found.extend([match] if match else [])
        position = match.end() if match else at + 1
    return found


def spells(local: str, name: str) -> bool:
    """True when an e-mail's local part is the name ("maria.lindgren-tuoma")."""
    return fold(".".join(name.split())) == local


def spelled_name(text: str, local: str) -> tuple[str | None, int]:
    """(name, its end offset) of the person's name in text that an e-mail's local part
    spells ("maria.lindgren-tuoma"), or (None, 0)."""
    for match in PERSON.finditer(text):
        words = match.group().split()
        for first in range(len(words) - 1):
            for last in range(len(words), first + 1, -1):
                if spells(local, " ".join(words[first:last])):
                    name = " ".join(words[first:last])
                    return name, text.index(name, match.start()) + len(name)
    return None, 0


def email_parties(
    text: str, doc_id: str, page_at, known: list[PartyRow], federation: str | None = None
) -> list[PartyRow]:
    """E-mail addresses written anywhere that no party row holds yet, as contacts. The person
    is the name written in the same paragraph that the address spells (maria.lindgren-tuoma
    is "Maria Lindgren-Tuoma"); written `NAME på samordningsförbundet`, the contact is the
    förbund's (role federation). Otherwise the address stands alone: nothing is guessed
    from its domain."""
    have = {p.email.lower() for p in known if p.email}
    rows = []
    for match in email_matches(text):
        address = match.group().rstrip(".")
        if address.lower() in have:
            continue
        have.add(address.lower())
        local = address.split("@")[0].lower()
        if named := next((p for p in known if p.person and not p.email and spells(local, p.person)), None):
            named.email = address  # the address of a person already named (the PDF's förbund block)
            continue
        start = text.rfind("\n\n", 0, match.start()) + 1
        end = text.find("\n\n", match.end())
        paragraph = text[start : len(text) if end < 0 else end]
        person, end = spelled_name(paragraph, local)
        organisation, role = None, "contact"
        if person and (at := WORKS_AT.match(paragraph, end)):
            named = named_at(paragraph[at.end() : at.end() + 80], federation)
            if named and named[1] == federation:
                organisation, role = named[0], "federation"
        row = party(doc_id, role, organisation, person, address, page_at(match.start()), federation, [])
        rows.extend([row] if row else [])
    return rows
