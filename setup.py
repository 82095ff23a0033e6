"""Build the compiled parts: the cleaner's search and lattice (pipeline/clean/_search.pyx,
_lattice.pyx) and the deskew's turn (pipeline/ingest/_turn.pyx); everything else is in
pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension("pipeline.clean._search", ["pipeline/clean/_search.pyx"], extra_compile_args=["-O2"]),
            Extension("pipeline.clean._lattice", ["pipeline/clean/_lattice.pyx"], extra_compile_args=["-O2"]),
            Extension("pipeline.ingest._turn", ["pipeline/ingest/_turn.pyx"], extra_compile_args=["-O2"]),
        ],
        compiler_directives={"language_level": 3},
    )
)
