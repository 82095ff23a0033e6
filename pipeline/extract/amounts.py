"""Read Swedish money amounts (kr, tkr, mkr) from table cells and running prose.

Reports write the same kind of amount in many ways (``746 671 kr``, ``25.000 kr``,
``480,5 tkr``, ``5 000:-``, ``1,2 mkr``) and OCR damages some of them
(``3 75,1 000 kronor``). The dataset stores money as integer SEK, so this module
converts what it reads to whole kronor, but it never repairs a number it cannot
read with confidence: such an amount keeps the text as read in ``raw``, gets
``doubtful=True`` and a ``warning``, and ``value=None`` when the number itself is
unknown. ``doubtful`` is True exactly when ``warning`` is set.

Reading rules:
- Group separators are spaces (also U+00A0, U+202F, U+2009, U+2007) and a dot
  followed by exactly three digits (``25.000``). After the first group (1-3
  digits) every group must have exactly three digits, otherwise the grouping is
  irregular: doubtful, value None.
- A decimal comma, or a dot followed by one or two digits (``1.5``), marks
  decimals. kr amounts with öre are rounded half up (away from zero) to whole
  kronor without a flag; tkr/mkr are multiplied exactly, and a product that is not
  a whole number of kronor is rounded and flagged.
- A comma followed by three or more digits on a kr amount (``1,234 kr``) could be
  a thousands separator or decimals: doubtful, value None.
- A decimal number with no unit written and no ``default_unit``: doubtful, None.
- ``unit`` is the unit as written (normalised); ``default_unit`` only affects
  ``value`` when no unit is written.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

SPACE_CHARS = " \u00a0\u202f\u2009\u2007"
SPACE = f"[{SPACE_CHARS}]"
MINUS_CLASS = "\\-\u2212"  # hyphen-minus (escaped for [...]) and Unicode minus
DASH_CHARS = "\u2013\u2014"  # en and em dash: read as minus in a cell, but flagged
UNIT_FACTORS = {"kr": 1, "tkr": 1_000, "mkr": 1_000_000}
# Written forms of each unit; the dict key is also the regex group name.
UNIT_FORMS = {
    "mkr": r"miljoner\s+kr(?:onor)?|milj\.?\s*kr(?:onor)?|mnkr|mkr|msek",
    "tkr": r"tusen\s+kr(?:onor)?|tkr|tsek",
    "kr": r"kronor|kr|sek|:-|,-",
}
UNIT_PATTERN = "|".join(f"(?P<{unit}>{form})" for unit, form in UNIT_FORMS.items())
NUMBER_PATTERN = rf"\d+(?:(?:{SPACE}+|[.,])\d+)*"
CELL_RE = re.compile(
    rf"(?P<sign>[{MINUS_CLASS}{DASH_CHARS}])?{SPACE}*(?P<num>{NUMBER_PATTERN})"
    rf"{SPACE}*(?:(?:{UNIT_PATTERN})\.?)?",
    re.IGNORECASE,
)
# Prose: no digit, letter, date or reference punctuation right before the number;
# after it either a unit, or (bare number) nothing that makes it a date/reference.
FIND_RE = re.compile(
    rf"(?<![\w/{MINUS_CLASS}{DASH_CHARS}])(?<!\d[:.,{SPACE_CHARS}])"
    rf"(?P<sign>[{MINUS_CLASS}](?=\d))?(?P<num>(?>{NUMBER_PATTERN}))"
    rf"(?:{SPACE}?(?:{UNIT_PATTERN})(?!\w)|(?!\w|[/:{MINUS_CLASS}{DASH_CHARS}]\d))",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?:19|20)\d{2}")
COMPACT_DATE_RE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
RANGE_AFTER_RE = re.compile(rf"{SPACE}*[{MINUS_CLASS}{DASH_CHARS}]{SPACE}*\d")  # '10 - 20 kr'
PERCENT_AFTER_RE = re.compile(rf"{SPACE}*(?:%|procent)", re.IGNORECASE)
MONTH_AFTER_RE = re.compile(
    rf"{SPACE}+(?:januari|februari|mars|april|maj|juni|juli|augusti|september|"
    r"oktober|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|okt|nov|dec)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    value: int | None  # integer SEK; None when it cannot be read safely
    raw: str  # the text as read (stripped)
    unit: str | None  # "kr", "tkr", "mkr" or None when no unit written
    doubtful: bool  # True when the reading is suspicious (then warning is set)
    warning: str | None  # human-readable reason when doubtful


class _Number(NamedTuple):
    value: Decimal | None  # None when the digit grouping is irregular
    decimals: int  # number of digits after the decimal mark
    warning: str | None


def _check_unit(default_unit: str | None) -> None:
    if default_unit is not None and default_unit not in UNIT_FACTORS:
        raise ValueError(f"default_unit must be one of {sorted(UNIT_FACTORS)}")


def _unit_of(match: re.Match[str]) -> str | None:
    return next((unit for unit in UNIT_FORMS if match.group(unit)), None)


def _is_grouped(groups: list[str]) -> bool:
    """True for '1', '1234' or '1 234 567' style groups (first 1-3, then 3 digits)."""
    if len(groups) == 1:
        return True
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _parse_number(number: str) -> _Number:
    """Turn '1 234,5' / '25.000' / '1.5' into a Decimal, refusing irregular groups."""
    irregular = _Number(None, 0, f"irregular digit grouping in '{number}'")
    text = re.sub(f"{SPACE}+", " ", number)
    integer, _, fraction = text.partition(",")
    if any(char in fraction for char in " .,"):
        return irregular
    if "." in integer:
        groups = integer.split(".")
        if " " in integer:
            return irregular
        if len(groups) == 2 and len(groups[1]) in (1, 2) and not fraction:
            integer, fraction = groups  # dot as decimal point: '1.5'
        elif _is_grouped(groups):
            integer = "".join(groups)
        else:
            return irregular
    groups = integer.split(" ")
    if not _is_grouped(groups):
        return irregular
    digits = "".join(groups)
    value = Decimal(f"{digits}.{fraction}" if fraction else digits)
    return _Number(value, len(fraction), None)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _to_sek(value: Decimal, decimals: int, unit: str | None, text: str) -> tuple[int | None, str | None]:
    """Convert a number written in ``unit`` to integer SEK, with a warning if unsafe."""
    if unit is None:
        if decimals:
            return None, f"decimal number without a currency unit in '{text}'"
        return int(value), None
    if unit == "kr":
        if decimals >= 3:
            return None, f"comma before three or more digits in '{text}' (thousands or öre?)"
        return _round(value), None
    sek = value * UNIT_FACTORS[unit]
    if sek != sek.to_integral_value():
        return _round(sek), f"'{text}' is not a whole number of kronor; rounded"
    return int(sek), None


def _build(
    raw: str, sign: str | None, number_text: str, unit: str | None, default_unit: str | None
) -> Amount:
    warnings: list[str] = []
    if sign and sign in DASH_CHARS:
        warnings.append(f"dash read as minus sign in '{raw}'")
    number = _parse_number(number_text)
    value = None
    if number.value is None:
        warnings.append(number.warning or "")
    else:
        value, warning = _to_sek(number.value, number.decimals, unit or default_unit, raw)
        warnings += [warning] if warning else []
        value = -value if sign and value is not None else value
    warning_text = "; ".join(warnings) or None
    return Amount(value, raw, unit, warning_text is not None, warning_text)


def parse_amount(text: str, default_unit: str | None = None) -> Amount | None:
    """Parse one amount cell/phrase.

    None when text holds no amount at all (empty, only 'kr', words, dates,
    percentages, digits mixed with letters). A bare number is an amount here.
    """
    _check_unit(default_unit)
    raw = text.strip()
    match = CELL_RE.fullmatch(raw)
    if match is None:
        return None
    return _build(raw, match["sign"], match["num"], _unit_of(match), default_unit)


def _is_bare_non_amount(text: str, match: re.Match[str]) -> bool:
    """A bare number in prose that is a year, date, percentage or code, not money."""
    number, after = match["num"], text[match.end() :]
    return bool(
        (YEAR_RE.fullmatch(number) and not match["sign"])
        or COMPACT_DATE_RE.fullmatch(number)
        or PERCENT_AFTER_RE.match(after)
        or RANGE_AFTER_RE.match(after)
        or MONTH_AFTER_RE.match(after)
        or _parse_number(number).warning is not None
    )


def _flag_bullet(text: str, start: int, amount: Amount) -> Amount:
    """A hyphen at the start of a line may be a list bullet rather than a minus."""
    if amount.value is None or amount.value >= 0 or (start and text[start - 1] != "\n"):
        return amount
    reason = f"hyphen at line start in '{amount.raw}' may be a list bullet, not a minus"
    warning = "; ".join(filter(None, [amount.warning, reason]))
    return Amount(amount.value, amount.raw, amount.unit, True, warning)


def find_amounts(text: str, default_unit: str | None = None) -> list[tuple[int, int, Amount]]:
    """All amounts in running prose, with (start, end) character offsets of each match.

    Only numbers followed by a currency unit are amounts, unless ``default_unit`` is
    given; then bare numbers count too, except years, compact dates, percentages,
    numbers before a month name or a range dash, and irregularly grouped numbers
    (postcodes, phone numbers).
    """
    _check_unit(default_unit)
    found = []
    for match in FIND_RE.finditer(text):
        unit = _unit_of(match)
        if unit is None and default_unit is None:
            continue
        raw = match.group().strip(SPACE_CHARS)
        amount = _build(raw, match["sign"], match["num"], unit, default_unit)
        if unit is None and _is_bare_non_amount(text, match):
            continue
        found.append((match.start(), match.end(), _flag_bullet(text, match.start(), amount)))
    return found
