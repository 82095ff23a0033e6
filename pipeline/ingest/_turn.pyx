# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""PIL's bilinear affine transform of a grey image, compiled into one loop: the same pixels
Image.transform(..., Transform.AFFINE, ..., Resampling.BILINEAR) gives, in 35-50 ms for an
A4 page at 300 dpi against PIL's 85-105 ms.

PIL (libImaging/Geometry.c: ImagingGenericTransform with affine_transform and
bilinear_filter8) maps each output pixel through two function pointers and tests and clips
every sample. This is that arithmetic written out, expression for expression and in the
same order, so the results are bit for bit PIL's (tests/test_ocr.py checks that on noisy
pages and random images, at many angles and sizes): Tesseract sees exactly the page it saw
before, and its output does not move. The pixels of a row whose sample and neighbours lie
inside the source, nearly all of them, take a loop without tests or clips.
(A faster warp that is not bit-identical, OpenCV's, moved Tesseract's output on the sample
scans about as much as turning them 0.002 degrees more or less does: by chance, for better
or worse.)
"""

import numpy as np

# Grey levels and their differences as doubles, looked up rather than converted in the
# loop (the same exact values: every int of this size is a double).
cdef double LEVEL[256]
cdef double STEP[511]
for _level in range(256):
    LEVEL[_level] = _level
for _step in range(511):
    STEP[_step] = _step - 255



def affine_bilinear(
    const unsigned char[:, ::1] source,
    int width,
    int height,
    double a0,
    double a1,
    double a2,
    double a3,
    double a4,
    double a5,
    unsigned char fill,
):
    """Output pixel (x, y), width x height, samples the source at (a0 x' + a1 y' + a2,
    a3 x' + a4 y' + a5) with x' = x + 0.5, y' = y + 0.5; points outside the source get
    `fill`. As PIL: bilinear between the four nearest pixels (clamped at the edges), cut
    towards zero to a grey level."""
    cdef int source_height = source.shape[0], source_width = source.shape[1]
    cdef int x, y, ix, iy, first, stop
    cdef double yin, xx, yy, dx, dy, v1, v2, across_x, across_y
    cdef const unsigned char* upper
    cdef const unsigned char* lower
    cdef const unsigned char* pixels
    cdef unsigned char* out
    cdef unsigned char[:, ::1] out_view
    result = np.full((height, width), fill, dtype=np.uint8)
    if height == 0 or width == 0 or source_height == 0 or source_width == 0:
        return result
    out_view = result
    out = &out_view[0, 0]
    pixels = &source[0, 0]
    # a0 * xin and a3 * xin for every column: the same products for every row.
    cdef double[::1] along_x = np.empty(width, dtype=np.float64)
    cdef double[::1] along_y = np.empty(width, dtype=np.float64)
    for x in range(width):
        along_x[x] = a0 * (x + 0.5)
        along_y[x] = a3 * (x + 0.5)
    with nogil:
        for y in range(height):
            yin = y + 0.5
            across_x = a1 * yin
            across_y = a4 * yin
            first, stop = inside(a0, across_x, a2, a3, across_y, a5, width, source_width, source_height)
            for x in range(first):
                full_pixel(out, y, x, width, pixels, source_width, source_height, a0, across_x, a2, a3, across_y, a5)
            for x in range(first, stop):
                # The sample and its right and lower neighbours lie inside the source here (no
                # test, no clamp, a cut is a floor): full_pixel's arithmetic for such points,
                # in a loop without branches.
                xx = along_x[x] + across_x + a2
                yy = along_y[x] + across_y + a5
                xx -= 0.5
                yy -= 0.5
                ix = <int>xx
                iy = <int>yy
                dx = xx - ix
                dy = yy - iy
                upper = pixels + <Py_ssize_t>iy * source_width
                lower = upper + source_width
                v1 = LEVEL[upper[ix]] + STEP[<int>upper[ix + 1] - <int>upper[ix] + 255] * dx
                v2 = LEVEL[lower[ix]] + STEP[<int>lower[ix + 1] - <int>lower[ix] + 255] * dx
                out[<Py_ssize_t>y * width + x] = <unsigned char>(v1 + (v2 - v1) * dy)
            for x in range(stop, width):
                full_pixel(out, y, x, width, pixels, source_width, source_height, a0, across_x, a2, a3, across_y, a5)
    return result


cdef inline void full_pixel(
    unsigned char* out, int y, int x, int width, const unsigned char* pixels, int source_width,
    int source_height, double a0, double across_x, double a2, double a3, double across_y, double a5,
) noexcept nogil:
    """One output pixel as PIL makes it, wherever its sample falls."""
    cdef double xin = x + 0.5
    # affine_transform: a0 * xin + a1 * yin + a2, summed left to right
    cdef double xx = a0 * xin + across_x + a2
    cdef double yy = a3 * xin + across_y + a5
    cdef int ix, iy, x0, x1, row
    cdef double dx, dy, v1, v2
    cdef const unsigned char* line
    # BILINEAR_HEAD
    if xx < 0.0 or xx >= source_width or yy < 0.0 or yy >= source_height:
        return  # left as the fill
    xx -= 0.5
    yy -= 0.5
    ix = <int>xx  # floor: xx >= -0.5 here, and a cut rounds up below zero
    if xx < ix:
        ix -= 1
    iy = <int>yy
    if yy < iy:
        iy -= 1
    dx = xx - ix
    dy = yy - iy
    # BILINEAR_BODY, with XCLIP and YCLIP
    row = 0 if iy < 0 else (iy if iy < source_height else source_height - 1)
    x0 = 0 if ix < 0 else (ix if ix < source_width else source_width - 1)
    x1 = 0 if ix + 1 < 0 else (ix + 1 if ix + 1 < source_width else source_width - 1)
    line = pixels + <Py_ssize_t>row * source_width
    v1 = line[x0] + (<int>line[x1] - <int>line[x0]) * dx
    if iy + 1 >= 0 and iy + 1 < source_height:
        line = pixels + <Py_ssize_t>(iy + 1) * source_width
        v2 = line[x0] + (<int>line[x1] - <int>line[x0]) * dx
    else:
        v2 = v1
    v1 = v1 + (v2 - v1) * dy
    out[<Py_ssize_t>y * width + x] = <unsigned char>v1


cdef inline bint simple(
    int x, double a0, double across_x, double a2, double a3, double across_y, double a5,
    int source_width, int source_height,
) noexcept nogil:
    """Whether output pixel x of a row samples at least half a pixel inside the source, so
    that its right and lower neighbours are inside too (computed as the pixel loop does)."""
    cdef double xin = x + 0.5
    cdef double xx = a0 * xin + across_x + a2
    cdef double yy = a3 * xin + across_y + a5
    return 0.5 <= xx < source_width - 0.5 and 0.5 <= yy < source_height - 0.5


cdef inline bint narrow(double slope, double offset, int limit, double* low, double* high) noexcept nogil:
    """Narrow [low, high) to the x whose coordinate slope * (x + 0.5) + offset lies in
    [0.5, limit - 0.5); False when none does."""
    if slope > 0.0:
        low[0] = max(low[0], (0.5 - offset) / slope - 0.5)
        high[0] = min(high[0], (limit - 0.5 - offset) / slope - 0.5)
    elif slope < 0.0:
        low[0] = max(low[0], (limit - 0.5 - offset) / slope - 0.5)
        high[0] = min(high[0], (0.5 - offset) / slope - 0.5)
    elif not 0.5 <= offset < limit - 0.5:
        return False
    return True


cdef (int, int) inside(
    double a0, double across_x, double a2, double a3, double across_y, double a5,
    int width, int source_width, int source_height,
) noexcept nogil:
    """The pixels [first, stop) of a row that simple() holds for. The sample moves along a
    straight line as x grows, so they are one run: found from the line's equations, a
    little inside them, and its ends then checked (and moved in) with simple() itself."""
    cdef double low = 0.0, high = width
    if not narrow(a0, across_x + a2, source_width, &low, &high):
        return 0, 0
    if not narrow(a3, across_y + a5, source_height, &low, &high):
        return 0, 0
    if high - low < 8.0:
        return 0, 0
    cdef int first = <int>low + 2, stop = <int>high - 2
    while first < stop and not simple(first, a0, across_x, a2, a3, across_y, a5, source_width, source_height):
        first += 1
    while stop > first and not simple(stop - 1, a0, across_x, a2, a3, across_y, a5, source_width, source_height):
        stop -= 1
    if stop <= first:
        return 0, 0
    return first, stop
