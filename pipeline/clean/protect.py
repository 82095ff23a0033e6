"""What the corrector must not touch, and what it must flag instead of guessing.

Numbers are never corrected: a wrong digit in an amount is worse than a visible OCR error.
A number whose digit groups cannot be a Swedish amount (`3 75,1 000`: a decimal comma
followed by a thousands group; `.,1 792 000 kronor`: marks glued in front) is reported as a
warning naming its page, and left exactly as read. Tokens that are not words at all
(addresses, markup, acronyms, numbers) are classified in tokens.py; this module judges how
much a word that is not in the dictionary looks like a name or like OCR debris.
"""

from __future__ import annotations

import re

from pipeline.clean.tokens import Token

# A space-grouped number with a decimal comma before another group: `3 75,1 000`.
COMMA_INSIDE_GROUPS = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{1,3})*,\d{1,3}(?: \d{3})+(?![\d,])")
# Marks glued to the front of a grouped amount in a money context: `.,1 792 000 kronor`.
MARKS_BEFORE_AMOUNT = re.compile(r"(?<!\S)[.,;:]{1,2}\d{1,3}(?: \d{3})+(?= ?(?:kr|kronor|tkr|SEK)\b)")
# Characters that do not occur inside a Swedish word but do inside OCR debris.
DEBRIS = re.compile(r"[^\w\-]|\d|_")
STROKE_INITIALS = "Il|1!"


def doubtful_amounts(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each number that cannot be read as an amount as it stands."""
    found = {m.start(): m.group() for m in COMMA_INSIDE_GROUPS.finditer(text)}
    for match in MARKS_BEFORE_AMOUNT.finditer(text):
        found.setdefault(match.start(), match.group())
    return sorted(found.items())


def has_debris(text: str) -> bool:
    """Marks or digits inside a word (`olil<a`, `s),fte`), or capitals after small letters."""
    if DEBRIS.search(text):
        return True
    if text[1:].islower():
        return False  # no capital after the first letter (most words)
    return any(a.islower() and b.isupper() for a, b in zip(text, text[1:], strict=False))


def looks_like_name(token: Token) -> bool:
    """A capitalised, clean word in mid-sentence: more likely a name than damage."""
    text = token.text
    return (
        not token.sentence_start
        and text[:1].isupper()
        and text[0] not in STROKE_INITIALS
        and text[1:].islower()
        and text.isalpha()
    )
