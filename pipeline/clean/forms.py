"""Every word form hunspell-sv's dictionary makes, with the parts of a compound it may be.

Asking hunspell about a string it rejects costs 50-100 µs, most of it trying every split of
a would-be compound, and the cleaner asks about thousands such strings in mangled text (the
channel search builds compounds out of dictionary words; 93% are rejected). Most can be
ruled out far more cheaply, and soundly: hunspell accepts a word only as one form of a
dictionary entry, or as a compound of such forms whose first part may begin a compound,
whose middle parts may stand in the middle and whose last part may end one. So the forms
are listed once here (when the index is built), each with those three roles, and a string
that is neither a form nor a chain of forms in their roles (_search.pyx's Forms) is
not a word: hunspell need not be asked. A string that passes is still asked.

What makes this a superset of what hunspell accepts, for sv_SE (checked by the tests on
every word of the lexicon and on compounds hunspell accepts):
  - the .aff has suffixes only, one level deep (their continuation flags are compound
    flags), so a form is an entry with one or no suffix; conditions, strip and FULLSTRIP
    are applied as hunspell applies them;
  - a form may begin, stand in the middle of or end a compound when its entry or its
    suffix carries COMPOUNDBEGIN, COMPOUNDMIDDLE or COMPOUNDEND, but a form with a suffix
    begins or stands in the middle of one only when the suffix carries COMPOUNDPERMITFLAG
    (hunspell allows suffixes at the end of a compound only, unless permitted: `kommunerna`
    + `landstinget` is no word); the entries of the COMPOUNDRULE patterns (numbers and a
    few others) may stand anywhere; the restrictions hunspell adds on top (ONLYINCOMPOUND,
    COMPOUNDWORDMAX, the CHECK* rules, FORBIDDENWORD) only reject more and are left out;
  - parts have COMPOUNDMIN letters at least, and with SIMPLIFIEDTRIPLE a part ending in a
    double letter may share it with the next (`glass` + `skål` = `glasskål`);
  - case is folded on both sides;
  - a string with other characters than letters is held against the forms as a whole and,
    split at each BREAK pattern inside it, part by part (may_be_read), as hunspell splits
    it; read_apart() leaves to hunspell what it reads in ways of its own (numbers, trailing
    full stops, blanks, the typographic apostrophe, a BREAK pattern at an end). OCR debris
    (`l(ommun`, `s\\,årt`, `psyl{rska`, `Psyki:rtridagarna`) is then ruled out without
    asking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The roles, as bits of the value stored per form.
BEGIN, MIDDLE, END, ALONE = 1, 2, 4, 8
ROLE_FLAGS = (("COMPOUNDBEGIN", BEGIN), ("COMPOUNDMIDDLE", MIDDLE), ("COMPOUNDEND", END))
# Directives that would change what hunspell reads as a form or a compound in ways the
# filter does not model. (Those it ignores only make hunspell reject more, or concern
# suggestions: ONLYINCOMPOUND, COMPOUNDWORDMAX, CHECKCOMPOUND*,
# FORBIDDENWORD, NEEDAFFIX, FORCEUCASE, REP, MAP, TRY.)
UNSUPPORTED = {
    "PFX",
    "COMPOUNDFLAG",
    "ICONV",
    "OCONV",
    "IGNORE",
    "FLAG",
    "AF",
    "CIRCUMFIX",
    "COMPOUNDSYLLABLE",
}
# hunspell's BREAK patterns when the .aff sets none.
DEFAULT_BREAKS = ("-", "^-", "-$")
# A string with more BREAK patterns in it than this is left to hunspell (which rejects one
# with ten or more, if it is no word as a whole).
MAX_BREAKS = 8
# A suffix rule: (strip, add, condition on the entry's end, continuation flags).
Rule = tuple[str, str, "re.Pattern | None", str]


class FormsError(Exception):
    """The hunspell files use something the filter does not model."""


@dataclass(frozen=True)
class Affixes:
    """What the filter takes from a .aff file."""

    rules: dict[str, list[Rule]]  # suffix rules by flag
    roles: dict[str, int]  # role bits by flag
    compound_min: int  # COMPOUNDMIN
    permit: str | None  # COMPOUNDPERMITFLAG
    breaks: tuple[str, ...]  # BREAK patterns


def parse_aff(text: str) -> Affixes:
    """What the filter takes from the text of a .aff file."""
    rules: dict[str, list[Rule]] = {}
    roles: dict[str, int] = {}
    rule_flags: set[str] = set()
    compound_min = 3  # hunspell's default
    permit = None
    breaks: list[str] = []
    counted = breaks_counted = False
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        directive = fields[0]
        if directive in UNSUPPORTED:
            raise FormsError(f"the .aff uses {directive}, which the compound filter does not model")
        if directive == "SFX" and len(fields) >= 5:
            flag, strip, add, condition = fields[1], fields[2], fields[3], fields[4]
            add, _, continuation = add.partition("/")
            pattern = None if condition == "." else re.compile(f"(?:{condition})$")
            rules.setdefault(flag, []).append(
                ("" if strip == "0" else strip, "" if add == "0" else add, pattern, continuation)
            )
        elif directive == "COMPOUNDMIN":
            compound_min = int(fields[1])
        elif directive == "COMPOUNDPERMITFLAG":
            permit = fields[1]
        elif directive == "BREAK" and len(fields) == 2:
            if breaks_counted:  # the first line gives the number of patterns
                breaks.append(fields[1])
            breaks_counted = True
        elif directive == "COMPOUNDRULE" and len(fields) == 2:
            if counted:  # the first line gives the number of rules; a rule may be digits (47)
                rule_flags |= set(fields[1]) - set("*?")  # one-letter flags: `)` is one
            counted = True
        for name, bit in ROLE_FLAGS:
            if directive == name:
                roles[fields[1]] = roles.get(fields[1], 0) | bit
    for flag in rule_flags:
        if flag not in roles:  # a pattern's own flags: such an entry may stand anywhere
            roles[flag] = BEGIN | MIDDLE | END
    return Affixes(rules, roles, compound_min, permit, tuple(breaks) if breaks_counted else DEFAULT_BREAKS)


def read_apart(lower: str, breaks: tuple[str, ...]) -> bool:
    """Might hunspell read this string otherwise than as one word (or compound) of its forms,
    or as such words joined at its BREAK patterns (may_be_read)?

    It reads a string with digits as a number, drops trailing full stops and surrounding
    blanks, turns the typographic apostrophe into `'`, and splits at a BREAK pattern
    anchored to an end (`^` and `$`). Such strings, and one that begins or ends with a
    pattern that is not anchored, are left to it.
    """
    if lower.endswith(".") or "’" in lower or any(ch.isdigit() or ch.isspace() for ch in lower):
        return True
    for pattern in breaks:
        text = pattern.removeprefix("^").removesuffix("$")
        if not text:
            continue
        if pattern.startswith("^") or pattern.endswith("$"):
            if lower.startswith(text) if pattern.startswith("^") else lower.endswith(text):
                return True
        elif lower.startswith(text) or lower.endswith(text):
            return True
    return False


def break_points(lower: str, breaks: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of a BREAK pattern that is not anchored, inside the
    string (read_apart leaves one at an end to hunspell)."""
    points = []
    for pattern in breaks:
        if pattern.startswith("^") or pattern.endswith("$") or not pattern:
            continue
        at = lower.find(pattern, 1)
        while 0 < at < len(lower) - len(pattern):
            points.append((at, at + len(pattern)))
            at = lower.find(pattern, at + 1)
    return points


def may_be_read(lower: str, possible: Callable[[str], bool], breaks: tuple[str, ...]) -> bool:
    """Could hunspell accept this lowercase string, given `possible` (Forms.possible)?

    Hunspell accepts a string as a word or compound of its forms, or, failing that, splits it
    at a BREAK pattern and accepts it when it accepts both parts (recursively: `kommun:s`,
    `kommun-landsting`). It splits at one occurrence of its choosing; here any occurrence
    whose two parts could both be accepted will do, so nothing it accepts is ruled out.
    What it reads in ways of its own (read_apart) is left to it. Splitting here rather than
    leaving every string with a `:` or `-` to hunspell spares it OCR debris such as
    `Psyki:rtridagarna`, which it takes 0.1-0.3 ms to reject.
    """
    return readable(lower, possible, breaks, {})


def readable(
    text: str, possible: Callable[[str], bool], breaks: tuple[str, ...], known: dict[str, bool]
) -> bool:
    """may_be_read of one part; `known` holds the parts decided so far, which other splits
    meet again (`a:b:c`). Plain recursion rather than two nested functions that call each
    other: those make a reference cycle per call that only the garbage collector frees
    (457 calls, 4,570 objects, on one pass over the mangled delårsrapport)."""
    found = known.get(text)
    if found is None:
        found = known[text] = (
            read_apart(text, breaks) or possible(text) or split_readable(text, possible, breaks, known)
        )
    return found


def split_readable(
    text: str, possible: Callable[[str], bool], breaks: tuple[str, ...], known: dict[str, bool]
) -> bool:
    points = break_points(text, breaks)
    if len(points) > MAX_BREAKS:
        return True  # hunspell gives up on these itself: not worth modelling
    return any(
        readable(text[:start], possible, breaks, known) and readable(text[end:], possible, breaks, known)
        for start, end in points
    )


def role_of(flags: str, roles: dict[str, int]) -> int:
    bits = 0
    for flag in flags:
        bits |= roles.get(flag, 0)
    return bits


def entries(text: str) -> list[tuple[str, str]]:
    """(word, flags) of each line of a .dic file (the first line is the count)."""
    found = []
    for line in text.splitlines()[1:]:
        word, slash, rest = line.partition("/")
        flags = rest.split()[0] if slash and rest.split() else ""
        if not slash:
            word = line.split("\t")[0].rstrip()
        if word:
            found.append((word, flags))
    return found


def word_forms(dic: Path, aff: Path) -> tuple[dict[str, int], int, tuple[str, ...]]:
    """(every form (lowercase) the dictionary makes -> the roles it may take (bits), the
    fewest letters of a compound's part, the BREAK patterns)."""
    affixes = parse_aff(aff.read_text(encoding="utf-8"))
    rules, roles, permit = affixes.rules, affixes.roles, affixes.permit
    forms: dict[str, int] = {}
    for word, flags in entries(dic.read_text(encoding="utf-8")):
        lower = word.lower()
        own = role_of(flags, roles) | ALONE
        forms[lower] = forms.get(lower, 0) | own
        for flag in flags:
            for strip, add, condition, continuation in rules.get(flag, ()):
                if strip and not lower.endswith(strip):
                    continue
                if condition is not None and not condition.search(lower):
                    continue
                form = lower[: len(lower) - len(strip)] + add
                bits = own | role_of(continuation, roles)
                if permit is None or permit not in continuation:
                    bits &= ~(BEGIN | MIDDLE)  # a suffix ends a compound unless permitted
                forms[form] = forms.get(form, 0) | bits
    return forms, affixes.compound_min, affixes.breaks
