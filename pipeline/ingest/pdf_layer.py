"""Text layer of a born-digital PDF page read with PDFium, laid out as pdfplumber lays it out.

pdfplumber parses a page in pure Python (pdfminer.six), about 80 ms a page; PDFium has the
same page's characters and drawing objects in C in a millisecond or two. This module takes
from PDFium what pdf.py used from pdfplumber and rebuilds pdfplumber's result from it, so a
page yields the same text and tables whichever reader ran:

- Text. PDFium's text page lists characters text object by text object (one Tj or TJ: one
  font, size and baseline). Each object's characters make a run with pdfminer's box (from
  the first glyph's origin to the last glyph's advance, one font size high from the font's
  descent). Runs are clustered into lines, split into words and the words grouped into
  lines again with pdfplumber's own rules and 3 pt tolerances (WordExtractor, to_textmap),
  so reading order and the line boxes that pdf.lines_to_text measures paragraphs by come
  out as before.
- Tables. Painted path segments become pdfplumber edges the way pdfminer classifies paths
  (pdf_objects.py: a rectangle gives four edges, a line one, any other path one per
  straight piece), and pdfplumber's own table finder turns them into tables; only its cell
  search is replaced, by a copy that finds the same cells in the same order without its
  quadratic cost (intersections_to_cells). Characters near a table are placed one by one,
  so a cell gets exactly the characters whose centre lies in it, as in pdfplumber's
  Table.extract.
- A page this reader does not model raises UnsupportedPage and pdf.py reads it with
  pdfplumber: a page turned by /Rotate, rotated, skewed or mirrored text (OCR layers of
  skewed scans among them), text overlapping other text on a line, glyphs without Unicode.

Where the results differ on purpose (the first and last pinned in tests/test_pdf_layer.py):
- Inside a text object the word gaps are PDFium's, which sees one wider than about half a
  space; pdfplumber starts a word only after a gap over 3 pt. So a heading set with wide
  letter spacing stays one word, and words TeX sets apart by kerning instead of spaces do
  not run together as they do in pdfplumber.
- PDFium marks a hyphen ending a line inside a word; it is written "-", also where the PDF
  had a soft hyphen (U+00AD) there.
- PDFium drops a glyph or text object drawn twice on the same spot (fake bold), which
  pdfplumber doubles.

PDFium keeps coordinates in single precision, so where two values are exactly a tolerance
apart (baselines of two columns exactly 3 pt apart) a choice can fall the other way;
pdfplumber's own choice there turns on rounding in the last bit of a double.

Coordinates are pdfplumber's: x from the left, `top`/`bottom` measured down from the top.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import itemgetter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils.geometry import obj_to_bbox
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE

from pipeline.ingest.pdf_objects import (
    Box,
    Matrix,
    box_to_page,
    handle,
    multiply,
    object_bounds,
    object_matrix,
    page_objects,
    plain,
)

# PDFium leaves a text object narrower than this out of its text page (kSizeEpsilon in
# cpdf_textpage.cpp): an object of spaces only, which still ends a word in pdfplumber.
EMPTY_WIDTH = 0.01
# In PDFium's text a hyphen that ends a line inside a word is U+FFFE (U+0002 when read
# char by char); a glyph without Unicode is U+FFFE too, or its code as a control character.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe]")
# |b| and |c| of a character matrix below this count as zero: the glyph is upright.
UPRIGHT_SKEW = 1e-6


_text_object_of = plain(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
_has_map_error = plain(pdfium_c.FPDFText_HasUnicodeMapError, ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
_char_matrix = plain(
    pdfium_c.FPDFText_GetMatrix, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
)
_font_size = plain(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, ctypes.c_void_p, ctypes.c_int)
_char_origin = plain(
    pdfium_c.FPDFText_GetCharOrigin,
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_void_p,
)
_loose_box = plain(
    pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
)
_font_of = plain(pdfium_c.FPDFTextObj_GetFont, ctypes.c_void_p, ctypes.c_void_p)


class UnsupportedPage(Exception):
    """A page whose layout this reader does not model; pdf.py reads it with pdfplumber."""


@dataclass(slots=True)
class Run:
    """Characters of one text object (or one character): text and pdfminer's box."""

    text: str
    x0: float  # left of the first character
    last_x0: float  # left of the last character
    x1: float  # advance end of the last character
    top: float
    bottom: float
    start: int = -1  # index range in PDFium's text page; -1 for a run not on it
    end: int = -1


@dataclass
class Layer:
    """What pdf.py needs of a page: its lines outside tables as (top, bottom, text), its
    tables as (bbox, rows of cell texts) like pdfplumber's Table.bbox and Table.extract(),
    and the page and image boxes for the scan check."""

    lines: list[tuple[float, float, str]]
    tables: list[tuple[Box, list[list[str | None]]]]
    page_box: Box
    image_boxes: list[Box] = field(default_factory=list)

    def image_cover(self) -> float:
        """Share of the page under images, each image cut to the page (pdf.image_cover)."""
        x0, top, x1, bottom = self.page_box
        area = (x1 - x0) * (bottom - top) or 1.0
        covered = sum(
            max(0.0, min(b[2], x1) - max(b[0], x0)) * max(0.0, min(b[3], bottom) - max(b[1], top))
            for b in self.image_boxes
        )
        return min(covered / area, 1.0)


# --- text objects PDFium's text page leaves out -------------------------------------------


def blank_run(obj, m: Matrix, page_top: float) -> Run:
    """A text object PDFium's text page left out for having no width (spaces only)."""
    x0, top, x1, bottom = box_to_page(object_bounds(obj), m, page_top)
    size = ctypes.c_float()
    pdfium_c.FPDFTextObj_GetFontSize(obj, size)
    height = size.value * multiply(object_matrix(obj), m)[3]
    return Run(" ", x0, x0, x1, bottom - height, bottom)


def blank_runs(texts: list[tuple[int, Matrix]], in_text_page: set[int], page_top: float) -> list[Run]:
    """Runs for the text objects PDFium's text page left out for having no width. Only the
    objects not in the text page are measured: PDFium leaves out every such object, and
    measuring all of them cost more than the rest of the page objects."""
    runs = []
    for obj, m in texts:
        if obj not in in_text_page:
            left, _, right, _ = object_bounds(handle(obj))
            if abs(right - left) < EMPTY_WIDTH:
                runs.append(blank_run(handle(obj), m, page_top))
    return runs


# --- characters -------------------------------------------------------------------------


class Characters:
    """PDFium's text page read a text object at a time."""

    def __init__(self, textpage: pdfium.PdfTextPage, page_top: float):
        self.raw = textpage.raw
        self.page_top = page_top
        self.count = pdfium_c.FPDFText_CountChars(self.raw)
        text = textpage.get_text_range() if self.count else ""
        # One text unit per character unless PDFium left some out of its text (control
        # characters) or a character needs two UTF-16 units; then ask per character.
        if len(text) != self.count:
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(self.raw, i)) for i in range(self.count))
        self.text = text
        self._box = pdfium_c.FS_RECTF()
        self._box_ref = ctypes.byref(self._box)
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._x_ref, self._y_ref = ctypes.byref(self._x), ctypes.byref(self._y)
        self._matrix = pdfium_c.FS_MATRIX()
        self._matrix_ref = ctypes.byref(self._matrix)
        self.address = ctypes.cast(self.raw, ctypes.c_void_p).value
        self._descents: dict[int | None, float] = {}
        self.objects: set[int] = set()  # the text objects seen by runs()

    def runs(self) -> list[Run]:
        """One run per text object, in PDFium's order."""
        runs, i, n, raw = [], 0, self.count, self.address
        while i < n:
            obj = _text_object_of(raw, i)
            if not obj:  # a space or line break PDFium put between text objects
                i += 1
                continue
            end = self.run_end(i, obj)
            self.objects.add(obj)
            runs.append(self.run(i, end, obj))
            i = end
        return runs

    def run_end(self, start: int, obj: int) -> int:
        """Where the run of text object `obj` from `start` ends. A text object's characters
        are consecutive in PDFium's list, so the end is found by galloping and bisecting,
        not char by char. Most text objects end where PDFium put the line break that
        follows them (nine in ten on the samples and layouts), so that guess is tried
        first: two calls instead of a dozen."""
        raw, n = self.address, self.count
        line_break = self.text.find("\r", start)
        guess = n if line_break < 0 else line_break  # first index thought not in the run
        if guess - 1 > start and _text_object_of(raw, guess - 1) != obj:
            last, beyond = start, guess - 1  # the run ends before the guess: bisect
        else:
            last, step = max(start, guess - 1), 1  # last: an index known to be in the run
            while last + step < n and _text_object_of(raw, last + step) == obj:
                last += step
                step *= 2
            beyond = min(last + step, n)  # not in the run (or the end)
        while beyond - last > 1:
            middle = (last + beyond) // 2
            if _text_object_of(raw, middle) == obj:
                last = middle
            else:
                beyond = middle
        return last + 1

    def chars_text(self, start: int, end: int) -> str:
        """The run's text; a hyphen PDFium marked as ending a line inside a word (U+FFFE in
        its text) back as "-". A control character is a glyph PDFium found no Unicode for,
        which pdfminer writes as "(cid:N)": such a page is left to pdfplumber."""
        text = self.text[start:end]
        if CONTROL.search(text):
            chars = list(text)
            for k, ch in enumerate(chars):
                if CONTROL.match(ch):
                    if pdfium_c.FPDFText_IsHyphen(self.raw, start + k) != 1:
                        raise UnsupportedPage("a glyph without Unicode")
                    chars[k] = "-"
            text = "".join(chars)
        return text

    def loose_box(self, index: int) -> tuple[float, float]:
        """Left and right of a character's advance box."""
        _loose_box(self.address, index, self._box_ref)
        return self._box.left, self._box.right

    def run(self, start: int, end: int, obj: int) -> Run:
        raw, m = self.address, self._matrix
        if _has_map_error(raw, start) == 1:  # a font's glyphs, not text
            raise UnsupportedPage("a glyph without Unicode")
        _char_matrix(raw, start, self._matrix_ref)
        if abs(m.b) > UPRIGHT_SKEW or abs(m.c) > UPRIGHT_SKEW or m.a <= 0 or m.d <= 0:
            raise UnsupportedPage("rotated or mirrored text")
        size = _font_size(raw, start) * m.d
        _char_origin(raw, start, self._x_ref, self._y_ref)
        x0, baseline = self._x.value, self._y.value
        descent = self.descent(obj) * size
        last_x0, x1 = self.loose_box(end - 1)
        bottom = self.page_top - (baseline + descent)
        return Run(self.chars_text(start, end), x0, last_x0, x1, bottom - size, bottom, start, end)

    def descent(self, obj: int) -> float:
        """The font's descent per point of size, as PDFium reads it (the FontDescriptor's
        /Descent, which pdfminer uses too); read once per font, as a page has few."""
        font = _font_of(obj)
        if font not in self._descents:
            value = ctypes.c_float()
            known = font and pdfium_c.FPDFFont_GetDescent(ctypes.cast(font, pdfium_c.FPDF_FONT), 1.0, value)
            self._descents[font] = value.value if known else 0.0
        return self._descents[font]

    def split(self, run: Run) -> list[Run]:
        """A run as one run per character (for placing characters in table cells)."""
        if run.start < 0:
            return [run]
        text, raw, box, box_ref = self.chars_text(run.start, run.end), self.address, self._box, self._box_ref
        get_box, top, bottom = _loose_box, run.top, run.bottom
        out = []
        for k, index in enumerate(range(run.start, run.end)):
            get_box(raw, index, box_ref)
            out.append(Run(text[k], box.left, box.left, box.right, top, bottom, index, index + 1))
        return out


# --- lines and words, pdfplumber's way ----------------------------------------------------


def cluster_ids(values, tolerance: float) -> dict[float, int]:
    """pdfplumber's make_cluster_dict: the distinct values in order, a new cluster wherever
    one is more than `tolerance` above the one before; value -> cluster number."""
    ids: dict[float, int] = {}
    cluster, last = -1, None
    for value in sorted(set(values)):
        if last is None or value > last + tolerance:
            cluster += 1
        ids[value] = cluster
        last = value
    return ids


def runs_to_words(runs: list[Run]) -> list[tuple[str, float, float]]:
    """Words (text, top, bottom) in pdfplumber's order: chars clustered into lines by top
    (WordExtractor.iter_chars_to_lines), sorted by x0, split at blanks and at gaps."""
    cluster = cluster_ids([r.top for r in runs], DEFAULT_Y_TOLERANCE)
    by_line: dict[int, list[Run]] = {}
    for run in runs:
        by_line.setdefault(cluster[run.top], []).append(run)
    words: list[tuple[str, float, float]] = []
    for line_id in sorted(by_line):
        line_to_words(sorted(by_line[line_id], key=lambda r: r.x0), words)
    return words


def line_to_words(line: list[Run], words: list[tuple[str, float, float]]) -> None:
    """Append the words of one line's runs, sorted by x0, to `words`. A word is built in
    `text`, `top`, `bottom`; text is None between words."""
    text: str | None = None
    top = bottom = 0.0
    previous: Run | None = None
    for run in line:
        if previous is not None and run.x0 < previous.last_x0:
            raise UnsupportedPage("overlapping text on a line")
        if text is not None and (
            run.text[:1].isspace()
            or run.x0 > previous.x1 + DEFAULT_X_TOLERANCE
            or abs(run.top - previous.top) > DEFAULT_Y_TOLERANCE
        ):
            words.append((text, top, bottom))
            text = None
        tokens = run.text.split()
        if tokens:
            if text is None:  # the first token starts a word or continues the one built
                text, top, bottom = tokens[0], run.top, run.bottom
            else:
                text, top, bottom = text + tokens[0], min(top, run.top), max(bottom, run.bottom)
            if len(tokens) > 1:  # then each further token is a word, the last left open
                words.append((text, top, bottom))
                words.extend((token, run.top, run.bottom) for token in tokens[1:-1])
                text, top, bottom = tokens[-1], run.top, run.bottom
        if text is not None and run.text[-1:].isspace():
            words.append((text, top, bottom))
            text = None
        previous = run
    if text is not None:
        words.append((text, top, bottom))


def words_to_lines(words: list[tuple[str, float, float]]) -> list[tuple[float, float, str]]:
    """(top, bottom, text) lines as pdfplumber's to_textmap(presorted=True) and
    extract_text_lines make them: consecutive words whose tops cluster together."""
    if not words:
        return []
    texts, tops, bottoms = zip(*words, strict=True)
    cluster = cluster_ids(tops, DEFAULT_Y_TOLERANCE)
    ids = [cluster[top] for top in tops]
    starts = [0] + [k for k in range(1, len(ids)) if ids[k] != ids[k - 1]]
    ends = starts[1:] + [len(ids)]
    return [
        (min(tops[a:b]), max(bottoms[a:b]), " ".join(texts[a:b])) for a, b in zip(starts, ends, strict=True)
    ]


# --- tables ------------------------------------------------------------------------------


class EdgesOnly:
    """Just enough of a pdfplumber page for TableFinder with the default (lines) settings."""

    def __init__(self, edges: list[dict], bbox: Box):
        self.edges = edges
        self.bbox = bbox


def intersections_to_cells(intersections: dict) -> list[Box]:
    """pdfplumber's intersections_to_cells, cell for cell and in the same order, without its
    cost: pdfplumber rebuilds both points' edge sets (and a typing annotation) for every
    pair it tests, which made this three quarters of the table finding. Here each point's
    edge sets are built once, and the points below and right of a point are taken from its
    column and its row instead of a scan of all later points."""
    vertical = {p: {obj_to_bbox(e) for e in found["v"]} for p, found in intersections.items()}
    horizontal = {p: {obj_to_bbox(e) for e in found["h"]} for p, found in intersections.items()}

    def edge_connects(p1, p2) -> bool:
        return (p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2])) or (
            p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])
        )

    points = sorted(intersections)  # by x, then y: a column's points are consecutive
    columns: dict[float, list] = {}
    rows: dict[float, list] = {}
    for point in points:
        columns.setdefault(point[0], []).append(point)
        rows.setdefault(point[1], []).append(point)

    def smallest_cell(point) -> Box | None:
        column, row = columns[point[0]], rows[point[1]]
        below = column[column.index(point) + 1 :]
        right = row[row.index(point) + 1 :]
        for below_pt in below:
            if not edge_connects(point, below_pt):
                continue
            for right_pt in right:
                if not edge_connects(point, right_pt):
                    continue
                bottom_right = (right_pt[0], below_pt[1])
                if (
                    bottom_right in intersections
                    and edge_connects(bottom_right, right_pt)
                    and edge_connects(bottom_right, below_pt)
                ):
                    return (point[0], point[1], bottom_right[0], bottom_right[1])
        return None

    return [cell for cell in map(smallest_cell, points) if cell is not None]


class RuledTableFinder(TableFinder):
    """pdfplumber's TableFinder with the default (lines) settings, as its __init__ runs it
    but with the cell search above."""

    def __init__(self, page: EdgesOnly):
        self.page = page
        self.settings = TableSettings.resolve(None)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(page, group) for group in cells_to_tables(self.cells)]


def find_tables(edges: list[dict], page_box: Box) -> list[Table]:
    return RuledTableFinder(EdgesOnly(edges, page_box)).tables


def touches(run: Run, box: Box) -> bool:
    """Whether some character of `run` may have its centre in `box`."""
    x0, top, x1, bottom = box
    return top <= (run.top + run.bottom) / 2 <= bottom and run.x0 <= x1 and run.x1 >= x0


def centre_inside(x: float, y: float, box: Box) -> bool:
    """pdf.inside: the centre in the box, edges included."""
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def table_cells(table: Table, chars: list[tuple[float, float, int, Run]]) -> list[list[str | None]]:
    """Table.extract on one-character runs, given as (centre x, centre y, order, run) sorted
    by centre y: each cell's words joined by single spaces."""
    ys = [c[1] for c in chars]
    rows = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        row_chars = sorted(
            (c for c in chars[bisect_left(ys, top) : bisect_left(ys, bottom)] if x0 <= c[0] < x1),
            key=itemgetter(2),
        )
        cells: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            x0, top, x1, bottom = cell
            inside = [c[3] for c in row_chars if x0 <= c[0] < x1 and top <= c[1] < bottom]
            cells.append(" ".join(w[0] for w in runs_to_words(inside)))
        rows.append(cells)
    return rows


# --- the page ----------------------------------------------------------------------------


def place(runs: list[Run], found: list[Table], chars: Characters) -> tuple[list[Run], list]:
    """Runs outside the tables (for the lines) and runs to sort into cells, each with the
    centre of a character, an order and the run, for table_cells. A run with its first and
    last characters' centres in one cell lies in that cell whole; any other run that comes
    near a table is taken apart into characters, which go where their centres are."""
    bboxes = [t.bbox for t in found]
    cells = [cell for t in found for cell in t.cells]
    outside: list[Run] = []
    placed: list[tuple[float, float, int, Run]] = []
    for run in runs:
        if not any(touches(run, b) for b in bboxes):
            outside.append(run)
            continue
        y = (run.top + run.bottom) / 2
        first = ((run.x0 + chars.loose_box(run.start)[1]) / 2) if run.start >= 0 else None
        last = (run.last_x0 + run.x1) / 2
        if first is not None and any(
            cell[0] <= first < cell[2] and cell[0] <= last < cell[2] and cell[1] <= y < cell[3]
            for cell in cells
        ):
            placed.append((first, y, len(placed), run))
            continue
        for char in chars.split(run):
            x = (char.x0 + char.x1) / 2
            placed.append((x, y, len(placed), char))
            if not any(centre_inside(x, y, b) for b in bboxes):
                outside.append(char)
    placed.sort(key=itemgetter(1))
    return outside, placed


def read_layer(page: pdfium.PdfPage) -> Layer:
    """The page's text layer as pdfplumber would lay it out; UnsupportedPage if it can't."""
    if page.get_rotation():
        raise UnsupportedPage("page turned by /Rotate")
    left, bottom, right, top = page.get_bbox()
    page_box = (left, 0.0, right, top - bottom)
    objects = page_objects(page, top)
    textpage = page.get_textpage()
    try:
        chars = Characters(textpage, top)
        runs = chars.runs()
        runs += blank_runs(objects.texts, chars.objects, top)
        # A page without paths has no ruling lines, so no table (pdfplumber's lines strategy).
        found = (
            find_tables(objects.edges, page_box) if objects.lines or objects.rects or objects.curves else []
        )
        outside, placed = place(runs, found, chars) if found else (runs, [])
    finally:
        textpage.close()
    lines = words_to_lines(runs_to_words(outside))
    tables = [(t.bbox, table_cells(t, placed)) for t in found]
    return Layer(lines, tables, page_box, objects.images)
