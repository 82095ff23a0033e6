"""PDFium's page objects as pdfplumber sees them: ruling edges, image boxes, text objects.

pdf_layer.py reads a page's text from PDFium's text page; what pdfplumber takes from the
page's drawing objects comes from here. Paths become pdfplumber's line, rect and curve
objects the way pdfminer classifies them (its paint_path), in pdfplumber's coordinates (x
from the left, `top`/`bottom` measured down from the top), so pdfplumber's own table finder
can run on their edges; images give the boxes of the scan check; text objects are listed
for the blank ones PDFium's text page leaves out. Form XObjects are looked into, as
pypdfium2's get_objects does.

PDFium functions are called through plain(): with plain addresses (ints) for page objects,
which pypdfium2's ctypes pointer objects cost more to make than the calls themselves.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber import utils as plumber_utils

FORM_DEPTH = 15  # as pypdfium2's get_objects

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def plain(function, restype, *argtypes):
    """A PDFium function from pypdfium2's bindings that takes and returns page objects, fonts
    and the like as plain addresses (ints): the bindings' ctypes pointer objects cost more
    to make than the call, and an address can key a dict."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


def handle(address: int):
    """A plain address back as the pointer pypdfium2's bindings take."""
    return ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)


_page_object = plain(pdfium_c.FPDFPage_GetObject, ctypes.c_void_p, pdfium_c.FPDF_PAGE, ctypes.c_int)
_form_object = plain(pdfium_c.FPDFFormObj_GetObject, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong)
_object_type = plain(pdfium_c.FPDFPageObj_GetType, ctypes.c_int, ctypes.c_void_p)


@dataclass
class PageObjects:
    lines: list[dict] = field(default_factory=list)
    rects: list[dict] = field(default_factory=list)
    curves: list[dict] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)
    texts: list[tuple[int, Matrix]] = field(default_factory=list)  # text objects, matrix

    @property
    def edges(self) -> list[dict]:
        """As pdfplumber's Page.edges: lines, then rectangle edges, then curve pieces."""
        return (
            [plumber_utils.line_to_edge(line) for line in self.lines]
            + [edge for rect in self.rects for edge in plumber_utils.rect_to_edges(rect)]
            + [edge for curve in self.curves for edge in plumber_utils.curve_to_edges(curve)]
        )


def multiply(first: Matrix, then: Matrix) -> Matrix:
    """The matrix applying `first`, then `then` (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def object_matrix(obj) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        raise pdfium.PdfiumError("cannot read an object's matrix")
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def object_bounds(obj) -> tuple[float, float, float, float]:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        raise pdfium.PdfiumError("cannot read an object's bounds")
    return left.value, bottom.value, right.value, top.value


def box_to_page(bounds: tuple[float, float, float, float], m: Matrix, page_top: float) -> Box:
    """A box in an object's space as pdfplumber's (x0, top, x1, bottom) on the page."""
    left, bottom, right, top = bounds
    corners = [apply(m, x, y) for x in (left, right) for y in (bottom, top)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return min(xs), page_top - max(ys), max(xs), page_top - min(ys)


def subpaths(path, m: Matrix, page_top: float) -> list[tuple[str, list[tuple[float, float]]]]:
    """A path as pdfminer sees it: per subpath the operator string ("mlllh", "mc"...) and
    one point per operator (a curve's end point; for "h" the subpath's start), on the page."""
    out: list[tuple[str, list[tuple[float, float]]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier = 0
    for i in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, i)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        px, py = apply(m, x.value, y.value)
        point = (px, page_top - py)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not out:
            out.append(("m", [point]))
            bezier = 0
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            bezier += 1  # PDFium keeps both control points and the end point of a curve
            if bezier % 3:
                continue
            out[-1] = (out[-1][0] + "c", out[-1][1] + [point])
        else:
            out[-1] = (out[-1][0] + "l", out[-1][1] + [point])
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            # PDFium closes a subpath by drawing back to its start and flagging that point;
            # pdfminer has an "h" there instead (and drops such a redundant last line).
            shape, points = out[-1]
            if shape.endswith("l") and len(shape) > 2 and points[-1] == points[0]:
                out[-1] = (shape[:-1] + "h", points)
            else:
                out[-1] = (shape + "h", points + [points[0]])
    return out


def line_object(p0, p1) -> dict:
    x0, x1 = sorted((p0[0], p1[0]))
    top, bottom = sorted((p0[1], p1[1]))
    return {
        "object_type": "line",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def rect_object(p0, p2, page_top: float) -> dict:
    rect = line_object(p0, p2)
    rect.update(object_type="rect", y0=page_top - rect["bottom"], y1=page_top - rect["top"])
    return rect


def curve_object(points) -> dict:
    curve = line_object(
        (min(p[0] for p in points), min(p[1] for p in points)),
        (max(p[0] for p in points), max(p[1] for p in points)),
    )
    curve.update(object_type="curve", pts=points)
    return curve


def add_path(found: PageObjects, path, m: Matrix, page_top: float) -> None:
    """Sort a path's subpaths into lines, rectangles and curves as pdfminer's paint_path."""
    for shape, pts in subpaths(path, m, page_top):
        if shape in ("ml", "mlh"):
            found.lines.append(line_object(pts[0], pts[1]))
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            )
            if pts[0] == pts[4] and square:
                found.rects.append(rect_object(pts[0], pts[2], page_top))
            else:
                found.curves.append(curve_object(pts))
        elif len(shape) > 1:
            found.curves.append(curve_object(pts))


def collect_objects(found: PageObjects, objects, m: Matrix, page_top: float, depth: int = 0) -> None:
    """Sort page objects (plain addresses) into `found`, looking into form objects."""
    for obj in objects:
        kind = _object_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            found.texts.append((obj, m))
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            path = handle(obj)
            add_path(found, path, multiply(object_matrix(path), m), page_top)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            found.images.append(box_to_page(object_bounds(handle(obj)), m, page_top))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < FORM_DEPTH - 1:
            form = handle(obj)
            inner = (_form_object(obj, i) for i in range(pdfium_c.FPDFFormObj_CountObjects(form)))
            collect_objects(found, inner, multiply(object_matrix(form), m), page_top, depth + 1)


def page_objects(page: pdfium.PdfPage, page_top: float) -> PageObjects:
    found = PageObjects()
    raw = page.raw
    collect_objects(
        found, (_page_object(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))), IDENTITY, page_top
    )
    return found
