"""Read single dates and reporting periods from Swedish report text.

Signature lines and project descriptions write dates in many forms
(``2022/1/17``, ``221116``, ``1/2-22``, ``10 september 2015``) and periods as
``2022-01-01—2022-12-31``, ``2019-02-01 tom 2020-02-01``, ``210601-220531``,
``2019–2020`` or ``1 jan - 30 jun 2021``. This module turns them into
``datetime.date`` values without ever repairing them: an impossible date
(month 13, 30 February) or an incomplete one (``2015-``) gives ``None`` and a
warning, and an ambiguous reading is either refused or returned with a warning.

Reading rules:
- Two-digit years: 00-69 -> 2000-2069, 70-99 -> 1970-1999 (TWO_DIGIT_YEAR_PIVOT).
- Compact ``YYMMDD`` / ``YYYYMMDD`` and dashed ``YY-MM-DD`` are year first
  (Swedish order). Compact digits are a date only with month 01-12 and day 01-31,
  and not when followed by ``-NNNN`` (personal or organisation number).
- ``D/M-YY`` and ``D/M YYYY`` are Swedish day/month with the year after.
- Three slash-separated parts ``A/B/C``: with a four-digit C it is D/M/YYYY.
  With two digits it is read YY/MM/DD only when A cannot be a month (A > 12);
  when A could also be a day (13-31) and DD/MM/YY is a valid date too, the date
  comes with a warning naming the alternative. A <= 12 is refused as ambiguous.
- Years-only ranges (``2019-2020``) run from 1 January to 31 December; month-name
  ranges without days run from the first to the last day of the months, and a
  start without a year takes the end's year.
"""

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

TWO_DIGIT_YEAR_PIVOT = 70
MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "okt": 10,
    "nov": 11,
    "dec": 12,
}
MONTH = "(?:{})(?![a-zåäö])\\.?".format("|".join(sorted(MONTHS, key=len, reverse=True)))
NOT_AN_ID = r"(?!\d)(?!-\d{4}(?!\d))"  # 'YYMMDD-NNNN' is a personal/organisation number
ISO_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<s>[-/. ])(?P<m>\d\d?)(?P=s)(?P<d>\d\d?)(?!\d)")
# Undelimited digits count as a date only with a plausible month and day, so that
# amounts like '620000' are not reported as impossible dates (30 Feb still is).
COMPACT_MONTH_DAY = r"(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"
COMPACT8_RE = re.compile(rf"(?<!\d)(?P<y>(?:19|20)\d\d){COMPACT_MONTH_DAY}{NOT_AN_ID}")
COMPACT6_RE = re.compile(rf"(?<!\d)(?P<y>\d\d){COMPACT_MONTH_DAY}{NOT_AN_ID}")
YY_DASHED_RE = re.compile(r"(?<!\d)(?P<y>\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?![\d-])")
SLASH3_RE = re.compile(r"(?<!\d)(?P<a>\d\d?)/(?P<b>\d\d?)/(?P<c>\d{4}|\d\d)(?!\d)")
DAY_MONTH_YEAR_RE = re.compile(
    r"(?<![\d/])(?P<d>\d\d?)/(?P<m>\d\d?)(?:-(?P<y>\d{4}|\d\d)|\s+(?P<y4>(?:19|20)\d\d))(?!\d)"
)
TEXT_DATE_RE = re.compile(rf"(?<!\d)(?P<d>\d\d?)\s+(?P<mon>{MONTH})\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE)
RANGE_SEP = r"\s*(?:[-\u2013\u2014\u2212]|till\s+och\s+med|till|t\.?\s?o\.?\s?m\.?)\s*"
RANGE_SEP_RE = re.compile(RANGE_SEP, re.IGNORECASE)
MONTH_RANGE_RE = re.compile(
    rf"(?<!\w)(?:(?P<d1>\d\d?)(?:\s+(?P<m1>{MONTH})(?:\s+(?P<y1>\d{{4}}))?)?"
    rf"|(?P<m1b>{MONTH})(?:\s+(?P<y1b>\d{{4}}))?)"
    rf"{RANGE_SEP}(?:(?P<d2>\d\d?)\s+)?(?P<m2>{MONTH})\s+(?P<y2>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
YEAR_RANGE_RE = re.compile(
    r"(?<![\d-])(?P<y1>(?:19|20)\d\d)\s*[-\u2013\u2014\u2212]\s*(?P<y2>(?:19|20)\d\d)(?![\d-])"
)
YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

DateResult = tuple[datetime.date | None, str | None]


@dataclass(frozen=True)
class Period:
    start: datetime.date | None
    end: datetime.date | None
    raw: str
    warning: str | None  # set when something could not be read or looks wrong


class _Token(NamedTuple):
    start: int
    end: int
    date: datetime.date | None
    warning: str | None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 4:
        return year
    return year + (1900 if year >= TWO_DIGIT_YEAR_PIVOT else 2000)


def _make_date(year: int, month: int, day: int, raw: str) -> DateResult:
    try:
        return datetime.date(year, month, day), None
    except ValueError:
        return None, f"impossible date '{raw}'"


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _from_ymd(match: re.Match[str]) -> DateResult:
    year = _full_year(match["y"])
    return _make_date(year, int(match["m"]), int(match["d"]), match.group())


def _from_day_month_year(match: re.Match[str]) -> DateResult:
    year = _full_year(match["y"] or match["y4"])
    return _make_date(year, int(match["m"]), int(match["d"]), match.group())


def _from_text(match: re.Match[str]) -> DateResult:
    month = _month(match["mon"])
    return _make_date(int(match["y"]), month, int(match["d"]), match.group())


def _from_slash3(match: re.Match[str]) -> DateResult:
    """A/B/C: D/M/YYYY, or YY/MM/DD only when A cannot be a month (see module doc)."""
    raw, a, b, c = match.group(), int(match["a"]), int(match["b"]), match["c"]
    if len(c) == 4:
        return _make_date(int(c), b, a, raw)
    if a <= 12:
        return None, f"ambiguous date '{raw}' (YY/MM/DD or DD/MM/YY)"
    date, warning = _make_date(_full_year(match["a"]), b, int(c), raw)
    other, _ = _make_date(_full_year(c), b, a, raw)
    if date and other:
        warning = f"'{raw}' read as YY/MM/DD; as DD/MM/YY it would be {other}"
    return date, warning


PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], DateResult]], ...] = (
    (ISO_RE, _from_ymd),
    (COMPACT8_RE, _from_ymd),
    (TEXT_DATE_RE, _from_text),
    (SLASH3_RE, _from_slash3),
    (DAY_MONTH_YEAR_RE, _from_day_month_year),
    (YY_DASHED_RE, _from_ymd),
    (COMPACT6_RE, _from_ymd),
)


def _find_dates(text: str) -> list[_Token]:
    """All date-like tokens, left to right; at one position the longest wins."""
    matches = [(m, build) for pattern, build in PATTERNS for m in pattern.finditer(text)]
    matches.sort(key=lambda item: (item[0].start(), -item[0].end()))
    tokens: list[_Token] = []
    for match, build in matches:
        if tokens and match.start() < tokens[-1].end:
            continue
        tokens.append(_Token(match.start(), match.end(), *build(match)))
    return tokens


def parse_date(text: str) -> tuple[datetime.date | None, str | None]:
    """The first date in ``text`` as (date, warning).

    (None, warning) when the first date-like token is impossible or ambiguous, or
    when the text has digits but no complete date; (None, None) when no digits.
    """
    tokens = _find_dates(text)
    if tokens:
        return tokens[0].date, tokens[0].warning
    if re.search(r"\d", text):
        return None, f"no complete date in '{text.strip()}'"
    return None, None


def _period(
    start: datetime.date | None, end: datetime.date | None, raw: str, warnings: list[str | None]
) -> Period:
    found = [warning for warning in warnings if warning]
    if start and end and end < start:
        found.append(f"end {end} before start {start}")
    return Period(start, end, raw, "; ".join(found) or None)


def _month_range(raw: str) -> Period | None:
    match = MONTH_RANGE_RE.search(raw)
    if match is None:
        return None
    end_year, end_month = int(match["y2"]), _month(match["m2"])
    last_day = calendar.monthrange(end_year, end_month)[1]
    end, end_warning = _make_date(end_year, end_month, int(match["d2"] or last_day), raw)
    start_month_name = match["m1"] or match["m1b"]
    start_month = _month(start_month_name) if start_month_name else end_month
    start_year = int(match["y1"] or match["y1b"] or end_year)
    start, start_warning = _make_date(start_year, start_month, int(match["d1"] or 1), raw)
    return _period(start, end, raw, [start_warning, end_warning])


def _two_dates(raw: str) -> Period | None:
    tokens = _find_dates(raw)
    if len(tokens) < 2:
        return None
    first, second = tokens[:2]
    warnings = [first.warning, second.warning]
    if not RANGE_SEP_RE.fullmatch(raw[first.end : second.start]):
        warnings.append(f"dates in '{raw}' are not joined by a range separator")
    if len(tokens) > 2:
        warnings.append(f"more than two dates in '{raw}'; used the first two")
    return _period(first.date, second.date, raw, warnings)


def _year_range(raw: str) -> Period | None:
    match = YEAR_RANGE_RE.search(raw)
    if match is None:
        return None
    start = datetime.date(int(match["y1"]), 1, 1)
    return _period(start, datetime.date(int(match["y2"]), 12, 31), raw, [])


def parse_period(text: str) -> Period | None:
    """The period in ``text``; None when text holds no date at all.

    Text with a single date or year but no readable range gives a Period with
    start and end None and a warning.
    """
    raw = text.strip()
    period = _month_range(raw) or _two_dates(raw) or _year_range(raw)
    if period is not None:
        return period
    if _find_dates(raw) or YEAR_RE.search(raw):
        return Period(None, None, raw, f"no complete period in '{raw}'")
    return None
