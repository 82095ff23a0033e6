"""Generate synthetic test documents (PDF, scans, photo, TIFF, Word, broken files) from the real samples.

The pipeline must read born-digital PDFs, scanned PDFs, photos, TIFFs and Word files, but the
project only has text copies of real reports. This generator renders two of those texts into
every input format the pipeline promises to handle, degrades the scans in a realistic and
repeatable way, and writes the exact text of each file beside it, so that readers and OCR can
be tested against known truth. It is deterministic: fixed seeds, reportlab's invariant mode,
no timestamps anywhere, so running it twice gives byte-identical files.

    python -m tools.make_samples [--out samples/generated] [--broken-out tests/fixtures/broken]

Ground-truth format (`<file name>.gt.txt`, UTF-8, beside each generated document):
  - the text as rendered, in reading order, with no header or comment of any kind;
  - one paragraph, heading or list item per line, as in the source (not one line per
    rendered line: wrapping is undone);
  - a table row per line, its cells joined by one TAB (empty cells stay, so trailing TABs
    can occur); HTML and markdown markup from the source is not part of the text;
  - between two pages a line holding a single form feed ("\\f"); Word files have no pages
    and so no form feeds;
  - no blank lines; the file ends with a newline.
Broken files (`broken-*`) have no ground truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import pypdfium2 as pdfium
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw, ImageFilter
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DEFAULT_OUT = SAMPLES / "generated"
DEFAULT_BROKEN_OUT = SAMPLES.parent / "tests" / "fixtures" / "broken"
SLUTRAPPORTER_SOURCE = SAMPLES / "slutrapporter-2019-2022-harnosand-timra.txt"
MEMO_SOURCE = SAMPLES / "redovisning-2018-timra-integrationsprojekt.txt"

# Output names.
BORN_DIGITAL_PDF = "slutrapport-arbetsmarknadstorg.pdf"
SCAN_PDF = "slutrapport-arbetsmarknadstorg-scan.pdf"
SCAN_TIFF = "slutrapport-arbetsmarknadstorg-scan.tif"
MIXED_PDF = "slutrapport-arbetsmarknadstorg-mixed.pdf"
PHOTO_JPEG = "redovisning-2018-timra-photo.jpg"
WORD_DOCX = "slutrapport-samverkansmodell.docx"
TRUNCATED_PDF = "broken-truncated.pdf"
PASSWORD_PDF = "broken-password.pdf"
ZERO_PAGES_PDF = "broken-zero-pages.pdf"
EMPTY_PNG = "broken-empty.png"
GT_SUFFIX = ".gt.txt"

# Which slutrapport (0-based, in file order) becomes which document.
PDF_REPORT_INDEX = 0  # Arbetsmarknadstorg i Härnösand
DOCX_REPORT_INDEX = 4  # Samverkansmodell Timrå- SIP/SKIP
REPORT_START = "Slutrapport"
TIFF_PAGES = 2  # the first scanned pages go into the TIFF
MIXED_SCANNED_PAGE = 1  # 0-based: page 2 of the mixed PDF is the scan, pages 1 and 3 have text
TRUNCATE_FRACTION = 0.4
PASSWORD = "finsam"
PASSWORD_TEXT = "Konfidentiellt: denna slutrapport är skyddad med lösenord."
PASSWORD_FONT = "Helvetica"  # a standard font, not embedded: keeps the file tiny

# Fonts: DejaVu is embedded (subset), so every machine renders the same glyphs.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_FILES = {FONT_REGULAR: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}

# Page layout (points).
PAGE_MARGIN = 2 * cm
BODY_SIZE = 10
BODY_LEADING = 13.5
CELL_SIZE = 9
CELL_LEADING = 11.5
MEMO_SIZE = 10.5
MEMO_LEADING = 14
TITLE_SIZE = 18
HEADING_SIZE = 13
SUBHEADING_MAX_CHARS = 120  # a longer "3.1 ..." line is a paragraph that starts with its heading
GRID_WIDTH = 1.0
HEADER_FILL = colors.HexColor("#E6E6E6")
BULLET = "•"

# Column widths (fractions of the text width) per table kind.
COLUMN_WIDTHS = {
    "goals": (0.34, 0.26, 0.40),
    "costs": (0.56, 0.22, 0.22),
    "label-value": (0.28, 0.72),
    "two-column": (0.52, 0.48),
}
SHORT_LABEL_CHARS = 30  # a two-column table whose first cells are this short is label: value

# Scan degradation (all randomness from numpy Generators seeded with SEED and the page index).
SEED = 20240611
SCAN_DPI = 300
SCAN_ROTATION_DEG = (0.8, 2.0)  # magnitude; the sign is random too
SCAN_TONER_FADE_PX = 3  # window of the grey erosion that thins strokes by a pixel: worn toner
SCAN_DUST_SPECKS = 150  # dark specks per page (dust on the glass, toner spatter)
SCAN_DUST_RADIUS_PX = (0.8, 2.5)
SCAN_DUST_DARKEST = 120  # specks are grey values from 0 up to this
SCAN_BLUR_RADIUS = 0.8
SCAN_PAPER_LEVEL = 238  # grey value of white paper after scanning
SCAN_INK_LEVEL = 25  # grey value of black toner after scanning
SCAN_NOISE_SIGMA = 3.0
SCAN_JPEG_QUALITY = 45
TIFF_JPEG_QUALITY = 45

# Phone photo of the memo: more rotation, a desk at the corners, uneven light, a warm tint.
PHOTO_DPI = 250
PHOTO_ROTATION_DEG = 2.2
PHOTO_DESK_LEVEL = 70
PHOTO_KEYSTONE = 0.03  # the top edge looks this much narrower on each side: camera tilted back
PHOTO_BLUR_RADIUS = 1.0
PHOTO_LIGHT_RANGE = (1.0, 0.72)  # brightness at the lit and at the dark corner
PHOTO_VIGNETTE = 0.10  # extra darkening at the corners
PHOTO_TINT = (1.0, 0.95, 0.86)  # RGB gain: indoor light on paper
PHOTO_NOISE_SIGMA = 4.0
PHOTO_JPEG_QUALITY = 55

# Word file.
DOCX_TIMESTAMP = dt.datetime(2022, 11, 14, 12, 0, 0)
DOCX_AUTHOR = "finsam tools/make_samples.py"
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX_MODE = 0o644 << 16

# Source text conventions.
PAGE_BREAK_BLANKS = 3  # a run of this many blank lines is a page break in the converted scan
HTML_TAG = re.compile(r"<[^>]+>")
SECTION_HEADING = re.compile(r"^\d+\. \S")
SUBSECTION_HEADING = re.compile(r"^\d+\.\d+ \S")
GOAL_TABLE_HEADING = re.compile(r"^(\d+\.\d+ Insatsens mål) (.+)$")
MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*")
MARKDOWN_ITALIC = re.compile(r"\*(.+?)\*")
SENTENCE_END = (".", "!", "?", ":")


# --------------------------------------------------------------------------- document model


@dataclass(frozen=True)
class Block:
    """One unit of a document: a heading, paragraph, list item or table."""

    kind: str  # title | heading | subheading | paragraph | bullet | table
    text: str = ""  # markdown-free text (markup such as *italic* stays in `markup`)
    markup: str = ""  # the text with inline markdown, for renderers that show emphasis
    rows: tuple[tuple[str, ...], ...] = ()

    def gt_lines(self) -> list[str]:
        if self.kind == "table":
            return ["\t".join(row) for row in self.rows]
        if self.kind == "bullet":
            return [f"{BULLET} {self.text}"]
        return [self.text]


def paragraph_block(kind: str, markup: str) -> Block:
    return Block(kind=kind, text=strip_markdown(markup), markup=markup)


def strip_markdown(text: str) -> str:
    return MARKDOWN_ITALIC.sub(r"\1", MARKDOWN_BOLD.sub(r"\1", text))


def clean_cell(cell: str) -> str:
    """Cell text without its HTML fragments (tags become spaces) and with single spaces."""
    return " ".join(html.unescape(HTML_TAG.sub(" ", cell)).split())


# --------------------------------------------------------------------------- parsing the sources


def split_reports(text: str) -> list[str]:
    """The slutrapporter of the concatenated file, each from its "Slutrapport" line on."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == REPORT_START]
    ends = [*starts[1:], len(lines)]
    return ["\n".join(lines[start:end]) for start, end in zip(starts, ends, strict=True)]


def source_units(text: str) -> list[tuple[int, str]]:
    """Non-blank lines, each with the number of blank lines before it."""
    units: list[tuple[int, str]] = []
    blanks = 0
    for line in text.splitlines():
        if line.strip():
            units.append((blanks, line.rstrip(" \r")))
            blanks = 0
        else:
            blanks += 1
    return units


def parse_slutrapport(text: str) -> list[Block]:
    """Headings, paragraphs and tables of one slutrapport, with page-break damage undone."""
    items: list[list] = []  # [kind, payload]: ("line", str) or ("rows", list[list[str]])
    for blanks, line in source_units(text):
        page_break = blanks >= PAGE_BREAK_BLANKS
        previous = items[-1] if items else None
        if "\t" in line:
            row = [clean_cell(cell) for cell in line.split("\t")]
            if previous and previous[0] == "rows" and (blanks == 0 or page_break):
                previous[1].append(row)
            else:
                items.append(["rows", [row]])
        elif previous and previous[0] == "line" and page_break and continues(previous[1], line):
            previous[1] = f"{previous[1]} {line.strip()}"
        else:
            items.append(["line", line.strip()])
    blocks: list[Block] = []
    for kind, payload in items:
        blocks.extend(table_blocks(payload) if kind == "rows" else [line_block(payload, first=not blocks)])
    return blocks


def continues(previous: str, line: str) -> bool:
    """Whether `line` after a page break is the rest of the paragraph `previous`."""
    return not previous.endswith(SENTENCE_END) and line.strip()[:1].islower()


def line_block(line: str, first: bool) -> Block:
    if first and line == REPORT_START:
        return paragraph_block("title", line)
    if SECTION_HEADING.match(line):
        return paragraph_block("heading", line)
    if SUBSECTION_HEADING.match(line) and (len(line) <= SUBHEADING_MAX_CHARS or line.endswith(("?", ")"))):
        return paragraph_block("subheading", line)
    return paragraph_block("paragraph", line)


def table_blocks(rows: list[list[str]]) -> list[Block]:
    """A table, preceded by its section heading when the converter glued it into the first cell."""
    blocks: list[Block] = []
    match = GOAL_TABLE_HEADING.match(rows[0][0])
    if match:
        blocks.append(paragraph_block("subheading", match.group(1)))
        rows = [[match.group(2), *rows[0][1:]], *rows[1:]]
    width = max(len(row) for row in rows)
    padded = tuple(tuple(row + [""] * (width - len(row))) for row in rows)
    blocks.append(Block(kind="table", rows=padded))
    return blocks


def parse_memo(text: str) -> list[Block]:
    """The markdown memo: a subject line, paragraphs and bullet items (continuation lines joined)."""
    blocks: list[Block] = []
    for blanks, line in source_units(text):
        stripped = line.strip()
        if stripped.startswith("- "):
            blocks.append(paragraph_block("bullet", stripped[2:]))
        elif blocks and blocks[-1].kind == "bullet" and blanks == 0:
            merged = f"{blocks[-1].markup} {stripped}"
            blocks[-1] = paragraph_block("bullet", merged)
        else:
            blocks.append(paragraph_block("heading" if not blocks else "paragraph", stripped))
    return blocks


def table_kind(rows: Sequence[Sequence[str]]) -> str:
    header = rows[0]
    if len(header) == 3 and header[0].startswith("Kostna"):
        return "costs"
    if len(header) == 3:
        return "goals"
    if max(len(row[0]) for row in rows) <= SHORT_LABEL_CHARS:
        return "label-value"
    return "two-column"


# --------------------------------------------------------------------------- ground truth


def ground_truth(pages: Sequence[Sequence[Block]]) -> str:
    """The ground-truth text of the given pages (see the module docstring)."""
    page_texts = ["\n".join(line for block in page for line in block.gt_lines()) for page in pages]
    return "\n\f\n".join(page_texts) + "\n"


# --------------------------------------------------------------------------- born-digital PDF


def register_fonts() -> None:
    for name, file_name in FONT_FILES.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = FONT_DIR / file_name
        if not path.exists():
            raise SystemExit(f"font {path} is missing; install it with: apt-get install fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT_REGULAR, normal=FONT_REGULAR, bold=FONT_BOLD)


def paragraph_styles(body_size: float, body_leading: float) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=FONT_REGULAR,
        fontSize=body_size,
        leading=body_leading,
        spaceAfter=body_size * 0.6,
        alignment=TA_LEFT,
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.3
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=HEADING_SIZE,
            leading=HEADING_SIZE * 1.3,
            spaceBefore=HEADING_SIZE * 0.6,
        ),
        "subheading": ParagraphStyle("subheading", parent=body, fontName=FONT_BOLD),
        "paragraph": body,
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=16, bulletIndent=4),
        "cell": ParagraphStyle("cell", parent=body, fontSize=CELL_SIZE, leading=CELL_LEADING, spaceAfter=0),
        "header-cell": ParagraphStyle(
            "header-cell",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=CELL_SIZE,
            leading=CELL_LEADING,
            spaceAfter=0,
        ),
    }


def pdf_markup(text: str) -> str:
    return html.escape(text, quote=False)


def block_flowable(block: Block, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    """The one flowable that draws `block`; it carries the block so the layout can be recorded."""
    if block.kind == "table":
        flowable = ruled_table(block.rows, styles, width)
    elif block.kind == "bullet":
        flowable = Paragraph(pdf_markup(block.text), styles["bullet"], bulletText=BULLET)
    else:
        flowable = Paragraph(pdf_markup(block.text), styles[block.kind])
    flowable.gt_block = block
    return flowable


def ruled_table(rows: Sequence[Sequence[str]], styles: dict[str, ParagraphStyle], width: float) -> Table:
    """A table with a full grid, so PDF table finders see every cell; long text wraps in its cell."""
    fractions = COLUMN_WIDTHS[table_kind(rows)]
    has_header = len(rows[0]) == 3
    cells = [
        [
            Paragraph(pdf_markup(cell), styles["header-cell" if has_header and r == 0 else "cell"])
            for cell in row
        ]
        for r, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=[width * f for f in fractions])
    commands = [("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if has_header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    table.spaceBefore = BODY_SIZE * 0.3
    table.spaceAfter = BODY_SIZE
    return table


class RecordingDocTemplate(BaseDocTemplate):
    """A document that never splits a flowable and records on which page each block landed."""

    def __init__(self, target, **kwargs):
        super().__init__(target, pagesize=A4, allowSplitting=0, invariant=1, **kwargs)
        self.page_blocks: list[list[Block]] = []

    def afterFlowable(self, flowable):
        block = getattr(flowable, "gt_block", None)
        if block is None:
            return
        while len(self.page_blocks) < self.page:
            self.page_blocks.append([])
        self.page_blocks[self.page - 1].append(block)


def text_frame(frame_id: str) -> Frame:
    return Frame(
        PAGE_MARGIN,
        PAGE_MARGIN,
        A4[0] - 2 * PAGE_MARGIN,
        A4[1] - 2 * PAGE_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=frame_id,
    )


def text_width() -> float:
    return A4[0] - 2 * PAGE_MARGIN


def build_text_pdf(
    blocks: Sequence[Block], title: str, body_size: float = BODY_SIZE, body_leading: float = BODY_LEADING
) -> tuple[bytes, list[list[Block]]]:
    """A born-digital PDF of the blocks, and the blocks on each of its pages."""
    styles = paragraph_styles(body_size, body_leading)
    buffer = io.BytesIO()
    doc = RecordingDocTemplate(buffer, title=title, author="", subject="", creator="", producer="")
    doc.addPageTemplates([PageTemplate(id="text", frames=[text_frame("text")])])
    doc.build([block_flowable(block, styles, text_width()) for block in blocks])
    return buffer.getvalue(), doc.page_blocks


def build_mixed_pdf(pages: Sequence[Sequence[Block]], scan_jpegs: Sequence[bytes], title: str) -> bytes:
    """A PDF whose pages alternate text layer and scan: the page MIXED_SCANNED_PAGE is an image only.

    The text pages are laid out again from the same blocks, starting at the top of a page as in
    the born-digital PDF, so they come out the same as there.
    """
    styles = paragraph_styles(BODY_SIZE, BODY_LEADING)
    scan = ImageReader(io.BytesIO(scan_jpegs[MIXED_SCANNED_PAGE]))

    def draw_scan(canv, _doc):
        canv.drawImage(scan, 0, 0, width=A4[0], height=A4[1])

    buffer = io.BytesIO()
    doc = RecordingDocTemplate(buffer, title=title, author="", subject="", creator="", producer="")
    doc.addPageTemplates(
        [
            PageTemplate(id="text", frames=[text_frame("text")]),
            PageTemplate(id="scan", frames=[text_frame("scan")], onPage=draw_scan),
        ]
    )
    story: list[Flowable] = []
    for index, page in enumerate(pages[: MIXED_SCANNED_PAGE + 2]):
        if index:
            template = "scan" if index == MIXED_SCANNED_PAGE else "text"
            story += [NextPageTemplate(template), PageBreak()]
        if index == MIXED_SCANNED_PAGE:
            story.append(Spacer(1, 1))
        else:
            story += [block_flowable(block, styles, text_width()) for block in page]
    doc.build(story)
    return buffer.getvalue()


def build_image_pdf(jpegs: Sequence[bytes], title: str) -> bytes:
    """An image-only PDF: one A4 page per JPEG, the JPEG data embedded as it is (DCTDecode)."""
    buffer = io.BytesIO()
    canv = rl_canvas.Canvas(buffer, pagesize=A4, invariant=1)
    canv.setTitle(title)
    for jpeg in jpegs:
        canv.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width=A4[0], height=A4[1])
        canv.showPage()
    canv.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------- scans and photo


def render_pages(pdf: bytes, dpi: int, grayscale: bool) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=grayscale).to_pil() for page in document]
    finally:
        document.close()


def page_rng(purpose: int, index: int) -> np.random.Generator:
    return np.random.default_rng([SEED, purpose, index])


def add_noise(pixels: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return pixels + rng.normal(0.0, sigma, size=pixels.shape)


def to_image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def degrade_scan(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A flatbed scan of a printout: worn toner, skew, dust, soft focus, grey paper, sensor noise."""
    worn = page.convert("L").filter(ImageFilter.MaxFilter(SCAN_TONER_FADE_PX))
    low, high = SCAN_ROTATION_DEG
    angle = rng.uniform(low, high) * rng.choice([-1.0, 1.0])
    skewed = worn.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    soft = add_dust(skewed, rng).filter(ImageFilter.GaussianBlur(SCAN_BLUR_RADIUS))
    pixels = np.asarray(soft, dtype=np.float64)
    toned = SCAN_INK_LEVEL + pixels * (SCAN_PAPER_LEVEL - SCAN_INK_LEVEL) / 255.0
    return to_image(add_noise(toned, SCAN_NOISE_SIGMA, rng))


def add_dust(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The image with small dark specks at random places."""
    specked = image.copy()
    draw = ImageDraw.Draw(specked)
    xs = rng.uniform(0, image.width, SCAN_DUST_SPECKS)
    ys = rng.uniform(0, image.height, SCAN_DUST_SPECKS)
    radii = rng.uniform(*SCAN_DUST_RADIUS_PX, SCAN_DUST_SPECKS)
    shades = rng.integers(0, SCAN_DUST_DARKEST, SCAN_DUST_SPECKS)
    for x, y, r, shade in zip(xs, ys, radii, shades, strict=True):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(shade))
    return specked


def lighting(height: int, width: int) -> np.ndarray:
    """Brightness gain of a phone photo: lit from the top left, darker towards the far corner."""
    ys = np.linspace(0.0, 1.0, height)[:, None]
    xs = np.linspace(0.0, 1.0, width)[None, :]
    lit, dark = PHOTO_LIGHT_RANGE
    gradient = lit + (dark - lit) * (0.6 * ys + 0.4 * xs)
    radius = np.hypot(xs - 0.5, ys - 0.5) / np.hypot(0.5, 0.5)
    return gradient * (1.0 - PHOTO_VIGNETTE * radius**2)


def keystone(image: Image.Image, inset: float, fill: int) -> Image.Image:
    """The image seen by a camera tilted back: its top edge narrower by `inset` of the width per side."""
    width, height = image.size
    seen = [(inset * width, 0), (width * (1 - inset), 0), (width, height), (0, height)]
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    # PIL maps each output pixel (x, y) to the input (a x + b y + c, d x + e y + f) / (g x + h y + 1).
    equations, targets = [], []
    for (x, y), (u, v) in zip(seen, corners, strict=True):
        equations.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        equations.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        targets += [u, v]
    coefficients = np.linalg.solve(np.array(equations, dtype=np.float64), np.array(targets, dtype=np.float64))
    return image.transform(image.size, Image.PERSPECTIVE, tuple(coefficients), Image.BICUBIC, fillcolor=fill)


def degrade_photo(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A phone photo of a printout on a desk: tilted, foreshortened, soft, unevenly lit, warm, noisy."""
    tilted = page.convert("L").rotate(PHOTO_ROTATION_DEG, resample=Image.BICUBIC, fillcolor=PHOTO_DESK_LEVEL)
    tilted = keystone(tilted, PHOTO_KEYSTONE, PHOTO_DESK_LEVEL)
    soft = np.asarray(tilted.filter(ImageFilter.GaussianBlur(PHOTO_BLUR_RADIUS)), dtype=np.float64)
    lit = soft * lighting(*soft.shape)
    channels = [add_noise(lit * gain, PHOTO_NOISE_SIGMA, rng) for gain in PHOTO_TINT]
    rgb = np.clip(np.rint(np.stack(channels, axis=-1)), 0, 255).astype(np.uint8)
    return Image.fromarray(rgb, mode="RGB")


def jpeg_bytes(image: Image.Image, quality: int, dpi: int) -> bytes:
    """JPEG with a JFIF header only: no EXIF, no timestamp."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, dpi=(dpi, dpi), optimize=False)
    return buffer.getvalue()


def tiff_bytes(pages: Sequence[Image.Image]) -> bytes:
    """A multi-page greyscale TIFF, JPEG-compressed, with no date or software tags."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("L") for page in pages]
    first.save(
        buffer,
        format="TIFF",
        save_all=True,
        append_images=rest,
        compression="jpeg",
        quality=TIFF_JPEG_QUALITY,
        dpi=(SCAN_DPI, SCAN_DPI),
    )
    return buffer.getvalue()


def scan_pages(pdf: bytes) -> list[bytes]:
    """The pages of `pdf` printed and scanned: one greyscale JPEG per page."""
    rendered = render_pages(pdf, SCAN_DPI, grayscale=True)
    return [
        jpeg_bytes(degrade_scan(page, page_rng(1, index)), SCAN_JPEG_QUALITY, SCAN_DPI)
        for index, page in enumerate(rendered)
    ]


# --------------------------------------------------------------------------- Word


def build_docx(blocks: Sequence[Block], title: str) -> bytes:
    """A Word file of the blocks: headings, paragraphs, real tables; fixed properties and zip dates."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, not the template's Letter
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(2.0))
    for block in blocks:
        add_docx_block(document, block)
    set_core_properties(document, title)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())


def add_docx_block(document, block: Block) -> None:
    if block.kind == "table":
        add_docx_table(document, block.rows)
    elif block.kind == "title":
        document.add_heading(block.text, level=0)
    elif block.kind == "heading":
        document.add_heading(block.text, level=1)
    elif block.kind == "subheading":
        document.add_heading(block.text, level=2)
    else:
        add_docx_runs(document.add_paragraph(), block.markup)


def add_docx_runs(paragraph, markup: str) -> None:
    """Runs of a paragraph: `*text*` in the source becomes an italic run without the stars."""
    for index, piece in enumerate(re.split(r"\*([^*]+)\*", markup)):
        if piece:
            paragraph.add_run(piece).italic = index % 2 == 1 or None


def add_docx_table(document, rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    fractions = COLUMN_WIDTHS[table_kind(rows)]
    has_header = len(rows[0]) == 3
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Cm(17.0 * fractions[c])
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(CELL_SIZE)
            run.bold = (has_header and r == 0) or None
    document.add_paragraph()


def set_core_properties(document, title: str) -> None:
    properties = document.core_properties
    properties.title = title
    properties.author = DOCX_AUTHOR
    properties.last_modified_by = DOCX_AUTHOR
    properties.created = DOCX_TIMESTAMP
    properties.modified = DOCX_TIMESTAMP
    properties.last_printed = DOCX_TIMESTAMP
    properties.revision = 1


def normalise_zip(data: bytes) -> bytes:
    """The same zip with fixed member dates and modes (python-docx stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 3
            member.external_attr = ZIP_UNIX_MODE
            target.writestr(member, source.read(info.filename))
    return buffer.getvalue()


# --------------------------------------------------------------------------- broken files


def password_pdf() -> bytes:
    """A one-line PDF that needs a user password to open."""
    buffer = io.BytesIO()
    canv = rl_canvas.Canvas(buffer, pagesize=A4, invariant=1, encrypt=PASSWORD)
    canv.setFont(PASSWORD_FONT, BODY_SIZE)
    canv.drawString(PAGE_MARGIN, A4[1] - PAGE_MARGIN, PASSWORD_TEXT)
    canv.showPage()
    canv.save()
    return buffer.getvalue()


def zero_page_pdf() -> bytes:
    """A syntactically valid PDF whose page tree is empty (/Count 0), with a correct xref."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --------------------------------------------------------------------------- main


def write(out: Path, name: str, data: bytes, gt: str | None = None) -> None:
    (out / name).write_bytes(data)
    if gt is not None:
        (out / f"{name}{GT_SUFFIX}").write_text(gt, encoding="utf-8", newline="\n")


def report_title(blocks: Sequence[Block]) -> str:
    for block in blocks:
        if block.text.startswith("Insatsens namn:"):
            return f"Slutrapport: {block.text.split(':', 1)[1].strip()}"
    return REPORT_START


def generate(out: Path, broken_out: Path, log: Callable[[str], None] = print) -> None:
    """Write every generated sample into `out`, the broken files into `broken_out`.

    The broken files live apart (tests/fixtures/broken/) so that converting samples/ is a
    clean run; the tests feed them to the pipeline on purpose.
    """
    rl_config.invariant = 1  # no dates or random ids in the PDFs
    rl_config.useA85 = 0  # binary streams: embedded JPEGs stay their own size
    register_fonts()
    out.mkdir(parents=True, exist_ok=True)
    broken_out.mkdir(parents=True, exist_ok=True)
    reports = split_reports(SLUTRAPPORTER_SOURCE.read_text(encoding="utf-8"))

    blocks = parse_slutrapport(reports[PDF_REPORT_INDEX])
    title = report_title(blocks)
    pdf, pages = build_text_pdf(blocks, title)
    write(out, BORN_DIGITAL_PDF, pdf, ground_truth(pages))
    scans = scan_pages(pdf)
    write(out, SCAN_PDF, build_image_pdf(scans, title), ground_truth(pages))
    tiff_pages = [Image.open(io.BytesIO(jpeg)) for jpeg in scans[:TIFF_PAGES]]
    write(out, SCAN_TIFF, tiff_bytes(tiff_pages), ground_truth(pages[:TIFF_PAGES]))
    write(out, MIXED_PDF, build_mixed_pdf(pages, scans, title), ground_truth(pages[: MIXED_SCANNED_PAGE + 2]))
    write(broken_out, TRUNCATED_PDF, pdf[: int(len(pdf) * TRUNCATE_FRACTION)])

    memo = parse_memo(MEMO_SOURCE.read_text(encoding="utf-8"))
    memo_pdf, memo_pages = build_text_pdf(memo, "Redovisning 2018", MEMO_SIZE, MEMO_LEADING)
    if len(memo_pages) != 1:
        raise SystemExit(f"the memo must fit on one page, it took {len(memo_pages)}")
    photo = degrade_photo(render_pages(memo_pdf, PHOTO_DPI, grayscale=True)[0], page_rng(2, 0))
    write(out, PHOTO_JPEG, jpeg_bytes(photo, PHOTO_JPEG_QUALITY, PHOTO_DPI), ground_truth(memo_pages))

    word_blocks = parse_slutrapport(reports[DOCX_REPORT_INDEX])
    write(out, WORD_DOCX, build_docx(word_blocks, report_title(word_blocks)), ground_truth([word_blocks]))

    write(broken_out, PASSWORD_PDF, password_pdf())
    write(broken_out, ZERO_PAGES_PDF, zero_page_pdf())
    write(broken_out, EMPTY_PNG, b"")
    log(f"wrote generated samples into {out} and broken files into {broken_out}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument(
        "--broken-out",
        type=Path,
        default=DEFAULT_BROKEN_OUT,
        help="folder for broken files (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    generate(args.out, args.broken_out)


if __name__ == "__main__":
    main()
