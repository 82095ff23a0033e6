"""Find cost and budget tables in a report's text and cut them into labelled cells.

Three layouts reach this module:
- tab-separated rows, as born-digital PDFs, Word files and converted scans give them (the
  slutrapport's `Kostnadsslag<TAB>Budget<TAB>Utfall`, the ansökan's
  `Resurser<TAB>År 2015<TAB>År 2016…`);
- the same table OCR'd, where columns are only spaces (`Lönekostnader | ; 746 671 kr 746 671 ki`);
- budget tables with year columns, spaces only (`Lokalkostnader 25 25 25` under
  `2018 2019 2020`, amounts in tkr when `Belopp i tkr` stands above).
A row whose numbers cannot be fitted to the columns unambiguously keeps its text as one
doubtful cell rather than being split by guesswork.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

Column = tuple[str | None, int | None]  # (kind, year)

TAB_HEADER = re.compile(
    r"^[ \t*]*(?:<b>)?(?P<label>Kostna\w*slag|Resurser|Kostnader)(?:</b>)?[ \t]*\t(?P<columns>.+)$",
    re.IGNORECASE | re.MULTILINE,
)
# The OCR'd slutrapport header: the three column titles separated by spaces.
OCR_HEADER = re.compile(r"^ *Kostna\w*slag[ |.;:]+Budget[ |.;:]+Utfall[ |.;:]*$", re.I | re.M)
# A header of year columns, optionally after a label (`Intakter 2018 2019 2020`).
# Years 1990-2049 only: `1922 1922 1922` is an amount row (tkr), not a header.
YEAR_HEADER = re.compile(
    r"^[ \t]*(?P<label>[^\d\n]*?)[ \t]*"
    r"(?P<years>(?:(?:199\d|20[0-4]\d)[ \t]+){1,6}(?:199\d|20[0-4]\d))[ \t]*$",
    re.M,
)
# A year ending a line: the lines YEAR_HEADER can match (it tries every line start, and its
# lazy label makes that the costliest scan of extracting; this finds the few candidates).
YEAR_AT_LINE_END = re.compile(r"(?:199\d|20[0-4]\d)[ \t]*$", re.M)
KIND_WORDS = {"budget": "budget", "utfall": "outcome", "prognos": "forecast", "plan": "plan"}
YEAR = re.compile(r"(?:199\d|20[0-4]\d)")
TKR_NOTE = re.compile(r"\btkr\b", re.IGNORECASE)
# Lines above a header searched for a line of kind words, and (up to the section's
# heading) for the unit note `Belopp i tkr`, which covers every table of a budget section.
HEADER_CONTEXT_LINES = 3
UNIT_CONTEXT_LINES = 20
# Tables under these words are balance sheets (assets, equity), not costs: not read.
BALANCE_SHEET = re.compile(r"\bbalans(?:budget|räkning|rakning)\b", re.IGNORECASE)
NUMBERED_HEADING = re.compile(r"^\s*\d{1,2}\.\s+\S")
# Non-table lines tolerated inside a table (a letterhead at a page break is two lines).
MAX_FURNITURE_LINES = 3
HTML = re.compile(r"<[^>]{0,100}>")
# A number as OCR prints it in a table row: digits, maybe a sign, thousand groups come as
# separate tokens and are joined only as far as the column count requires.
NUMBER_TOKEN = re.compile(r"^[-−–]?\d+(?:[.,]\d+)?$")
UNIT_TOKEN = re.compile(r"^(?:kr|ki|kt|k:r|kr\.|:-|tkr|sek)$", re.IGNORECASE)
# OCR debris between a label and its numbers (table rules read as | ; I i .).
DEBRIS = " \t|;:.,Iil!_-—–"


@dataclass(frozen=True)
class CostLine:
    label: str
    cells: tuple[str, ...]
    offset: int  # of the line, relative to the searched text
    exact: bool = True  # False when the cells were fitted to the columns from OCR text


@dataclass(frozen=True)
class CostTable:
    columns: tuple[Column, ...]
    lines: tuple[CostLine, ...]
    offset: int
    unit: str | None  # "tkr" when the table states it, else None (kr)
    header_label: str
    tabbed: bool  # cells came separated by tabs (else fitted from spaces, as in OCR text)

    def signature(self) -> tuple:
        return tuple((line.label, line.cells) for line in self.lines)


def column_of(title: str) -> Column:
    """(kind, year) of a column title: `Budget`, `Utfall`, `År 2015`, `S:a 2016–2018`."""
    title = HTML.sub("", title).strip()
    lowered = title.lower()
    years = YEAR.findall(title)
    if lowered.startswith(("s:a", "summa", "totalt")):
        return "budget", None  # a total over the years
    for word, kind in KIND_WORDS.items():
        if lowered.startswith(word):
            return kind, int(years[0]) if years else None
    if len(years) == 1:
        return "budget", int(years[0])
    return None, None


def lines_after(text: str, offset: int):
    """(offset, line) for each line starting at `offset`."""
    for raw in text[offset:].split("\n"):
        yield offset, raw
        offset += len(raw) + 1


def context_above(text: str, offset: int) -> list[str]:
    return text[:offset].rstrip("\n").split("\n")[-HEADER_CONTEXT_LINES:]


def section_above(text: str, offset: int) -> list[str]:
    """Lines above `offset`, nearest last, back to the section's numbered heading."""
    lines = text[:offset].rstrip("\n").split("\n")[-UNIT_CONTEXT_LINES:]
    for index in range(len(lines) - 1, -1, -1):
        if NUMBERED_HEADING.match(lines[index]):
            return lines[index:]
    return lines


def table_unit(text: str, offset: int) -> str | None:
    return "tkr" if any(TKR_NOTE.search(line) for line in section_above(text, offset)) else None


def is_balance_sheet(text: str, offset: int) -> bool:
    return any(BALANCE_SHEET.search(line) for line in context_above(text, offset))


def split_numbers(rest: str, columns: int) -> tuple[list[str], bool] | None:
    """The numbers of an OCR'd row fitted to `columns` cells, and whether that was exact.

    Tokens are joined as thousand groups (`746` `671` -> `746 671`) only as far as needed
    to reach the column count; a unit word after a number closes it. None when the row's
    numbers cannot be fitted without guessing.
    """
    groups: list[list[str]] = []
    closed = True
    for token in rest.split():
        token = token.strip("|;")
        if not token:
            continue
        if UNIT_TOKEN.match(token):
            closed = True
            continue
        if not NUMBER_TOKEN.match(token):
            if token in DEBRIS or len(token) == 1:
                continue
            return None
        joinable = not closed and groups and len(token) == 3 and token.isdigit()
        if joinable:
            groups[-1].append(token)
        else:
            groups.append([token])
        closed = False
    if not groups:
        return [], True
    # Tokens each a cell (`25 25 25`) when they match the columns; otherwise join groups.
    singles = [t for g in groups for t in g]
    if len(singles) == columns:
        return singles, True
    if len(groups) <= columns:
        return [" ".join(g) for g in groups], len(groups) == columns
    return None


def read_tab_row(raw: str) -> tuple[str, tuple[str, ...]]:
    cells = [HTML.sub("", c).strip() for c in raw.split("\t")]
    return cells[0], tuple(cells[1:])


def strip_debris(label: str) -> str:
    """The label without trailing OCR debris words (`Lönekostnader | ;` -> `Lönekostnader`)."""
    words = label.split()
    while words and all(ch in DEBRIS for ch in words[-1]):
        words.pop()
    return " ".join(words).rstrip(",;:")


def read_space_row(raw: str, columns: int) -> tuple[str, tuple[str, ...], bool] | None:
    """(label, cells, exact) of an OCR'd row; None when it holds no amount."""
    match = re.search(r"[-−–]?\d", raw)
    if not match:
        return None
    label = strip_debris(raw[: match.start()])
    fitted = split_numbers(raw[match.start() :], columns)
    if not label:
        return None
    if fitted is None:
        return label, (raw[match.start() :].strip(),), False
    cells, exact = fitted
    return label, tuple(cells), exact


def is_total(label: str) -> bool:
    return label.lower().lstrip("<b>").startswith(("summa", "totalt"))


def read_rows(text: str, start: int, columns: int, tabbed: bool) -> list[CostLine]:
    lines: list[CostLine] = []
    furniture = 0
    for offset, raw in lines_after(text, start):
        row = None
        if tabbed and "\t" in raw:
            label, cells = read_tab_row(raw)
            row = CostLine(label, cells, offset)
        elif not tabbed and raw.strip():
            parsed = read_space_row(raw, columns)
            if parsed is not None:
                row = CostLine(parsed[0], parsed[1], offset, parsed[2])
        if row is not None:
            lines.append(row)
            furniture = 0
            if is_total(row.label) and tabbed:
                break
        elif NUMBERED_HEADING.match(raw) or (not tabbed and YEAR_HEADER.match(raw)):
            break
        elif raw.strip():
            furniture += 1
            if furniture > MAX_FURNITURE_LINES:
                break
    return lines


def kinds_line(text: str, offset: int, count: int) -> list[str | None] | None:
    """Kinds from a line of kind words right above a year header (`Prognos Budget Plan Plan`)."""
    above = context_above(text, offset)[-1:]
    words = above[0].split() if above else []
    if len(words) == count and all(w.lower() in KIND_WORDS for w in words):
        return [KIND_WORDS[w.lower()] for w in words]
    return None


def year_headers(text: str) -> Iterator[re.Match]:
    """YEAR_HEADER.finditer(text), trying only the lines that end with a year."""
    for year in YEAR_AT_LINE_END.finditer(text):
        header = YEAR_HEADER.match(text, text.rfind("\n", 0, year.start()) + 1)
        if header:
            yield header


def find_tables(text: str) -> list[CostTable]:
    tables = []
    for header in TAB_HEADER.finditer(text):
        columns = tuple(column_of(c) for c in header.group("columns").split("\t"))
        if any(kind for kind, _ in columns):
            rows = read_rows(text, header.end() + 1, len(columns), tabbed=True)
            unit = table_unit(text, header.start())
            tables.append(CostTable(columns, tuple(rows), header.start(), unit, header.group("label"), True))
    for header in OCR_HEADER.finditer(text):
        columns = (("budget", None), ("outcome", None))
        rows = read_rows(text, header.end() + 1, len(columns), tabbed=False)
        unit = table_unit(text, header.start())
        tables.append(CostTable(columns, tuple(rows), header.start(), unit, "Kostnadsslag", False))
    for header in year_headers(text):
        if is_balance_sheet(text, header.start()):
            continue
        years = [int(y) for y in header.group("years").split()]
        kinds = kinds_line(text, header.start(), len(years)) or ["budget"] * len(years)
        columns = tuple(zip(kinds, years, strict=True))
        rows = read_rows(text, header.end() + 1, len(columns), tabbed=False)
        if rows:
            unit = table_unit(text, header.start())
            label = header.group("label").strip()
            tables.append(CostTable(columns, tuple(rows), header.start(), unit, label, False))
    return sorted(tables, key=lambda t: t.offset)
