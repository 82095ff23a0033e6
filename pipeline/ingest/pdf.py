"""Reader for PDF: the text layer where it is good, OCR where it is missing or garbled.

Archive PDFs come born-digital, scanned (image only) or mixed, and some carry a text layer
from an old OCR run that is worse than a fresh one. So the decision is made per page:
a page whose text layer is long enough, mostly words and free of junk is used as it is;
any other page is rendered (pypdfium2) and OCR'd (ocr.py).

The text layer is read with PDFium (pdf_layer.py, a few ms a page), laid out as pdfplumber
lays it out; a page that reader does not model (or that makes it fail) is read with
pdfplumber itself (about 80 ms a page), as every page was before. A file PDFium cannot
open goes to pdfplumber whole, so a damaged or locked file fails with pdfplumber's reason.

Tables in the text layer (pdfplumber's table finder, on ruling lines) are written as
tab-separated rows, one row a line, at their place in the reading order, and kept as cells
on the Page, so the goal and cost tables reach later stages as cells rather than run-on text.
"""

from __future__ import annotations

import functools
import io
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from functools import lru_cache

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from models.document import PageContent
from pipeline.ingest import pdf_layer
from pipeline.ingest.errors import IngestError
from pipeline.ingest.ocr import prepare_page, recognise
from pipeline.options import Options

# A text layer shorter than this (characters, without spaces) is no text layer: a scanned
# page often carries only a stamp or a page number.
MIN_TEXT_CHARS = 25
# Share of word tokens that must be Swedish or English words for a layer to count as good.
# Born-digital sample pages score above 0.85; the mangled OCR layer of the delårsrapport
# sample scores about 0.55, a layer of mojibake near 0.
MIN_WORD_SHARE = 0.7
# Share of characters outside letters, digits, whitespace and ordinary punctuation above
# which a layer is junk (mojibake, private-use glyphs of a broken font encoding).
MAX_JUNK_SHARE = 0.05
# A page mostly covered by images, with little text, is a scan with a stray text layer.
MIN_IMAGE_COVER = 0.5
MAX_TEXT_ON_SCAN = 200
# Vertical gap between lines, in line heights, that starts a new paragraph.
PARAGRAPH_GAP = 0.8
# PDFium is not thread-safe (pypdfium2 forbids calls from two threads at once, even on two
# documents): one call into it at a time in a process. Workers are processes
# (pool, LocalCluster), but a Dask worker may run tasks in threads.
PDFIUM_LOCK = threading.RLock()
WORD_TOKEN = re.compile(r"[^\W\d_]{2,}")
ORDINARY = re.compile(r"[\w\s.,;:!?()\[\]{}\"'«»/\\%&§@#+*=<>|~^$€£–—−•·-]")
# The same tests run over the whole text at once (a per-character loop cost ~1 ms a page).
JUNK = re.compile("[^" + ORDINARY.pattern[1:])
WHITESPACE = re.compile(r"\s")
# Scans whose stored pixels are decoded instead of rendered (scanned_image): grey (also
# 1-bit fax) and colour images.
SCAN_COLORSPACES = (pdfium_c.FPDF_COLORSPACE_DEVICEGRAY, pdfium_c.FPDF_COLORSPACE_DEVICERGB)
SCAN_BITS = (1, 8, 24)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Swedish and English words from wordfreq (shipped with the package, no download).

    Read from wordfreq's lists of words by frequency band, not its frequency dicts: the same
    words without a float for each, in a third of the time (0.2 s, once per worker)."""
    from wordfreq import get_frequency_list

    bands = [band for language in ("sv", "en") for band in get_frequency_list(language)]
    return frozenset(word for band in bands for word in band)


def text_layer_problem(text: str) -> str | None:
    """Why this text layer should not be used, or None when it is good."""
    letters = len(text) - len(WHITESPACE.findall(text))
    if letters < MIN_TEXT_CHARS:
        return "no text layer"
    junk = len(JUNK.findall(text))
    if junk / letters > MAX_JUNK_SHARE:
        return f"garbled text layer ({junk / letters:.0%} junk characters)"
    tokens = WORD_TOKEN.findall(text)
    words = known_words()
    share = sum(1 for t in tokens if t.lower() in words) / max(len(tokens), 1)
    if share < MIN_WORD_SHARE:
        return f"garbled text layer (only {share:.0%} known words)"
    return None


def image_cover(page: pdfplumber.page.Page) -> float:
    area = float(page.width * page.height) or 1.0
    covered = sum(
        max(0.0, min(img["x1"], page.width) - max(img["x0"], 0))
        * max(0.0, min(img["bottom"], page.height) - max(img["top"], 0))
        for img in page.images
    )
    return min(covered / area, 1.0)


def cell_text(cell: str | None) -> str:
    return " ".join((cell or "").split())


def table_rows(table: list[list[str | None]]) -> list[list[str]]:
    return [[cell_text(c) for c in row] for row in table if any(c for c in row)]


def inside(obj: dict, bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    mid_x, mid_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return x0 <= mid_x <= x1 and top <= mid_y <= bottom


def lines_to_text(blocks: list[tuple[float, float, str]]) -> str:
    """Join (top, bottom, text) blocks in reading order; a wide gap starts a paragraph."""
    out: list[str] = []
    last_bottom = None
    for top, bottom, text in sorted(blocks, key=lambda b: b[0]):
        height = max(bottom - top, 1.0)
        if last_bottom is not None and top - last_bottom > PARAGRAPH_GAP * height:
            out.append("")
        out.append(text)
        last_bottom = bottom
    return "\n".join(out) + "\n" if out else ""


def join_layout(
    lines: list[tuple[float, float, str]], tables: list[tuple[tuple, list[list[str | None]]]]
) -> tuple[str, list[list[list[str]]]]:
    """Lines (top, bottom, text) outside tables and tables as (bbox, extracted cells) into
    the page text, each table written as tab-separated rows at its place; and the tables."""
    blocks = list(lines)
    kept = []
    for bbox, extracted in tables:
        rows = table_rows(extracted)
        if rows:
            kept.append(rows)
            blocks.append((bbox[1], bbox[3], "\n".join("\t".join(r) for r in rows)))
    return lines_to_text(blocks), kept


def text_with_tables(page: pdfplumber.page.Page) -> tuple[str, list[list[list[str]]]]:
    """The page's text in reading order, its tables written as tab-separated rows."""
    found = page.find_tables()
    bboxes = [t.bbox for t in found]
    outside = page.filter(
        lambda obj: obj.get("object_type") != "char" or not any(inside(obj, b) for b in bboxes)
    )
    lines = [(ln["top"], ln["bottom"], ln["text"]) for ln in outside.extract_text_lines(strip=True)]
    return join_layout(lines, [(t.bbox, t.extract()) for t in found])


def page_problem(text: str, cover: Callable[[], float]) -> str | None:
    """Why this page's text layer should not be used (then it is OCR'd), or None."""
    problem = text_layer_problem(text)
    if problem is None and len(text) < MAX_TEXT_ON_SCAN and cover() > MIN_IMAGE_COVER:
        problem = "scanned page with a stray text layer"
    return problem


@contextmanager
def open_pdf(data: bytes) -> Iterator[pdfplumber.PDF]:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise IngestError(pdf_error(exc.args[0] if exc.args else exc)) from None
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError("password-protected PDF: cannot read it without the password") from None
    except Exception as exc:
        raise IngestError(f"not a readable PDF: {type(exc).__name__}: {exc}") from None
    try:
        yield pdf
    finally:
        pdf.close()


def pdf_error(cause: object) -> str:
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return "password-protected PDF: cannot read it without the password"
    return f"not a readable PDF (damaged or truncated): {type(cause).__name__}: {cause}".rstrip(": ")


def render_page(document: pdfium.PdfDocument, index: int, dpi: int):
    """The page as a grey image at `dpi`: the scan itself when the page is one (scanned_image),
    else rendered."""
    with PDFIUM_LOCK:
        page = document[index]
        try:
            try:
                image = scanned_image(page, dpi)
            except pdfium.PdfiumError:
                image = None  # a page object PDFium cannot describe: rendering draws what it can
            return image if image is not None else page.render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            page.close()


def scanned_image(page: pdfium.PdfPage, dpi: int):
    """The page's only content, a grey or colour image that fills it upright at `dpi` (a scan
    at that resolution), decoded as stored; None for any other page, which is rendered.

    Decoding took 8-25 ms a page of the generated scan against 65-100 ms for rendering it
    at 300 dpi, and gives the same pixels: rendering such a page copies them one to one
    (the tests check grey and 1-bit scans for equality, colour to two grey levels, as PDFium
    and PIL weigh the colours a little differently). About half of all page sizes, rounded
    when the PDF was written, render a pixel larger than the scan, and rendering then
    resamples the whole scan to fill it: the scan as stored, up to a pixel off, is taken
    too. So is a scan under the invisible text layer of an earlier OCR run, which draws
    nothing. A turned page, a mask, transparency, an image placed or scaled on the page, or
    any other content (a stamp in the text layer) would change what rendering draws."""
    if page.get_rotation() % 360:
        return None
    images, drawn = [], False
    for obj in page.get_objects(max_depth=1):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images.append(obj)
        elif obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT or (
            pdfium_c.FPDFTextObj_GetTextRenderMode(obj) != pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
        ):
            drawn = True  # anything but the invisible text of an earlier OCR run
            break
    if drawn or len(images) != 1:
        return None
    image = images[0]
    meta = image.get_metadata()
    if (
        pdfium_c.FPDFPageObj_HasTransparency(image)
        or meta.colorspace not in SCAN_COLORSPACES
        or meta.bits_per_pixel not in SCAN_BITS
    ):
        return None
    a, b, c, d, e, f = image.get_matrix().get()
    left, bottom, right, top = page.get_cropbox()
    half_pixel = 36 / dpi
    placed, box = (e, f, e + a, f + d), (left, bottom, right, top)
    if b or c or any(abs(got - want) > half_pixel for got, want in zip(placed, box, strict=True)):
        return None  # turned, flipped, scaled or moved on the page
    scale = dpi / 72
    rendered = (math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale))
    if abs(meta.width - rendered[0]) > 1 or abs(meta.height - rendered[1]) > 1:
        return None
    decoded = image.get_bitmap(render=False).to_pil()
    return decoded if decoded.mode == "L" else decoded.convert("L")


def render_for_ocr(document: pdfium.PdfDocument, index: int, options: Options) -> tuple:
    """(page prepared for Tesseract, None, seconds) of a page to OCR: rendered, then made grey
    and deskewed (ocr.prepare_page); (None, why, seconds) when it cannot be rendered."""
    started = time.perf_counter()
    try:
        image = render_page(document, index, options.ocr_dpi)
    except pdfium.PdfiumError as exc:
        return None, f"cannot render page: {exc}", time.perf_counter() - started
    return prepare_page(image, options), None, time.perf_counter() - started


def ocr_rendered(rendered: tuple, options: Options) -> PageContent:
    """OCR of one page from render_for_ocr; runs wherever options.page_map sends it."""
    prepared, problem, render_seconds = rendered
    if problem:
        return PageContent(text="", source="ocr", error=problem)
    started = time.perf_counter()
    try:
        content = recognise(prepared, options, dpi=options.ocr_dpi)
    except IngestError as exc:
        content = PageContent(text="", source="ocr", error=str(exc))
    content.seconds = render_seconds + time.perf_counter() - started
    return content


def read_ahead(items: Iterator) -> Iterator:
    """The items, each made in a background thread while the caller works on the one before:
    the next page is rendered and deskewed (a quarter of a second) while Tesseract, in a
    process of its own, reads this one, instead of after it."""
    source, done = iter(items), object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="finsam-render") as thread:
        upcoming = thread.submit(next, source, done)
        while (item := upcoming.result()) is not done:
            upcoming = thread.submit(next, source, done)
            yield item


def ocr_pages(document: pdfium.PdfDocument | None, indexes: list[int], options: Options) -> list[PageContent]:
    """OCR of the pages at `indexes`, in order. Pages are rendered and prepared here, one at a
    time and one ahead of Tesseract, and recognised through options.page_map: the batch
    executors fan them out over idle cores (the costliest pages first), the default is map.
    Without a document (PDFium could not open the file) no page can be rendered."""
    if not indexes:
        return []
    if document is None:
        return [
            PageContent(text="", source="ocr", error="cannot render page: PDFium cannot open the file")
            for _ in indexes
        ]
    recognise_page = functools.partial(ocr_rendered, options=options)
    if options.page_map is None:
        # The batch executors' fan-out prepares the next page itself before it waits for a
        # lane (pipeline/runner/pages.py); plain map needs read_ahead for that.
        rendered = (render_for_ocr(document, index, options) for index in indexes)
        return list(map(recognise_page, read_ahead(rendered)))
    # Fanned out over several lanes, the costliest pages go first, so that the last ones to
    # finish are short and no lane idles long at the end (longest processing time first).
    order = sorted(range(len(indexes)), key=lambda k: -ocr_cost(document, indexes[k]))
    rendered = (render_for_ocr(document, indexes[k], options) for k in order)
    contents = dict(zip(order, options.page_map(recognise_page, rendered), strict=True))
    return [contents[k] for k in range(len(indexes))]


# What ocr_cost gives a page with no image (a drawn page whose text layer is bad): unknown,
# so it goes first with the costliest.
UNKNOWN_OCR_COST = float("inf")


def ocr_cost(document: pdfium.PdfDocument, index: int) -> float:
    """How long Tesseract may take on a page, for ordering the pages of one file: the bytes
    of its images as stored. Within a scanned file (one compression, one resolution) that
    follows the ink on the page: the generated sample scan's pages of 254, 349, 376, 387 and
    446 kB took Tesseract 1.4, 3.0, 4.0, 3.6 and 5.0 s. Reading it takes 1-2 ms a page."""
    with PDFIUM_LOCK:
        try:
            page = document[index]
        except pdfium.PdfiumError:
            return UNKNOWN_OCR_COST  # it will fail to render, at once
        try:
            stored = sum(
                pdfium_c.FPDFImageObj_GetImageDataRaw(obj.raw, None, 0)
                for obj in page.get_objects(max_depth=1)
                if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
            )
        except pdfium.PdfiumError:
            stored = 0
        finally:
            page.close()
    return stored or UNKNOWN_OCR_COST


class PlumberPages:
    """pdfplumber's view of the file, opened the first time a page needs it."""

    def __init__(self, data: bytes):
        self.data = data
        self._stack = ExitStack()
        self._pdf: pdfplumber.PDF | None = None

    @property
    def pdf(self) -> pdfplumber.PDF:
        if self._pdf is None:
            self._pdf = self._stack.enter_context(open_pdf(self.data))
        return self._pdf

    def count(self) -> int:
        try:
            return len(self.pdf.pages)
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(pdf_error(exc)) from None

    def close(self) -> None:
        self._stack.close()


def plumber_layer(plumber: PlumberPages, index: int) -> tuple[str, list, str | None]:
    """(text, tables, problem) of a page read with pdfplumber."""
    try:
        page = plumber.pdf.pages[index]
        try:
            text, tables = text_with_tables(page)
            return text, tables, page_problem(text, lambda: image_cover(page))
        finally:
            page.close()
    except Exception as exc:  # a damaged page: try OCR before giving it up
        return "", [], f"unreadable text layer: {exc}"


def pdfium_layer(document: pdfium.PdfDocument, index: int) -> tuple[str, list, str | None]:
    """(text, tables, problem) of a page read with PDFium; raises where pdf_layer cannot."""
    with PDFIUM_LOCK:
        page = document[index]
        try:
            layer = pdf_layer.read_layer(page)
        finally:
            page.close()
    text, tables = join_layout(layer.lines, layer.tables)
    return text, tables, page_problem(text, layer.image_cover)


def page_layer(document: pdfium.PdfDocument | None, plumber: PlumberPages, index: int) -> tuple:
    """(text, tables, problem) of a page: PDFium's reading where pdf_layer models the page,
    else pdfplumber's."""
    if document is not None:
        try:
            return pdfium_layer(document, index)
        except Exception:  # UnsupportedPage, or PDFium failed on this page
            pass
    return plumber_layer(plumber, index)


def read_pdf(data: bytes, options: Options) -> list[PageContent]:
    try:
        with PDFIUM_LOCK:
            document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        document = None  # pdfplumber reads it, or says why it cannot
    plumber = PlumberPages(data)
    try:
        count = plumber.count() if document is None else len(document)
        if count == 0:
            raise IngestError("PDF has no pages")
        pages: list[PageContent | None] = []
        for index in range(count):
            started = time.perf_counter()
            text, tables, problem = page_layer(document, plumber, index)
            if problem is None:
                seconds = time.perf_counter() - started
                pages.append(PageContent(text=text, source="pdf_text", tables=tables, seconds=seconds))
            else:
                pages.append(None)  # OCR'd below, together with the file's other such pages
        to_ocr = [index for index, content in enumerate(pages) if content is None]
        for index, content in zip(to_ocr, ocr_pages(document, to_ocr, options), strict=True):
            pages[index] = content
        return pages
    finally:
        plumber.close()
        if document is not None:
            with PDFIUM_LOCK:
                document.close()
