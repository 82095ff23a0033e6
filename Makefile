# finsam: `make demo` installs everything and converts samples/ into out/; `make test` runs
# the whole suite. Both work on a fresh Debian machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# poppler-utils: pdftoppm for the OCR comparison; fonts-dejavu-core: the sample generator's font.
APT_PACKAGES := tesseract-ocr tesseract-ocr-swe poppler-utils fonts-dejavu-core
# chromium: the report test opens out/report.html in Debian's browser through playwright,
# which never downloads a browser of its own. Only `make test` needs it, not `make demo`.
TEST_APT_PACKAGES := chromium
# ocrmypdf: `make bench` sets the scanned runs against `ocrmypdf --sidecar` (issue 7's target).
BENCH_APT_PACKAGES := ocrmypdf

.PHONY: setup system-deps test-deps bench-deps demo test lint lock golden samples ocr-compare bench eval dataset-doc clean

setup: system-deps $(STAMP)

# Debian packages, installed with apt-get when missing (as root); else $(3) says how.
# $(1): a shell test that they are there; $(2): the packages.
define apt_packages
	@if $(1); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(2) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
	    $(3); \
	fi
endef
MISSING = echo "missing system packages; run: sudo apt-get install -y $(1)"; exit 1

# Tesseract with Swedish data, poppler and the sample generator's font.
system-deps:
	$(call apt_packages,command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx swe \
	    && command -v pdftoppm >/dev/null && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ],$\
	    $(APT_PACKAGES),$(call MISSING,$(APT_PACKAGES)))

# Debian's chromium for the report test.
test-deps:
	$(call apt_packages,[ -x /usr/bin/chromium ],$(TEST_APT_PACKAGES),$(call MISSING,$(TEST_APT_PACKAGES)))

# Debian's ocrmypdf for the benchmark; without it the bench runs and says the comparison
# was left out.
bench-deps:
	$(call apt_packages,command -v ocrmypdf >/dev/null,$(BENCH_APT_PACKAGES),$\
	    echo "ocrmypdf is missing (sudo apt-get install -y $(BENCH_APT_PACKAGES)): the bench leaves it out")

# The compiled parts (setup.py) are built again when their source changes.
$(STAMP): requirements.lock pyproject.toml setup.py $(wildcard pipeline/*/*.pyx) $(wildcard pipeline/clean/*.py)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: setup
	$(BIN)/finsam convert samples --out out

# The report test leaves its screenshot in tests/artifacts/ (or $$FINSAM_ARTIFACTS).
test: setup test-deps
	$(BIN)/python -m pytest

# Every Python file of the project: the tools (bench, eval) and setup.py too.
lint: setup
	$(BIN)/ruff check pipeline models tests tools setup.py
	$(BIN)/ruff format --check pipeline models tests tools setup.py

# Re-pin the whole dependency tree from pyproject.toml into requirements.lock.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -e '.[dev,samples]'
	{ sed -n '1,2p' requirements.lock; .venv-lock/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .venv-lock

clean:
	rm -rf $(VENV) out .pytest_cache tests/artifacts

# Rewrite tests/golden/ from the current output; read the diff before committing it.
golden: setup
	FINSAM_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py || true
	git diff --stat -- tests/golden

# Regenerate samples/generated/ (synthetic PDF, scans, photo, TIFF and Word file, each with
# its .gt.txt) and tests/fixtures/broken/ from the text samples. Deterministic: a run
# without changes leaves git clean.
samples: setup
	$(BIN)/python -m tools.make_samples

# Raw OCR of the generated scans against plain `tesseract -l swe`: docs/ocr-comparison.md.
ocr-compare: setup
	$(BIN)/python -m tools.ocr_compare

# Throughput of `finsam convert` by input kind and workers, against plain Tesseract and
# OCRmyPDF (when installed) on the same pages: docs/benchmarks.md; then the segment stage's
# pages/s. About 13 minutes on 2 cores.
bench: setup bench-deps
	$(BIN)/python -m tools.bench
	$(BIN)/python -m tools.bench_segment

# OCR-error correction and records measured against ground truth:
# docs/cleaning-evaluation.md and docs/records-evaluation.md.
eval: setup
	$(BIN)/python -m tools.evaluate_clean
	$(BIN)/python -m tools.evaluate_records

# Rewrite the column tables of docs/dataset.md from models/tables.py (after changing a
# table model); then describe any new column there.
dataset-doc: setup
	$(BIN)/python -m pipeline.report.dictionary
