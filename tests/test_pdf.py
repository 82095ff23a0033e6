"""PDF reading: text layers, tables as cells, per-page OCR decisions, broken files."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from models.document import Document
from pipeline import ingest
from pipeline.ingest.errors import IngestError
from pipeline.ingest.pdf import read_pdf, render_page, scanned_image, text_layer_problem
from pipeline.options import Options
from tests.conftest import DELARSRAPPORT, SLUTRAPPORTER

COST_ROWS = [
    ["Kostnadsslag", "Budget", "Utfall"],
    ["Lönekostnader", "746 671 kr", "746 671 kr"],
    ["Lokalkostnader", "97 541 kr", "97 541 kr"],
    ["Summa", "844 212 kr", "844 212 kr"],
]
PROSE = "Samordningsförbundet Härnösand Timrå har beviljat medel till insatsen under året."


def make_pdf(path, pages: list[list]) -> None:
    """A born-digital PDF; each page a list of paragraphs (str) and tables (list of rows)."""
    styles = getSampleStyleSheet()
    story = []
    for number, page in enumerate(pages):
        if number:
            story.append(PageBreak())
        for block in page:
            if isinstance(block, str):
                story.append(Paragraph(block, styles["Normal"]))
            else:
                table = Table(block)
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
                story.append(table)
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)


def ingest_path(path) -> Document:
    return ingest.run(Document(source_file=str(path)), Options())


def test_text_layer_and_ruled_table_arrive_as_text_and_cells(tmp_path):
    path = tmp_path / "rapport.pdf"
    make_pdf(path, [["6. Ekonomisk rapport", PROSE, COST_ROWS, "7. Underskrifter"]])
    (page,) = read_pdf(path.read_bytes(), Options())
    assert page.source == "pdf_text" and page.confidence is None
    assert page.tables == [COST_ROWS]
    lines = page.text.splitlines()
    # Reading order kept: heading, prose, the table as tab-separated rows, then the next heading.
    assert lines[0] == "6. Ekonomisk rapport" and lines[-1] == "7. Underskrifter"
    assert "Lönekostnader\t746 671 kr\t746 671 kr" in lines
    assert lines.index("Kostnadsslag\tBudget\tUtfall") < lines.index("Summa\t844 212 kr\t844 212 kr")


def test_pages_are_joined_with_form_feeds_and_start_on_a_new_line(tmp_path):
    path = tmp_path / "tva-sidor.pdf"
    make_pdf(path, [[PROSE], ["6. Ekonomisk rapport", PROSE]])
    doc = ingest_path(path)
    assert doc.status == "ok" and doc.text_source == "pdf_text" and len(doc.pages) == 2
    second = doc.raw_text[doc.pages[1].start : doc.pages[1].end]
    assert doc.raw_text[doc.pages[1].start - 2 : doc.pages[1].start] == "\f\n"
    assert second.startswith("6. Ekonomisk rapport")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no text layer"),
        ("12", "no text layer"),
        (PROSE * 3, None),
        (SLUTRAPPORTER.read_text(encoding="utf-8")[:3000], None),
        (DELARSRAPPORT.read_text(encoding="utf-8")[:3000], "known words"),
        ("\ue000\ue001\ue002 " * 40, "junk characters"),
    ],
)
def test_text_layer_quality(text, problem):
    found = text_layer_problem(text)
    assert found is None if problem is None else problem in found


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n%%EOF", "not a readable PDF"),
        (b"this is not a pdf at all", "not a readable PDF"),
    ],
)
def test_broken_pdf_bytes_fail_with_a_reason(data, reason):
    with pytest.raises(IngestError, match=reason):
        read_pdf(data, Options())


def test_pages_to_ocr_are_prepared_one_ahead_in_a_thread_of_their_own():
    # The next page is rendered and deskewed while Tesseract reads this one: read_ahead makes
    # each item in a background thread, keeps the order and passes an error on.
    import threading

    from pipeline.ingest.pdf import read_ahead

    made_in, taken = [], []

    def pages():
        for number in range(4):
            made_in.append((number, threading.current_thread().name, list(taken)))
            yield number

    for number in read_ahead(pages()):
        taken.append(number)
    assert taken == [0, 1, 2, 3]
    assert all(name.startswith("finsam-render") for _, name, _ in made_in)
    # page 2 was made while page 1 was being worked on, before the caller took it
    assert made_in[2][2] in ([0], [0, 1])

    def broken():
        yield 0
        raise ValueError("damaged page")

    with pytest.raises(ValueError, match="damaged page"):
        list(read_ahead(broken()))


def test_fanned_out_pages_go_costliest_first_and_come_back_in_order():
    # Pages of one file fanned out over lanes start with the largest scans (the longest for
    # Tesseract), so that no lane idles long at the end; the file keeps its page order.
    from pipeline.ingest.pdf import ocr_cost, ocr_pages

    document = pdfium.PdfDocument.new()
    heights = [400, 1000, 200, 700]
    for height in heights:
        document.import_pages(pdfium.PdfDocument(image_pdf(scan_image(size=(600, height)))))
    costs = [ocr_cost(document, index) for index in range(len(heights))]
    assert costs == [600 * height for height in heights]  # uncompressed grey: a byte a pixel
    taken = []

    def page_map(fn, items):
        # what the fan-out gets, in the order it gets it; a page's height stands for its text
        for prepared, problem, _ in items:
            assert problem is None
            taken.append(prepared.size[1])
            yield prepared.size[1]

    options = Options(page_map=page_map)
    assert ocr_pages(document, [0, 1, 2, 3], options) == heights
    assert taken == [1000, 700, 400, 200]
    assert ocr_pages(document, [2, 0], options) == [200, 400]
    assert taken[4:] == [400, 200]
    # A page without a scan (a drawn page whose text layer is bad) has no measure: first.
    document.new_page(144, 192)
    assert ocr_pages(document, [0, 4], options) == [400, 800]
    assert taken[6:] == [800, 400]


# --- scanned pages: the stored image instead of a rendering


def image_pdf(
    image: Image.Image,
    dpi: int = 300,
    image_keys: str = "",
    place: tuple[float, float, float, float] | None = None,
    page_keys: str = "",
    more_content: bytes = b"",
) -> bytes:
    """A one-page PDF holding `image` (L, RGB or 1) uncompressed, as a scanner writes one:
    by default filling a page of the image's size at `dpi`. `image_keys` and `page_keys` add
    entries to the image's and the page's dictionary, `place` (x, y, width, height in points)
    moves it, `more_content` is drawn after it."""
    width, height = image.width * 72 / dpi, image.height * 72 / dpi
    x, y, w, h = place or (0, 0, width, height)
    space, bits = {"L": ("/DeviceGray", 8), "RGB": ("/DeviceRGB", 8), "1": ("/DeviceGray", 1)}[image.mode]
    data = image.tobytes()
    content = f"q {w:.4f} 0 0 {h:.4f} {x:.4f} {y:.4f} cm /Im0 Do Q\n".encode() + more_content
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.4f} {height:.4f}] {page_keys}"
        " /Resources << /XObject << /Im0 5 0 R >> /Font << /F1 6 0 R >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height}"
        f" /ColorSpace {space} /BitsPerComponent {bits} {image_keys}"
        f" /Length {len(data)} >>\nstream\n".encode()
        + data
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def scan_image(mode: str = "L", size: tuple[int, int] = (600, 800)) -> Image.Image:
    """A page-like image with dark strokes on light paper, and a grey band: by default a page
    of 144 x 192 points at 300 dpi, which PDFium renders at 300 dpi to exactly that size
    (many sizes come out a pixel larger: see the rounded-size test)."""
    image = Image.new("L", size, 235)
    draw = ImageDraw.Draw(image)
    for top in range(40, size[1] - 40, 30):
        draw.text((30, top), "Samordningsförbundet Härnösand 746 671 kr", fill=20)
    draw.rectangle((50, 60, 200, 120), fill=128)
    if mode == "RGB":
        green, blue = image.point(lambda v: v * 3 // 4), image.point(lambda v: 255 - v // 4)
        image = Image.merge("RGB", (image, green, blue))
    return image.convert(mode) if mode != "RGB" else image


def pixels_of(data: bytes, dpi: int = 300) -> tuple[np.ndarray, np.ndarray, bool]:
    """(render_page's pixels, PDFium's rendering's pixels, whether the stored image was used)."""
    document = pdfium.PdfDocument(data)
    page = document[0]
    rendered = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), dtype=int)
    used = scanned_image(page, dpi) is not None
    page.close()
    return np.asarray(render_page(document, 0, dpi), dtype=int), rendered, used


@pytest.mark.parametrize("mode", ["L", "1"])
def test_a_grey_or_fax_scan_is_decoded_to_exactly_the_pixels_rendering_gives(mode):
    got, rendered, used = pixels_of(image_pdf(scan_image(mode)))
    assert used
    assert got.shape == rendered.shape == (800, 600)
    assert (got == rendered).all()


def test_a_scan_whose_page_size_was_rounded_is_used_as_stored_not_resampled():
    # 840 px at 300 dpi is 201.6 points, which PDFium holds as 201.600006: rendered at 300
    # dpi the page is 841 px high and the whole scan is resampled to fill it.
    image = scan_image("L", (600, 840))
    got, rendered, used = pixels_of(image_pdf(image))
    assert used
    assert rendered.shape == (841, 600)
    assert (got == np.asarray(image, dtype=int)).all()


def test_a_colour_scan_is_decoded_to_within_two_grey_levels_of_rendering():
    # PDFium turns colour grey with integer weights (30, 59, 11 per cent), PIL with ITU-R 601.
    got, rendered, used = pixels_of(image_pdf(scan_image("RGB")))
    assert used
    assert got.shape == rendered.shape
    assert np.abs(got - rendered).max() <= 2
    assert got.std() > 20  # a real page, not a blank one


@pytest.mark.parametrize(
    "pdf_keys",
    [
        {"image_keys": "/Decode [1 0]"},  # stored inverted
        {"page_keys": "/Rotate 90"},
        {"place": (10, 10, 130, 190)},  # placed inside the page, not filling it
        {"more_content": b"BT /F1 12 Tf 20 20 Td (Dnr 2021/14) Tj ET\n"},  # a stamp on the scan
        {"more_content": b"BT 3 Tr /F1 12 Tf 20 20 Td (Dnr 2021/14) Tj ET\n"},  # an old OCR layer
        {"more_content": b"0 0 m 100 100 l S\n"},  # a line drawn over the scan
    ],
    ids=["decode", "rotate", "placed", "stamped", "ocr-layer", "drawn"],
)
def test_a_scan_is_decoded_only_where_rendering_would_draw_the_same(pdf_keys):
    got, rendered, used = pixels_of(image_pdf(scan_image("L"), **pdf_keys))
    # PDFium applies /Decode when it decodes too; invisible text (3 Tr) draws nothing.
    assert used == ("image_keys" in pdf_keys or b" 3 Tr " in pdf_keys.get("more_content", b""))
    assert got.shape == rendered.shape and (got == rendered).all()


@pytest.mark.parametrize("dpi", [200, 400])
def test_a_scan_at_another_resolution_is_rendered_at_the_ocr_resolution(dpi):
    got, rendered, used = pixels_of(image_pdf(scan_image("L"), dpi=dpi))
    assert not used
    assert got.shape == rendered.shape and (got == rendered).all()
    assert abs(got.shape[1] - 600 * 300 / dpi) <= 1


def test_a_scan_pdfium_cannot_describe_is_rendered(monkeypatch):
    from pipeline.ingest import pdf

    def failing(page, dpi):
        raise pdfium.PdfiumError("cannot get the image's metadata")

    data = image_pdf(scan_image("L"))
    _, rendered, used = pixels_of(data)
    assert used
    monkeypatch.setattr(pdf, "scanned_image", failing)
    got = np.asarray(render_page(pdfium.PdfDocument(data), 0, 300), dtype=int)
    assert got.shape == rendered.shape and (got == rendered).all()
