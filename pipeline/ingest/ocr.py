"""OCR of one page image with Tesseract: text, word boxes and confidences in one run.

This is the one module that talks to Tesseract (through pytesseract); its failures become
IngestError with a one-line reason. Each page is recognised in a single Tesseract run that
writes both the plain text and the TSV of word boxes, because Tesseract's time is the cost
of a scanned report.

Before OCR a page is made grey and, when its lines slope, deskewed: the angle is the one
whose horizontal projection of the inked pixels has the sharpest peaks (lines and the gaps
between them line up). Binarising is available but off by default: Tesseract thresholds
the page itself, and a threshold of ours hurt more often than it helped (see BINARISE).
Word boxes are given in pixels of the image passed in, whatever the deskew did.

The figures in the comments below are character error rates (CER) and times measured on
the rendered pages of tests/fixtures with Tesseract 5.3 and `swe` on a 2-core machine.
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# TiffImagePlugin: pages are saved as TIFF. With its writer imported here (in the forkserver
# of a batch that may need Tesseract, forkserver.READERS), PIL need not import all of its
# forty-odd format plugins to find it when a worker saves its first page (0.04-0.06 s).
from PIL import Image, TiffImagePlugin  # noqa: F401

from models.document import PageContent, Word
from pipeline.imports import import_without
from pipeline.ingest._turn import affine_bilinear
from pipeline.ingest.errors import IngestError
from pipeline.options import Options

# Tesseract's OpenMP threads fight each other and the pipeline's worker processes: a
# 1541x720 page took 2.2-3.1 s with the default threads and 0.6 s with one, an A4 page at
# 300 dpi 13.5 s and 3.1 s (same text). A value set by the user wins.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# pytesseract loads pandas when it is installed, for nothing used here (pipeline/imports.py).
pytesseract = import_without("pytesseract", {"pandas": None})

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-swe"
# Skew search: pages are scanned within a few degrees of straight. A coarse pass over
# [-5, 5] degrees, then a fine pass around the best angle; 0.05 degrees moves the end of a
# 1000 px line by under a pixel.
SKEW_MAX_DEGREES = 5.0
SKEW_COARSE_STEP = 0.5
SKEW_FINE_STEP = 0.05
# Below this angle the page is not rotated: Tesseract reads lines this straight unharmed,
# while rotating costs time and resamples glyphs.
SKEW_MIN_DEGREES = 0.3
# Bilinear rotation also smooths scanner noise, and on noisy pages that is most of the
# deskew's gain: with PIL, turned 2.5 degrees with noise 35 it gave a CER of 0.00% against
# 2.64% for bicubic and 11.65% for nearest; at 3.5 degrees and noise 45, 7.03% against 100%;
# a noise-45 page turned only 0.3 degrees went from 100% to 3.96%. Straight pages are not
# smoothed: a 0.5 px Gaussian blur took a straight noise-35 page from 7.03% to 0.00% but
# costs 112 ms per A4 page and a character on small noisy text; it waits for real noisy
# scans among the samples to be judged on. turn() gives PIL's bilinear rotate pixel for
# pixel, faster. (OpenCV's warp, not pixel for pixel the same, moved Tesseract's output on
# the generated PDF scan about as much as turning it 0.002 degrees more or less does: CER
# 1.22 against 1.23%, WER 7.18 against 7.06%.)
# The skew is estimated on a copy whose longer side is at most this many pixels (an A4 page
# at 300 dpi is reduced 3x): lines stay apart and the search takes a few milliseconds.
SKEW_SAMPLE_SIDE = 1200
# Fewer dark pixels than this in the reduced copy is a blank page: no skew, no text height.
INK_MIN_PIXELS = 100
# A band of the ink profile thinner than this many rows is noise or a rule, not a text line.
TEXT_BAND_MIN_ROWS = 2
# Binarise with our own global Otsu threshold before OCR. Off, because Tesseract thresholds
# the grey page itself and ours hurt more than it helped. CER grey vs binarised (deskewed):
# 0.00 vs 0.00% on clean, grey-paper, JPEG and 1-bit pages; 11 px text 0.22 vs 0.88%, 13 px
# 0.00 vs 1.10%; turned 3.5 degrees with noise 35, 45, 55: 0.22 vs 1.10%, 7.03 vs 5.27%,
# 7.03 vs 11.21%; not deskewed, turned 2.5 degrees with noise 35: 7.47 vs 9.67%.
BINARISE = False
# Pages go to Tesseract as uncompressed TIFF: PNG at the default level took 1.1 s to write
# for a noisy A4 page at 300 dpi, TIFF 12 ms. No resolution is written, so Tesseract
# estimates it from the text: the same result as the true dpi on every test page, while a
# wrong one hurts (11 px text labelled 300 dpi: 12.97% with plain tesseract, 0.22% here).
TESSERACT_INPUT_FORMAT = "TIFF"
TSV_WORD_LEVEL = "5"
TSV_COLUMNS = 12


@functools.lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """Language data Tesseract has, as `tesseract --list-langs` shows it."""
    try:
        return frozenset(pytesseract.get_languages())
    except pytesseract.TesseractNotFoundError:
        raise IngestError(f"Tesseract is not installed: {INSTALL_HINT}") from None


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    """The installed Tesseract version, e.g. "5.3.0"."""
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError:
        raise IngestError(f"Tesseract is not installed: {INSTALL_HINT}") from None
    except SystemExit as exc:  # pytesseract exits on a version string it cannot parse
        raise IngestError(f"Tesseract is unusable: {exc}") from None


def check_languages(languages: str) -> None:
    """Raise IngestError unless every language of "swe+eng" is installed."""
    wanted = [code for code in languages.split("+") if code]
    if not wanted:
        raise IngestError("no OCR language given (e.g. ocr_languages='swe')")
    installed = installed_languages()
    for code in wanted:
        if code not in installed:
            shown = ", ".join(sorted(installed)) or "nothing"
            raise IngestError(
                f"Tesseract language data '{code}' is not installed "
                f"(tesseract --list-langs shows: {shown}); e.g. apt-get install tesseract-ocr-{code}"
            )


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best splits a 256-bin histogram into ink and paper (Otsu 1979)."""
    counts = np.asarray(histogram[:256], dtype=np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(counts)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(counts * levels)
    mean_dark = sum_dark / np.maximum(weight_dark, 1)
    mean_light = (sum_dark[-1] - sum_dark) / np.maximum(weight_light, 1)
    between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    return int(np.argmax(between))


def binarise(gray: Image.Image) -> Image.Image:
    """Black and white ("1" mode) at the Otsu threshold of a grey image."""
    threshold = otsu_threshold(gray.histogram())
    return gray.point([0] * (threshold + 1) + [255] * (255 - threshold), "1")


def sample_factor(gray: Image.Image) -> int:
    return max(1, math.ceil(max(gray.size) / SKEW_SAMPLE_SIDE))


def ink_coordinates(gray: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the dark pixels of a reduced copy, for the skew search."""
    factor = sample_factor(gray)
    sample = gray.reduce(factor) if factor > 1 else gray
    threshold = otsu_threshold(sample.histogram())
    return np.nonzero(np.asarray(sample) <= threshold)


def ink_profile(rows: np.ndarray, cols: np.ndarray, degrees: float) -> np.ndarray:
    """Ink per line sloping up by `degrees` to the right (the rows' profile when 0)."""
    shifted = np.rint(rows + cols * math.tan(math.radians(degrees))).astype(np.int64)
    return np.bincount(shifted - shifted.min()).astype(np.float64)


def skew_of_ink(rows: np.ndarray, cols: np.ndarray) -> float:
    """The angle whose profile has the sharpest peaks: coarse search, then a fine one."""

    def best(angles: np.ndarray) -> float:
        return float(max(angles, key=lambda a: float(np.sum(ink_profile(rows, cols, a) ** 2))))

    coarse = best(np.arange(-SKEW_MAX_DEGREES, SKEW_MAX_DEGREES + 1e-9, SKEW_COARSE_STEP))
    fine = np.arange(coarse - SKEW_COARSE_STEP, coarse + SKEW_COARSE_STEP + 1e-9, SKEW_FINE_STEP)
    return round(best(fine), 2)


def estimate_skew(gray: Image.Image) -> float:
    """Angle in degrees (counter-clockwise, as PIL's rotate) the text lines slope; 0 if no text."""
    rows, cols = ink_coordinates(gray)
    return skew_of_ink(rows, cols) if rows.size >= INK_MIN_PIXELS else 0.0


def text_height(gray: Image.Image) -> float | None:
    """Typical height in pixels of the dense core of the text lines (about the x-height).

    The rows of the straightened profile holding more ink than halfway between its 10th and
    90th percentile form one band per line; the median band is the answer. None without text.
    """
    rows, cols = ink_coordinates(gray)
    if rows.size < INK_MIN_PIXELS:
        return None
    profile = ink_profile(rows, cols, skew_of_ink(rows, cols))
    low, high = np.percentile(profile, [10, 90])
    edges = np.flatnonzero(np.diff(np.r_[0, (profile > (low + high) / 2).astype(np.int8), 0]))
    bands = edges[1::2] - edges[::2]
    bands = bands[bands >= TEXT_BAND_MIN_ROWS]
    return float(np.median(bands)) * sample_factor(gray) if bands.size else None


def deskew(gray: Image.Image) -> tuple[Image.Image, float]:
    """The page turned straight, and the angle it was turned back by (0 when left alone)."""
    angle = estimate_skew(gray)
    if abs(angle) < SKEW_MIN_DEGREES:
        return gray, 0.0
    return turn(gray, -angle), angle


def turn(gray: Image.Image, degrees: float) -> Image.Image:
    """gray.rotate(degrees, Image.Resampling.BILINEAR, expand=True, fillcolor=255), pixel for
    pixel, in 35-50 ms for an A4 page at 300 dpi against PIL's 85-105 ms (_turn.pyx).

    The matrix and canvas are worked out as PIL works them out (so unrotate_boxes maps boxes
    back alike), and the sampling is PIL's arithmetic compiled into one loop. Turns by a
    multiple of 90 degrees, which PIL makes by transposing, are left to PIL."""
    if gray.mode != "L" or degrees % 90.0 == 0.0:
        return gray.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    width, height = gray.size
    # PIL's inverse map (output pixel -> input point): a turn about the centre, on a canvas
    # grown to hold the turned corners.
    radians = -math.radians(degrees % 360.0)
    a, b = round(math.cos(radians), 15), round(math.sin(radians), 15)
    d, e = round(-math.sin(radians), 15), round(math.cos(radians), 15)
    c = a * -(width / 2) + b * -(height / 2) + width / 2
    f = d * -(width / 2) + e * -(height / 2) + height / 2
    box = ((0, 0), (width, 0), (width, height), (0, height))
    corners = [(a * x + b * y + c, d * x + e * y + f) for x, y in box]
    new_width = math.ceil(max(x for x, _ in corners)) - math.floor(min(x for x, _ in corners))
    new_height = math.ceil(max(y for _, y in corners)) - math.floor(min(y for _, y in corners))
    grow_x, grow_y = -(new_width - width) / 2.0, -(new_height - height) / 2.0
    c, f = a * grow_x + b * grow_y + c, d * grow_x + e * grow_y + f
    turned = Image.fromarray(affine_bilinear(np.asarray(gray), new_width, new_height, a, b, c, d, e, f, 255))
    turned.info = gray.info.copy()  # as PIL's (a TIFF page's compression is saved with it)
    return turned


def preprocess(image: Image.Image, binarise_page: bool = BINARISE) -> tuple[Image.Image, float]:
    """Grey, deskewed (and optionally binarised) copy of a page, with the skew angle found."""
    gray = image.convert("L")
    straight, angle = deskew(gray)
    return (binarise(straight) if binarise_page else straight), angle


def run_tesseract(image: Image.Image, options: Options, dpi: int | None = None) -> tuple[str, str]:
    """(plain text, TSV) of one Tesseract run over an image; `dpi` when it is known for sure."""
    with tempfile.TemporaryDirectory(prefix="finsam-ocr-") as folder:
        path = Path(folder) / "page.tif"
        image.save(path, format=TESSERACT_INPUT_FORMAT, **({"dpi": (dpi, dpi)} if dpi else {}))
        if options.ocr_starting is not None:
            options.ocr_starting()
        try:
            text, tsv = pytesseract.run_and_get_multiple_output(
                str(path), extensions=["txt", "tsv"], lang=options.ocr_languages, timeout=options.ocr_timeout
            )
        except pytesseract.TesseractNotFoundError:
            raise IngestError(f"Tesseract is not installed: {INSTALL_HINT}") from None
        except pytesseract.TesseractError as exc:
            message = " ".join(str(exc.message).split())[:300]
            raise IngestError(f"Tesseract failed (exit {exc.status}): {message}") from None
        except RuntimeError as exc:  # pytesseract's time-out; TesseractError is caught above
            if "timeout" not in str(exc):
                raise
            raise IngestError(f"OCR timed out after {options.ocr_timeout:g} s") from None
    return text, tsv


def parse_tsv(tsv: str) -> list[Word]:
    """Words of Tesseract's TSV: level-5 rows with a confidence (conf -1 marks a non-word)."""
    words = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t", TSV_COLUMNS - 1)
        if len(cells) < TSV_COLUMNS or cells[0] != TSV_WORD_LEVEL:
            continue
        confidence, text = float(cells[10]), cells[11].strip()
        if confidence < 0 or not text:
            continue
        left, top, width, height = (int(cell) for cell in cells[6:10])
        words.append(
            Word(
                text=unicodedata.normalize("NFC", text),
                confidence=round(min(confidence / 100, 1.0), 4),
                left=left,
                top=top,
                width=width,
                height=height,
            )
        )
    return words


def unrotate_boxes(
    words: list[Word], angle: float, turned: tuple[int, int], original: tuple[int, int]
) -> None:
    """Move boxes found on the deskewed page back onto the page as given (by their centres)."""
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    (turned_w, turned_h), (width, height) = turned, original
    for word in words:
        x = word.left + word.width / 2 - turned_w / 2
        y = word.top + word.height / 2 - turned_h / 2
        # The deskew turned the page clockwise by `angle`; turn the centre back.
        cx, cy = x * cos + y * sin + width / 2, -x * sin + y * cos + height / 2
        word.left = min(max(round(cx - word.width / 2), 0), max(width - word.width, 0))
        word.top = min(max(round(cy - word.height / 2), 0), max(height - word.height, 0))


def normalise_ocr_text(text: str) -> str:
    """NFC, no trailing spaces on a line, no form feed or blank lines at the end of the page."""
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).rstrip("\f").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def mean_confidence(words: list[Word]) -> float | None:
    return round(sum(w.confidence for w in words) / len(words), 4) if words else None


@dataclass
class Prepared:
    """A page image made ready for Tesseract (prepare_page), with what recognise needs to put
    the word boxes back on the image as given."""

    page: Image.Image
    angle: float  # the deskew's turn, 0 when none
    size: tuple[int, int]  # of the image as given
    seconds: float  # spent preparing


def prepare_page(image: Image.Image, options: Options) -> Prepared:
    """Grey and deskewed (options.ocr_preprocess), or only in a mode Tesseract reads.

    Separate from recognise so that a PDF's next page can be prepared while Tesseract reads
    this one (pdf.py)."""
    started = time.perf_counter()
    angle = 0.0
    if options.ocr_preprocess:
        page, angle = preprocess(image)
    else:
        page = image if image.mode in ("1", "L", "RGB") else image.convert("RGB")
    return Prepared(page, angle, image.size, time.perf_counter() - started)


def recognise(prepared: Prepared, options: Options, dpi: int | None = None) -> PageContent:
    """Tesseract's text, words and confidence of a prepared page; IngestError when it fails.
    `seconds` covers preparing and recognising."""
    started = time.perf_counter()
    check_languages(options.ocr_languages)
    text, tsv = run_tesseract(prepared.page, options, dpi)
    words = parse_tsv(tsv)
    if prepared.angle:
        unrotate_boxes(words, prepared.angle, prepared.page.size, prepared.size)
    return PageContent(
        text=normalise_ocr_text(text),
        source="ocr",
        confidence=mean_confidence(words),
        words=words,
        seconds=round(prepared.seconds + time.perf_counter() - started, 3),
    )


def ocr_page(image: Image.Image, options: Options, dpi: int | None = None) -> PageContent:
    """Text, words and confidence of one page image; IngestError when Tesseract fails.

    The image should be mode 1, L or RGB (image.py flattens transparency before); others
    are converted to RGB. `seconds` is the wall time of preprocessing and Tesseract.
    `dpi` is given only when it is certain (a PDF page rendered at a known resolution):
    without it Tesseract guesses from the text, which on a page of small table text of the
    generated scan lost most of the table (page CER 59.8% without, 2.3% with the true dpi).
    """
    return recognise(prepare_page(image, options), options, dpi)
