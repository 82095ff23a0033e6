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
    suffix carries COMPOUNDBEGIN, COMPOUNDMIDDLE or COMPOUNDEND; the entries of the
    COMPOUNDRULE patterns (numbers and a few others) may stand anywhere; the restrictions
    hunspell adds on top (COMPOUNDPERMITFLAG, ONLYINCOMPOUND, COMPOUNDWORDMAX, the CHECK*
    rules, FORBIDDENWORD) only reject more and are left out;
  - parts have COMPOUNDMIN letters at least, and with SIMPLIFIEDTRIPLE a part ending in a
    double letter may share it with the next (`glass` + `skål` = `glasskål`);
  - case is folded on both sides, and strings with anything but letters are always asked
    (hunspell breaks words at BREAK characters and reads numbers itself).
"""

from __future__ import annotations

import re
from pathlib import Path

# The roles, as bits of the value stored per form.
BEGIN, MIDDLE, END, ALONE = 1, 2, 4, 8
ROLE_FLAGS = (("COMPOUNDBEGIN", BEGIN), ("COMPOUNDMIDDLE", MIDDLE), ("COMPOUNDEND", END))
# Directives that would change what hunspell reads as a form or a compound in ways the
# filter does not model. (Those it ignores only make hunspell reject more, or concern
# suggestions: COMPOUNDPERMITFLAG, ONLYINCOMPOUND, COMPOUNDWORDMAX, CHECKCOMPOUND*,
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
# A suffix rule: (strip, add, condition on the entry's end, continuation flags).
Rule = tuple[str, str, "re.Pattern | None", str]


class FormsError(Exception):
    """The hunspell files use something the filter does not model."""


def parse_aff(text: str) -> tuple[dict[str, list[Rule]], dict[str, int], int]:
    """(suffix rules by flag, role bits by flag, COMPOUNDMIN) of a .aff file."""
    rules: dict[str, list[Rule]] = {}
    roles: dict[str, int] = {}
    rule_flags: set[str] = set()
    compound_min = 3  # hunspell's default
    counted = False
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
    return rules, roles, compound_min


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


def word_forms(dic: Path, aff: Path) -> tuple[dict[str, int], int]:
    """(every form (lowercase) the dictionary makes -> the roles it may take (bits), the
    fewest letters of a compound's part)."""
    rules, roles, compound_min = parse_aff(aff.read_text(encoding="utf-8"))
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
                forms[form] = forms.get(form, 0) | own | role_of(continuation, roles)
    return forms, compound_min
