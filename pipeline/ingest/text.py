"""Reader for plain text and markdown: decode, normalise, and find page breaks.

Archives hold UTF-8 files next to cp1252/latin-1 ones from older Windows machines, so the
encoding is detected rather than assumed. Exported OCR text rarely keeps form feeds;
converted scans mark a page break with a run of blank lines instead, so both count.
"""

from __future__ import annotations

import re
import unicodedata

from charset_normalizer import from_bytes

from models.document import Page
from pipeline.ingest.errors import IngestError

# A page break: a form feed, or three or more blank lines in a row (how the converted
# scans among the samples mark them; ordinary paragraphs are separated by one).
PAGE_BREAK = re.compile(r"\f|\n(?:[ \t\u00a0]*\n){3,}")
# More than this share of control characters means the bytes are not text.
MAX_CONTROL_SHARE = 0.01
# Control characters (Unicode category Cc: U+0000-U+001F and U+007F-U+009F, a range Unicode
# never changes) other than tab, newline, form feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
SNIFF_BYTES = 65536


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name); raise IngestError for empty or binary content."""
    if not data:
        raise IngestError("empty file (0 bytes)")
    if b"\x00" in data[:SNIFF_BYTES]:
        raise IngestError("not a text file: binary content (NUL bytes)")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "utf_16"]).best()
        if best is None:
            raise IngestError("not a text file: no text encoding fits its bytes") from None
        text, encoding = str(best), best.encoding
    controls = len(CONTROL.findall(text))
    if text and controls / len(text) > MAX_CONTROL_SHARE:
        raise IngestError(f"not a text file: {controls} control characters (binary content)")
    return text, encoding


def normalise_text(text: str) -> str:
    """Unix newlines and composed characters (å as one code point), so offsets are stable."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def split_pages(text: str) -> list[Page]:
    """Pages as offset spans of the text; a break's blank lines belong to the earlier page."""
    pages, start = [], 0
    for match in PAGE_BREAK.finditer(text):
        pages.append(Page(number=len(pages) + 1, start=start, end=match.end(), source="text"))
        start = match.end()
    pages.append(Page(number=len(pages) + 1, start=start, end=len(text), source="text"))
    return pages


def read_text(data: bytes) -> tuple[str, list[Page]]:
    text, _ = decode_bytes(data)
    text = normalise_text(text)
    if not text.strip():
        raise IngestError("no text: the file holds only whitespace")
    return text, split_pages(text)
