"""The report's plots, drawn offline with matplotlib and inlined as SVG.

SVG keeps the page one self-contained file that stays sharp when zoomed or printed. Text
is left as SVG text (not glyph outlines) so it is small, searchable and drawn in the
page's font; ids get a per-plot prefix so several plots can share one page; the hash salt
is fixed so the same dataset gives the same file.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

STATUS_COLOURS = {"ok": "#2e7d32", "partial": "#ef8f00", "failed": "#c62828"}
BAR_COLOUR = "#3b6ea5"
DOUBT_COLOUR = "#e07b00"
GRID_COLOUR = "#d9dde3"
# Plot geometry in inches: the width matches the page's column, each bar adds a row.
WIDTH = 8.0
ROW_HEIGHT = 0.26
MARGIN_HEIGHT = 0.9
# Documents drawn per-document plot; the rest are in the documents table below it.
MAX_BARS = 40
LABEL_CHARS = 46
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "finsam-report",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.edgecolor": "#9aa3ad",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
SVG_ID = re.compile(r'(id="|url\(#|href="#)([^")]+)')


def short(label: str) -> str:
    """Cut a long label in the middle, where file names differ least."""
    if len(label) <= LABEL_CHARS:
        return label
    half = (LABEL_CHARS - 1) // 2
    return f"{label[:half]}…{label[-half:]}"


def to_svg(figure: Figure, name: str, title: str) -> str:
    """The figure as an inline <svg> element with its ids prefixed and a title for screen readers."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = SVG_ID.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", svg)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg class="plot" id="plot-{name}" role="img" aria-label="{label}" ', 1)


def new_figure(rows: int) -> tuple[Figure, object]:
    with matplotlib.rc_context(RC):
        # At least three rows high, so one or two bars do not become slabs.
        figure = Figure(figsize=(WIDTH, MARGIN_HEIGHT + ROW_HEIGHT * max(rows, 3)))
        axes = figure.add_subplot()
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.tick_params(axis="y", length=0)
    return figure, axes


def fit_rows(axes, rows: int) -> None:
    """Keep a bar one row high however few bars there are (centred in the figure's rows)."""
    spare = (max(rows, 3) - rows) / 2
    axes.set_ylim(-0.5 - spare, rows - 0.5 + spare)


def message_plot(name: str, title: str, message: str) -> str:
    """A small plot saying why there is nothing to draw (still an SVG, so the layout holds)."""
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(WIDTH, 0.6))
        figure.text(0.5, 0.5, message, ha="center", va="center", color="#555555")
    return to_svg(figure, name, title)


def status_by_type(counts: dict[str, dict[str, int]]) -> str:
    """Stacked bars: documents of each type, coloured by status."""
    title = "Documents by type and status"
    if not counts:
        return message_plot("types", title, "No documents")
    types = sorted(counts, key=lambda t: (-sum(counts[t].values()), t))[::-1]
    figure, axes = new_figure(len(types))
    left = [0] * len(types)
    places = range(len(types))
    axes.set_yticks(places, types)
    for status, colour in STATUS_COLOURS.items():
        values = [counts[t].get(status, 0) for t in types]
        bars = axes.barh(places, values, left=left, color=colour, label=status, height=0.62)
        axes.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", color="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    fit_rows(axes, len(types))
    axes.set_xlabel("documents")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(ncols=3, loc="lower right", bbox_to_anchor=(1, 1), frameon=False)
    return to_svg(figure, "types", title)


def ocr_confidence(labels: list[str], values: list[float], threshold: float) -> str:
    """Mean OCR word confidence per OCR'd document, lowest first; below `threshold` in orange."""
    title = "OCR confidence per document"
    if not values:
        return message_plot("ocr", title, "No document was OCR'd (text layers, Word and text files only)")
    pairs = sorted(zip(values, labels, strict=True))[:MAX_BARS][::-1]
    figure, axes = new_figure(len(pairs))
    colours = [DOUBT_COLOUR if v < threshold else BAR_COLOUR for v, _ in pairs]
    places = range(len(pairs))
    axes.set_yticks(places, [short(label) for _, label in pairs])
    bars = axes.barh(places, [v for v, _ in pairs], color=colours, height=0.62)
    axes.bar_label(bars, labels=[f"{v:.2f}" for v, _ in pairs], padding=3, fontsize=8)
    axes.axvline(threshold, color="#555555", linestyle="--", linewidth=0.8)
    axes.set_xlim(0, 1.08)
    fit_rows(axes, len(pairs))
    axes.set_xlabel(f"mean OCR word confidence (dashed: {threshold:.2f})")
    return to_svg(figure, "ocr", title)


def correction_rate(labels: list[str], sure: list[float], doubtful: list[float], threshold: float) -> str:
    """Corrections per 1,000 characters of each corrected document, most first; the doubtful
    part in orange. Documents without a rate (NaN) are left out."""
    title = "OCR corrections per 1,000 characters"
    rows = [row for row in zip(sure, doubtful, labels, strict=True) if row[0] + row[1] > 0]
    if not rows:
        return message_plot("corrections", title, "The cleaner changed nothing")
    rows = sorted(rows, key=lambda r: (-(r[0] + r[1]), r[2]))[:MAX_BARS][::-1]
    figure, axes = new_figure(len(rows))
    names = range(len(rows))  # positions, not labels: two documents may share a label
    axes.set_yticks(names, [short(label) for _, _, label in rows])
    axes.barh(
        names, [s for s, _, _ in rows], color=BAR_COLOUR, height=0.62, label=f"confidence ≥ {threshold}"
    )
    bars = axes.barh(
        names,
        [d for _, d, _ in rows],
        left=[s for s, _, _ in rows],
        color=DOUBT_COLOUR,
        height=0.62,
        label=f"confidence < {threshold} (to review)",
    )
    axes.bar_label(bars, labels=[f"{s + d:.1f}" for s, d, _ in rows], padding=3, fontsize=8)
    axes.set_xlim(0, max(s + d for s, d, _ in rows) * 1.12)
    fit_rows(axes, len(rows))
    axes.set_xlabel("corrections per 1,000 characters")
    axes.legend(ncols=2, loc="lower right", bbox_to_anchor=(1, 1), frameon=False)
    return to_svg(figure, "corrections", title)
