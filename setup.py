"""Build the compiled parts; everything else is in pyproject.toml.

Two kinds:
  - written for Cython: the cleaner's search, lattice and token scan (pipeline/clean/_search.pyx,
    _lattice.pyx, _tokens.pyx) and the deskew's turn (pipeline/ingest/_turn.pyx);
  - plain Python modules compiled as they are (SOURCE_MODULES): the corrector's work per
    token, a loop of small calls that the interpreter pays for and compiled code does not.
    They stay Python: they run uncompiled too, and pipeline/compiled.py loads a module from
    its source when the source changed after the build (the sha256 of each compiled source
    is recorded in pipeline/_compiled.json).
"""

import hashlib
import json
import platform
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup

ROOT = Path(__file__).resolve().parent
SOURCE_MODULES = [
    "pipeline.clean.candidates",
    "pipeline.clean.channel",
    "pipeline.clean.context",
    "pipeline.clean.corrector",
    "pipeline.clean.diacritics",
    "pipeline.clean.index",
    "pipeline.clean.lattice",
    "pipeline.clean.lexicon",
    "pipeline.clean.protect",
    "pipeline.clean.rejoin",
    "pipeline.clean.tokens",
]
RECORD = ROOT / "pipeline" / "_compiled.json"


def source_of(module: str) -> Path:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def cpu_flags() -> str:
    """The CPU's feature flags as Linux lists them (empty elsewhere)."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""
    flags = (line.partition(":")[2] for line in cpuinfo.splitlines() if line.startswith("flags"))
    return next(flags, "") + " "


def record_sources() -> None:
    """What pipeline/compiled.py compares the sources with at import."""
    record = {module: hashlib.sha256(source_of(module).read_bytes()).hexdigest() for module in SOURCE_MODULES}
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    if not RECORD.exists() or RECORD.read_text() != text:
        RECORD.write_text(text)


record_sources()
written = [
    Extension("pipeline.clean._search", ["pipeline/clean/_search.pyx"]),
    Extension("pipeline.clean._lattice", ["pipeline/clean/_lattice.pyx"]),
    Extension("pipeline.clean._tokens", ["pipeline/clean/_tokens.pyx"]),
    Extension("pipeline.ingest._turn", ["pipeline/ingest/_turn.pyx"]),
]
plain = [Extension(module, [str(source_of(module).relative_to(ROOT))]) for module in SOURCE_MODULES]
for extension in written + plain:
    extension.extra_compile_args = ["-O2"]
# The trie looks letters up by counting bits (_search.pyx): one instruction where the CPU has
# it (every x86-64 since about 2008), a call into libgcc per lookup otherwise.
if platform.machine() in ("x86_64", "AMD64") and " popcnt" in cpu_flags():
    written[0].extra_compile_args.append("-mpopcnt")
# Cython reads a plain module's annotations as types it enforces (`tokens: list[Token]`
# would refuse a tuple): off, so that compiled code behaves as the Python does.
PLAIN_DIRECTIVES = {"language_level": 3, "annotation_typing": False}
setup(
    ext_modules=cythonize(written, compiler_directives={"language_level": 3}, nthreads=2, quiet=True)
    + cythonize(plain, compiler_directives=PLAIN_DIRECTIVES, nthreads=2, quiet=True),
    options={"build_ext": {"parallel": 2}},
)
