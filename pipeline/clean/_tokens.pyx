# cython: language_level=3, boundscheck=False, wraparound=False
"""tokens.py's scans of a text, compiled: split_tokens' chunks, gaps, cores and sentence
starts, and token_fixes' search for the cores it has fixes for.

Splitting is the one step of cleaning that memoised readings do not make cheaper: every
character of every text is looked at, and in Python each chunk cost a regular-expression
match, a dozen string operations and three calls. Here the text is walked once, character
by character; what only unusual chunks need (the kind of a chunk that is not all letters,
the parts of a word with a slash or a hyphen) is left to tokens.py, which passes those
functions and its tables in. They are transcriptions: tests/test_clean_tokens.py compares
them with the Python scans (tests/reference_tokens.py) on every text of the samples and on
random ones.
"""


cdef inline bint acronym(str chunk):
    # tokens.ACRONYM, ^[A-ZÅÄÖ]{2,}s?$, on a chunk of letters only.
    cdef Py_ssize_t n = len(chunk), k = 0
    cdef Py_UCS4 c
    while k < n:
        c = chunk[k]
        if not (0x41 <= c <= 0x5A or c == 0xC5 or c == 0xC4 or c == 0xD6):  # A-Z, Å, Ä, Ö
            break
        k += 1
    if k == n - 1 and chunk[n - 1] == 0x73:  # a final s
        return k >= 2
    return k == n and k >= 2


cdef inline bint letters_only(str text, Py_ssize_t start, Py_ssize_t end):
    cdef Py_ssize_t k
    cdef Py_UCS4 c
    for k in range(start, end):
        c = text[k]
        if not c.isalpha():
            return False
    return True


def split(
    str text,
    token_class,
    kind_of,
    add_parts,
    str leading,
    str trailing,
    str closers,
    str sentence_marks,
):
    """The tokens of `text` as tokens.split_tokens makes them, before its stroke check."""
    cdef list out = []
    cdef Py_ssize_t n = len(text), i = 0, chunk_start, chunk_end, start, end, k
    cdef Py_ssize_t newlines
    cdef bint first = True, sentence_start = True, feed, hyphen_after
    cdef Py_UCS4 c
    cdef str gap, core, chunk, kind
    while i < n:
        newlines = 0
        feed = False
        while i < n:
            c = text[i]
            if not c.isspace():
                break
            if c == "\n":
                newlines += 1
            elif c == "\f":
                feed = True
            i += 1
        if i == n:
            break
        chunk_start = i
        while i < n and not text[i].isspace():
            i += 1
        chunk_end = i
        if first:
            gap, first = "start", False
        elif feed or newlines >= 2:
            gap, sentence_start = "break", True
        elif newlines:
            gap = "newline"
        else:
            gap = "space"
        # the core: the chunk without the marks that wrap it
        start, end = chunk_start, chunk_end
        while start < end and text[start] in leading:
            start += 1
        while end > start and (text[end - 1] in trailing or text[end - 1] == "-"):
            end -= 1
        if end > start:
            core = text[start:end]
            if start == chunk_start and end == chunk_end and letters_only(text, start, end):
                kind = "protected" if acronym(core) else "word"  # tokens.kind_of, most chunks
            else:
                chunk = text[chunk_start:chunk_end]
                kind = kind_of(core, chunk)
            hyphen_after = end < chunk_end and text[end] == "-"
            if kind == "word" and ("/" in core or "-" in core):
                add_parts(out, core, start, gap, sentence_start, hyphen_after)
            else:
                out.append(token_class(start, end, core, gap, sentence_start, kind, hyphen_after))
        # A sentence ends with a sentence mark, perhaps followed by closing marks.
        k = chunk_end - 1
        if text[k] in closers:
            while k >= chunk_start and text[k] in closers:
                k -= 1
        sentence_start = k >= chunk_start and text[k] in sentence_marks
    return out


def cores(str text, str edge, dict wanted):
    """(start, end, core) of each run of non-space characters whose core (the run without the
    `edge` characters around it) is a key of `wanted`, in order: token_fixes' scan."""
    cdef list found = []
    cdef Py_ssize_t n = len(text), i = 0, start, end
    cdef str core
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        start = i
        while i < n and not text[i].isspace():
            i += 1
        end = i
        while start < end and text[start] in edge:
            start += 1
        while end > start and text[end - 1] in edge:
            end -= 1
        if end > start:
            core = text[start:end]
            if core in wanted:
                found.append((start, end, core))
    return found
