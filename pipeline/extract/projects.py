"""The project a slutrapport reports on: its name, period and granted amount.

The form's section 1 has labelled lines (`Insatsens namn:`, `Tidsperiod:`, `Beviljat
medel:`); a value left blank stays null. Period and amount are parsed by dates.py and
amounts.py; what they cannot read safely is kept null with a warning, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.extract.amounts import parse_amount
from pipeline.extract.dates import parse_period

FIELD_LINE = r"^[ \t*]*{label}[ \t*]*:[ \t]*(?P<value>[^\n]*)$"
NAME = re.compile(FIELD_LINE.format(label=r"Insatsens\s+namn"), re.IGNORECASE | re.MULTILINE)
PERIOD = re.compile(FIELD_LINE.format(label=r"Tidsperiod"), re.IGNORECASE | re.MULTILINE)
GRANTED = re.compile(FIELD_LINE.format(label=r"Beviljat?\s+medel"), re.IGNORECASE | re.MULTILINE)
FEDERATION = re.compile(
    r"\bSamordningsförbundet(?:[ \t]+i)?[ \t]+(?P<place>[A-ZÅÄÖ][a-zåäö]+(?:(?:[ \t]*[-–/][ \t]*|[ \t]+)"
    r"[A-ZÅÄÖ][a-zåäö]+)?)"
)


@dataclass
class ProjectFields:
    name: str | None = None
    period_start: object = None
    period_end: object = None
    granted_sek: int | None = None
    offset: int | None = None  # of the name line, relative to the searched text
    warnings: list[str] = field(default_factory=list)


def clean_value(value: str) -> str:
    return value.strip().strip("*").strip()


def slutrapport_fields(text: str) -> ProjectFields:
    fields = ProjectFields()
    if match := NAME.search(text):
        fields.name = clean_value(match.group("value")) or None
        fields.offset = match.start()
    if (match := PERIOD.search(text)) and clean_value(match.group("value")):
        period = parse_period(clean_value(match.group("value")))
        if period is None:
            fields.warnings.append(f"period not readable: {match.group('value').strip()!r}")
        else:
            fields.period_start, fields.period_end = period.start, period.end
            if period.warning:
                fields.warnings.append(f"period {period.raw!r}: {period.warning}")
    if (match := GRANTED.search(text)) and clean_value(match.group("value")):
        amount = parse_amount(clean_value(match.group("value")))
        if amount is None or amount.value is None:
            fields.warnings.append(f"granted amount not readable: {match.group('value').strip()!r}")
        else:
            fields.granted_sek = amount.value
        if amount is not None and amount.doubtful:
            fields.warnings.append(f"granted amount {amount.raw!r}: {amount.warning}")
    return fields


def federation_name(text: str) -> str | None:
    """The förbund the text names most often, as written (first one on a tie).

    A genitive (`Skellefteå-Norsjös`) counts as its base form when that form occurs too.
    """
    places = [m.group("place") for m in FEDERATION.finditer(text)]
    if not places:
        return None
    written = set(places)
    counts = Counter(p[:-1] if p.endswith("s") and p[:-1] in written else p for p in places)
    return f"Samordningsförbundet {counts.most_common(1)[0][0]}"
