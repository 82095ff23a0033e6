"""Importing pytesseract and spaCy without what they load for nothing (pipeline/imports.py),
each in a fresh interpreter, as a worker does."""

import subprocess
import sys

from tests.conftest import ROOT


def python(code: str, cwd=ROOT) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_pytesseract_comes_without_pandas_and_pandas_still_imports_later():
    shown = python(
        "import sys; from pipeline.ingest import ocr; print('pandas' in sys.modules, end=' '); "
        "import pandas; print(ocr.pytesseract.pytesseract.pandas_installed, end=' '); "
        "print(pandas.DataFrame({'a': [1]}).shape)"
    )
    assert shown == "False False (1, 1)"


def test_spacy_comes_without_its_command_line_which_still_imports_later():
    shown = python(
        "import sys; from pipeline.imports import spacy_without_cli; spacy = spacy_without_cli(); "
        "print(sorted(m for m in ('spacy.cli', 'requests', 'weasel') if m in sys.modules), end=' '); "
        "nlp = spacy.blank('sv'); print([t.text for t in nlp('Härnösands kommun.')], end=' '); "
        "import spacy.cli; print(callable(spacy.cli.info), 'download' in dir(spacy.cli), end=' '); "
        "print(spacy.info()['spacy_version'] == spacy.__version__)"
    )
    assert shown == "[] ['Härnösands', 'kommun', '.'] True True True"


def test_a_package_that_needs_a_hidden_module_is_imported_plainly(tmp_path):
    (tmp_path / "needs_json.py").write_text("import json\nVALUE = json.dumps([1])\n")
    shown = python(
        "import sys; from pipeline.imports import import_without; "
        "module = import_without('needs_json', {'json': None}); "
        "print(module.VALUE, sys.modules['json'] is not None)",
        cwd=tmp_path,
    )
    assert shown == "[1] True"


def test_saving_a_page_for_tesseract_imports_no_other_image_plugins():
    # Image.init() imports PIL's forty-odd format plugins when a format is not registered
    # yet: 0.04-0.06 s in every worker, before it could start Tesseract (ocr.py). A save
    # imports the five common ones in any case (Image.preinit()).
    shown = python(
        "import io, sys; from PIL import Image; from pipeline.ingest import ocr; Image.preinit(); "
        "before = {m for m in sys.modules if m.startswith('PIL.')}; "
        "Image.new('L', (40, 30), 255).save(io.BytesIO(), format=ocr.TESSERACT_INPUT_FORMAT); "
        "print(sorted({m for m in sys.modules if m.startswith('PIL.')} - before))"
    )
    assert shown == "[]"
