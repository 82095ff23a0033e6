"""Reader for scanned pages as image files: PNG, JPEG and TIFF (one page per TIFF frame).

Every frame is converted to a mode Tesseract reads well (grey, RGB or black and white) and
OCR'd on its own, so a page that fails (a time-out, a damaged frame) becomes a page with an
error while the others are kept; the caller then marks the document partial. A file that is
not an image at all fails as a whole. Word boxes are given in pixels of the file's frames.

Resolution metadata is often missing or wrong in archives (72 dpi written by the scanning
software for a 300 dpi scan), so it is not used to rescale. Only a frame whose text is too
small for Tesseract is enlarged, judged by the height of its text lines (SMALL_TEXT_CORE).
"""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from models.document import PageContent
from pipeline.ingest.errors import IngestError
from pipeline.ingest.ocr import check_languages, ocr_page, text_height
from pipeline.options import Options

# Formats read (PIL opens multi-picture camera JPEGs as JPEG too); anything else fails as
# unreadable rather than going through one of PIL's rarely used decoders.
IMAGE_FORMATS = ("PNG", "JPEG", "TIFF")
# A frame whose text lines have a core (about the x-height, see ocr.text_height) lower than
# this many pixels is enlarged UPSCALE_FACTOR times (bicubic) before OCR: 10 pt text on a
# page scanned at 72 dpi is 10 px high with a 5 px core. CER of the paragraph in
# tests/fixtures, 1x vs 2x, by font size (core): 8 px (4) 10.55 vs 2.86%, 9 px (5) 1.98 vs
# 0.22%, 10 px (5) 0.88 vs 0.22%; blurred and noisy 17.14 vs 2.20%, 2.20 vs 0.44%, 0.88 vs
# 0.44%. From 11 px (core 6) to 40 px it made no difference (0.00-0.22% either way), and on
# noisy scans with large text it hurt (0.00 vs 5.49% for 40 px text, noise 35), so the text
# size decides, not the image size or its often missing or wrong dpi.
SMALL_TEXT_CORE = 6
UPSCALE_FACTOR = 2
# A resolution written in the file is passed on to Tesseract only inside this range. Without
# one Tesseract guesses from the text, and on the generated 2-page TIFF (true 300 dpi in the
# file) the guess lost most of a page of small table text: CER 15.3% without the file's dpi,
# 6.1% with it. Outside the range the value is taken for the wrong 72 dpi that scanning
# software writes, and left out (a wrong value hurts more than none).
PLAUSIBLE_DPI = (150, 1200)
# 16-bit grey levels to 8 bits (65535 / 255).
SIXTEEN_TO_EIGHT_BITS = 257


def open_image(data: bytes) -> Image.Image:
    if not data:
        raise IngestError("empty file (0 bytes)")
    try:
        return Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except UnidentifiedImageError:
        raise IngestError("not a readable image: not a PNG, JPEG or TIFF file") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise IngestError(f"not a readable image: {exc}") from None


def flatten_alpha(frame: Image.Image) -> Image.Image:
    """Transparent parts become white paper, as they show on screen."""
    rgba = frame.convert("RGBA")
    page = Image.new("RGB", rgba.size, (255, 255, 255))
    page.paste(rgba, mask=rgba.getchannel("A"))
    return page


def high_bit_to_gray(frame: Image.Image) -> Image.Image:
    """16-bit and 32-bit grey to 8 bits (PIL's own conversion clips everything above 255)."""
    pixels = np.asarray(frame, dtype=np.float64)
    if frame.mode.startswith("I;16"):
        pixels = pixels / SIXTEEN_TO_EIGHT_BITS
    elif pixels.size and pixels.max() > 255:  # 32-bit levels of unknown range: stretch them
        low, high = pixels.min(), pixels.max()
        pixels = (pixels - low) * 255.0 / (high - low)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def to_ocr_mode(frame: Image.Image) -> Image.Image:
    """A copy of the frame in mode 1, L or RGB."""
    if frame.mode in ("1", "L", "RGB"):
        return frame.copy()
    if frame.mode in ("I", "F") or frame.mode.startswith("I;16"):
        return high_bit_to_gray(frame)
    if "A" in frame.getbands() or "transparency" in frame.info:
        return flatten_alpha(frame)
    return frame.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV


def upscale_factor(frame: Image.Image) -> int:
    core = text_height(frame.convert("L"))
    return UPSCALE_FACTOR if core is not None and core < SMALL_TEXT_CORE else 1


def scale_boxes(content: PageContent, factor: int) -> None:
    """Word boxes of an enlarged frame back in pixels of the frame in the file."""
    for word in content.words:
        word.left, word.top = word.left // factor, word.top // factor
        word.width, word.height = max(word.width // factor, 1), max(word.height // factor, 1)


def frame_dpi(frame: Image.Image) -> int | None:
    """The frame's resolution when the file states a plausible one, else None."""
    dpi = frame.info.get("dpi")
    try:
        value = round(float(dpi[0] if isinstance(dpi, tuple) else dpi))
    except (TypeError, ValueError, IndexError):
        return None
    return value if PLAUSIBLE_DPI[0] <= value <= PLAUSIBLE_DPI[1] else None


def ocr_frame(frame: Image.Image, options: Options) -> PageContent:
    """OCR one decoded frame; a failure becomes the page's error instead of an exception."""
    started = time.perf_counter()
    try:
        page = to_ocr_mode(frame)
        factor = upscale_factor(page)
        if factor > 1:
            page = page.convert("L") if page.mode == "1" else page  # "1" would resize blocky
            page = page.resize((page.width * factor, page.height * factor), Image.Resampling.BICUBIC)
        dpi = frame_dpi(frame)
        content = ocr_page(page, options, dpi=dpi * factor if dpi else None)
        scale_boxes(content, factor)
    except IngestError as exc:
        content = PageContent(text="", source="ocr", error=str(exc))
    content.seconds = round(time.perf_counter() - started, 3)
    return content


def read_image(data: bytes, options: Options) -> list[PageContent]:
    """One PageContent per frame of an image file; IngestError if it is no readable image."""
    image = open_image(data)
    check_languages(options.ocr_languages)  # a missing language fails the file, not each page
    pages = []
    frames = ImageSequence.Iterator(image)
    while True:
        try:
            frame = next(frames)
            frame.load()
        except StopIteration:
            break
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            if not pages:
                raise IngestError(f"not a readable image: {exc}") from None
            pages.append(PageContent(text="", source="ocr", error=f"not a readable image: {exc}"))
            break  # the frames after a damaged one cannot be found reliably
        pages.append(ocr_frame(frame, options))
    return pages
