"""Reader for PDF: the text layer where it is good, OCR where it is missing or garbled.

Archive PDFs come born-digital, scanned (image only) or mixed, and some carry a text layer
from an old OCR run that is worse than a fresh one. So the decision is made per page:
a page whose text layer is long enough, mostly words and free of junk is used as it is;
any other page is rendered (pypdfium2) and OCR'd (ocr.py).

Tables in the text layer (pdfplumber's table finder) are written as tab-separated rows,
one row a line, at their place in the reading order, and kept as cells on the Page, so the
goal and cost tables reach later stages as cells rather than run-on text.
"""

from __future__ import annotations

import functools
import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from models.document import PageContent
from pipeline.ingest.errors import IngestError
from pipeline.ingest.ocr import ocr_page
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
WORD_TOKEN = re.compile(r"[^\W\d_]{2,}")
ORDINARY = re.compile(r"[\w\s.,;:!?()\[\]{}\"'«»/\\%&§@#+*=<>|~^$€£–—−•·-]")


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Swedish and English words from wordfreq (shipped with the package, no download)."""
    from wordfreq import get_frequency_dict

    return frozenset(get_frequency_dict("sv")) | frozenset(get_frequency_dict("en"))


def text_layer_problem(text: str) -> str | None:
    """Why this text layer should not be used, or None when it is good."""
    letters = sum(1 for ch in text if not ch.isspace())
    if letters < MIN_TEXT_CHARS:
        return "no text layer"
    junk = sum(1 for ch in text if not ORDINARY.match(ch))
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


def text_with_tables(page: pdfplumber.page.Page) -> tuple[str, list[list[list[str]]]]:
    """The page's text in reading order, its tables written as tab-separated rows."""
    found = page.find_tables()
    bboxes = [t.bbox for t in found]
    outside = page.filter(
        lambda obj: obj.get("object_type") != "char" or not any(inside(obj, b) for b in bboxes)
    )
    blocks = [(ln["top"], ln["bottom"], ln["text"]) for ln in outside.extract_text_lines(strip=True)]
    tables = []
    for table in found:
        rows = table_rows(table.extract())
        if rows:
            tables.append(rows)
            blocks.append((table.bbox[1], table.bbox[3], "\n".join("\t".join(r) for r in rows)))
    return lines_to_text(blocks), tables


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
    page = document[index]
    try:
        return page.render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        page.close()


def render_for_ocr(document: pdfium.PdfDocument, index: int, options: Options) -> tuple:
    """(image, None, seconds) of a page to OCR, or (None, why, seconds) when it cannot be rendered."""
    started = time.perf_counter()
    try:
        return render_page(document, index, options.ocr_dpi), None, time.perf_counter() - started
    except pdfium.PdfiumError as exc:
        return None, f"cannot render page: {exc}", time.perf_counter() - started


def ocr_rendered(rendered: tuple, options: Options) -> PageContent:
    """OCR of one page rendered by render_for_ocr; runs wherever options.page_map sends it."""
    image, problem, render_seconds = rendered
    started = time.perf_counter()
    if problem:
        return PageContent(text="", source="ocr", error=problem)
    try:
        content = ocr_page(image, options, dpi=options.ocr_dpi)
    except IngestError as exc:
        content = PageContent(text="", source="ocr", error=str(exc))
    content.seconds = render_seconds + time.perf_counter() - started
    return content


def ocr_pages(data: bytes, indexes: list[int], options: Options) -> list[PageContent]:
    """OCR of the pages at `indexes`, in order. Pages are rendered here one at a time, as the
    page map asks for them (pdfium is not thread-safe), and recognised through
    options.page_map: the batch executors fan them out over idle cores, the default is map."""
    if not indexes:
        return []
    document = pdfium.PdfDocument(data)
    try:
        rendered = (render_for_ocr(document, index, options) for index in indexes)
        return list((options.page_map or map)(functools.partial(ocr_rendered, options=options), rendered))
    finally:
        document.close()


def read_pdf(data: bytes, options: Options) -> list[PageContent]:
    pages: list[PageContent | None] = []
    with open_pdf(data) as pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise IngestError(pdf_error(exc)) from None
        if count == 0:
            raise IngestError("PDF has no pages")
        for page in pdf.pages:
            started = time.perf_counter()
            try:
                text, tables = text_with_tables(page)
                problem = text_layer_problem(text)
                if problem is None and len(text) < MAX_TEXT_ON_SCAN and image_cover(page) > MIN_IMAGE_COVER:
                    problem = "scanned page with a stray text layer"
            except Exception as exc:  # a damaged page: try OCR before giving it up
                text, tables, problem = "", [], f"unreadable text layer: {exc}"
            if problem is None:
                seconds = time.perf_counter() - started
                pages.append(PageContent(text=text, source="pdf_text", tables=tables, seconds=seconds))
            else:
                pages.append(None)  # OCR'd below, together with the file's other such pages
            page.close()
    to_ocr = [index for index, content in enumerate(pages) if content is None]
    for index, content in zip(to_ocr, ocr_pages(data, to_ocr, options), strict=True):
        pages[index] = content
    return pages
