"""OCR with the real Tesseract on rendered pages whose text is known (tests/fixtures).

The character error rate (CER) is the Levenshtein distance between the OCR text and the
known text, both with whitespace collapsed, divided by the length of the known text.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from models.document import PageContent, Word
from pipeline.ingest import ocr
from pipeline.ingest.errors import IngestError
from pipeline.ingest.image import read_image, to_ocr_mode, upscale_factor
from pipeline.options import Options
from tests.fixtures.make_fixtures import (
    PARAGRAPH,
    degrade,
    paragraph_lines,
    render_text,
    to_bytes,
)

LINES = paragraph_lines()
SCAN_ANGLE = 2.5


def cer(text: str, expected: str = PARAGRAPH) -> float:
    expected = " ".join(expected.split())
    return Levenshtein.distance(" ".join(text.split()), expected) / len(expected)


def assert_boxes_inside(words: list[Word], image: Image.Image) -> None:
    assert words
    for word in words:
        assert word.left >= 0 and word.top >= 0 and word.width > 0 and word.height > 0
        assert word.left + word.width <= image.width and word.top + word.height <= image.height


def centre(word: Word) -> tuple[float, float]:
    return word.left + word.width / 2, word.top + word.height / 2


@pytest.fixture(scope="module")
def clean_page() -> Image.Image:
    return render_text(LINES)


@pytest.fixture(scope="module")
def scanned_page(clean_page) -> Image.Image:
    """Rotated 2.5 degrees, blurred and noisy: plain Tesseract misreads about 7% of it."""
    return degrade(clean_page, angle=SCAN_ANGLE, blur=1.5, noise=35)


@pytest.fixture(scope="module")
def clean_ocr(clean_page) -> PageContent:
    return ocr.ocr_page(clean_page, Options())


# --- Tesseract on real pages ---


def test_clean_paragraph_is_read_nearly_exactly(clean_page, clean_ocr):
    page = clean_ocr
    assert page.source == "ocr" and page.error is None
    assert cer(page.text) < 0.03, page.text
    assert "746 671 kr" in page.text and "Härnösand" in page.text
    assert 0.5 < page.confidence <= 1
    assert all(0 <= word.confidence <= 1 for word in page.words)
    assert_boxes_inside(page.words, clean_page)
    assert " ".join(w.text for w in page.words) == " ".join(page.text.split())
    assert page.seconds > 0


@pytest.mark.slow
def test_skewed_noisy_scan_is_deskewed_and_no_worse_than_plain_tesseract(clean_page, clean_ocr, scanned_page):
    assert ocr.estimate_skew(scanned_page) == pytest.approx(SCAN_ANGLE, abs=0.5)
    prepared = ocr.ocr_page(scanned_page, Options())
    plain = ocr.ocr_page(scanned_page, Options(ocr_preprocess=False))
    assert cer(prepared.text) < 0.03, prepared.text
    assert cer(prepared.text) <= cer(plain.text)
    # Boxes are in pixels of the image passed in: each word's centre is where the skew moved
    # that word of the clean page (PIL turns about the centre and grows the canvas).
    assert_boxes_inside(prepared.words, scanned_page)
    turn = math.radians(SCAN_ANGLE)
    (width, height), (turned_width, turned_height) = clean_page.size, scanned_page.size
    shifts = []
    for word, clean_word in zip(prepared.words, clean_ocr.words, strict=False):
        if word.text == clean_word.text:
            x, y = centre(clean_word)
            x, y = x - width / 2, y - height / 2
            expected = (
                x * math.cos(turn) + y * math.sin(turn) + turned_width / 2,
                -x * math.sin(turn) + y * math.cos(turn) + turned_height / 2,
            )
            shifts.append(math.dist(centre(word), expected))
    assert len(shifts) > 50
    # Tesseract's own boxes vary by a few pixels (one word box here is 16 px off, its width
    # read as 16 px instead of 44); a wrong mapping would put words 15 to 40 px off.
    assert statistics.median(shifts) < 3
    assert sum(shift < 8 for shift in shifts) >= 0.9 * len(shifts)


def test_multi_page_tiff_gives_one_page_per_frame_in_order():
    first, second = render_text(LINES[:2]), render_text(LINES[4:6])
    pages = read_image(to_bytes([first, second]), Options())
    assert len(pages) == 2
    assert cer(pages[0].text, " ".join(LINES[:2])) < 0.03
    assert cer(pages[1].text, " ".join(LINES[4:6])) < 0.03
    assert all(p.error is None and p.source == "ocr" for p in pages)


def test_damaged_later_frame_keeps_the_pages_before_it():
    data = to_bytes([render_text(LINES[:1]), render_text(LINES[1:2])])
    pages = read_image(data[:-200], Options())
    assert len(pages) == 2
    assert pages[0].error is None and cer(pages[0].text, LINES[0]) < 0.03
    assert pages[1].text == "" and pages[1].error.startswith("not a readable image: image file is truncated")


def test_small_image_is_enlarged_and_boxes_are_in_file_pixels():
    small = render_text(LINES, font_size=10, dpi=72)  # 10 pt text scanned at 72 dpi
    assert upscale_factor(small) == 2
    pages = read_image(to_bytes([small]), Options())
    assert cer(pages[0].text) < 0.03, pages[0].text
    assert_boxes_inside(pages[0].words, small)


def test_time_out_fails_each_page_and_the_file_goes_on(clean_page):
    options = Options(ocr_timeout=0.001)
    with pytest.raises(IngestError, match=r"OCR timed out after 0\.001 s"):
        ocr.ocr_page(clean_page, options)
    pages = read_image(to_bytes([clean_page, clean_page]), options)
    assert [p.text for p in pages] == ["", ""]
    assert all("timed out" in p.error and p.source == "ocr" for p in pages)


# --- clear errors ---


def test_empty_file_fails_clearly():
    with pytest.raises(IngestError, match=r"^empty file \(0 bytes\)$"):
        read_image(b"", Options())


@pytest.mark.parametrize(
    "data",
    [to_bytes([render_text(LINES[:1])])[:400], b"%PDF-1.7 not an image", b"\x89PNG\r\n\x1a\n"],
    ids=["truncated-png", "not-an-image", "png-signature-only"],
)
def test_unreadable_image_fails_clearly(data):
    with pytest.raises(IngestError, match=r"^not a readable image: \S"):
        read_image(data, Options())


@pytest.mark.parametrize("languages", ["xyz", "swe+xyz"])
def test_missing_language_fails_clearly(clean_page, languages):
    message = r"Tesseract language data 'xyz' is not installed \(tesseract --list-langs shows: .*swe"
    with pytest.raises(IngestError, match=message):
        ocr.ocr_page(clean_page, Options(ocr_languages=languages))
    with pytest.raises(IngestError, match=message):
        read_image(to_bytes([clean_page]), Options(ocr_languages=languages))


def test_missing_tesseract_fails_clearly(clean_page, monkeypatch):
    monkeypatch.setattr(ocr.pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr.installed_languages.cache_clear()
    try:
        with pytest.raises(IngestError, match=r"^Tesseract is not installed: apt-get install tesseract-ocr"):
            ocr.ocr_page(clean_page, Options())
        with pytest.raises(IngestError, match=r"^Tesseract is not installed"):
            ocr.run_tesseract(clean_page, Options())
    finally:
        ocr.installed_languages.cache_clear()


def test_version_and_languages():
    assert ocr.tesseract_version().split(".")[0].isdigit()
    assert {"swe", "eng"} <= ocr.installed_languages()


# --- preprocessing, without Tesseract ---


@pytest.mark.parametrize("angle", [-4.2, -1.0, -0.4, 0.0, 0.7, 2.5, 4.8])
def test_skew_angle_is_found(clean_page, angle):
    assert ocr.estimate_skew(degrade(clean_page, angle=angle, noise=20, blur=1.0)) == pytest.approx(
        angle, abs=0.2
    )


@pytest.mark.parametrize(("font_size", "core"), [(8, 4), (10, 5), (14, 8), (40, 22)])
def test_text_height_is_the_core_of_the_lines(font_size, core):
    page = render_text(LINES, font_size=font_size)
    assert ocr.text_height(page) == pytest.approx(core, abs=1)
    assert ocr.text_height(degrade(page, angle=2, noise=35, blur=1.0)) == pytest.approx(core, abs=1.5)
    assert upscale_factor(page) == (2 if font_size <= 10 else 1)


@pytest.mark.parametrize("angle", [-4.8, -1.45, -0.3, 0.31, 1.05, 3.3, 7.0, 45.0, 90.0, 179.3])
@pytest.mark.parametrize("size", [(1200, 1700), (1241, 1754), (999, 1001)])
def test_turn_is_pils_bilinear_rotate_pixel_for_pixel(clean_page, angle, size):
    page = degrade(clean_page.resize(size), angle=0.0, noise=30, blur=1.0)
    page.info.update(dpi=(300, 300), compression="jpeg")  # as a frame of a scanned TIFF has
    pil = page.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    ours = ocr.turn(page, angle)
    assert ours.size == pil.size and ours.mode == "L" and ours.info == pil.info == page.info
    assert np.array_equal(np.asarray(ours), np.asarray(pil))


def test_turn_matches_pil_on_small_random_images_at_random_angles():
    # Sizes of a few pixels put most samples at the edges, where PIL clips and fills.
    rng = np.random.default_rng(7)
    for _ in range(400):
        width, height = (int(n) for n in rng.integers(1, 40, 2))
        image = Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8))
        angle = float(rng.uniform(-30, 30))
        pil = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
        assert np.array_equal(np.asarray(ocr.turn(image, angle)), np.asarray(pil)), (width, height, angle)


def test_blank_page_has_no_skew_and_no_text_height():
    blank = Image.new("L", (400, 300), 255)
    assert ocr.estimate_skew(blank) == 0 and ocr.text_height(blank) is None
    assert upscale_factor(blank) == 1


def test_straight_and_bilevel_pages_go_through_unharmed(clean_page):
    bilevel = clean_page.point(lambda v: 255 if v > 128 else 0).convert("1")
    for page in (clean_page, bilevel):
        prepared, angle = ocr.preprocess(page)
        assert angle == 0 and prepared.size == page.size
        assert np.array_equal(np.asarray(prepared), np.asarray(page.convert("L")))


def test_otsu_threshold_splits_ink_from_paper(clean_page):
    histogram = [0] * 256
    histogram[40], histogram[60], histogram[200], histogram[230] = 10, 20, 300, 200
    assert 60 <= ocr.otsu_threshold(histogram) < 200
    binary = ocr.binarise(clean_page)
    assert binary.mode == "1" and binary.size == clean_page.size


def test_tsv_words_skip_non_words_and_keep_boxes():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t800\t600\t-1\t\n"
        "4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t120\t40\t96.5\tFörbundet\n"
        "5\t1\t1\t1\t1\t2\t140\t20\t30\t40\t-1\t \n"
        "5\t1\t1\t1\t1\t3\t180\t22\t90\t38\t45.25\t746\n"
    )
    words = ocr.parse_tsv(tsv)
    assert [(w.text, w.confidence, w.left, w.top, w.width, w.height) for w in words] == [
        ("Förbundet", 0.965, 10, 20, 120, 40),
        ("746", 0.4525, 180, 22, 90, 38),
    ]
    assert ocr.mean_confidence(words) == pytest.approx((0.965 + 0.4525) / 2, abs=1e-4)
    assert ocr.mean_confidence([]) is None


def test_ocr_text_is_normalised():
    assert ocr.normalise_ocr_text("Ha\u0308rno\u0308sand  \n746 671 kr \n\n\f") == "Härnösand\n746 671 kr\n"
    assert ocr.normalise_ocr_text(" \n\f") == ""


def test_image_modes_become_grey_or_rgb():
    transparent = Image.new("RGBA", (20, 10), (0, 0, 0, 0))  # black, but fully transparent
    transparent.putpixel((5, 5), (0, 0, 0, 255))
    flat = to_ocr_mode(transparent)
    assert (
        flat.mode == "RGB" and flat.getpixel((0, 0)) == (255, 255, 255) and flat.getpixel((5, 5)) == (0, 0, 0)
    )
    sixteen = Image.fromarray(np.array([[0, 32896, 65535]], dtype=np.uint16))
    assert sixteen.mode.startswith("I;16")
    assert np.asarray(to_ocr_mode(sixteen)).tolist() == [[0, 128, 255]]
    assert to_ocr_mode(Image.new("CMYK", (4, 4))).mode == "RGB"
    assert to_ocr_mode(Image.new("P", (4, 4))).mode == "RGB"
    assert to_ocr_mode(Image.new("1", (4, 4))).mode == "1"
