"""hunspell through its C API (pipeline/clean/speller.py): chunspell's verdicts, read in a
thread that leaves the interpreter to the others."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time

import pytest
from hunspell import Hunspell  # chunspell: the binding the verdicts must equal

from pipeline.clean.index import load_index
from pipeline.clean.lexicon import hunspell_dictionary, hunspell_files
from pipeline.clean.speller import Speller
from tests.conftest import DELARSRAPPORT


def chunspell():
    dic, _ = hunspell_files()
    return Hunspell(dic.stem, hunspell_data_dir=str(dic.parent))


def test_its_verdicts_are_chunspells():
    rng = random.Random(7)
    words = rng.sample(sorted(load_index().lexicon.frequency), 20_000)
    strings = [*words, *(word.capitalize() for word in words[:3000]), *(word.upper() for word in words[:500])]
    # compounds, debris and marks, as the mangled sample makes the cleaner ask about
    strings += [a + b for a, b in zip(words[:3000], words[3000:6000], strict=True)]
    strings += DELARSRAPPORT.read_text(encoding="utf-8").split()
    strings += ["", "é", "Ångermanland", "e-post", "kommun:s", "t.ex.", "1998", "x" * 300]
    ours, theirs = hunspell_dictionary().spell, chunspell().spell
    assert [s for s in strings if ours(s) != theirs(s)] == []
    assert 0 < sum(map(ours, strings)) < len(strings)


def loop_turns_while(make) -> float:
    """Turns per second this thread makes while another runs `make`."""
    done = threading.Event()

    def run() -> None:
        make()
        done.set()

    thread, turns, started = threading.Thread(target=run), 0, time.perf_counter()
    thread.start()
    while not done.is_set():
        turns += 1
    elapsed = time.perf_counter() - started
    thread.join()
    return turns / elapsed


def test_reading_the_dictionary_leaves_the_interpreter_to_other_threads():
    dic, aff = hunspell_files()
    ours = loop_turns_while(lambda: Speller(aff, dic))
    # chunspell holds the lock while it reads: this thread then all but stops (measured
    # 0.8 million turns a second against 16 million)
    theirs = loop_turns_while(chunspell)
    assert ours > 5 * theirs


def test_a_missing_file_is_a_clear_error(tmp_path):
    dic, aff = hunspell_files()
    with pytest.raises(FileNotFoundError, match="no hunspell file"):
        Speller(tmp_path / "sv_SE.aff", dic)


FORKED_WHILE_READING = """
import os
from pipeline.clean import lexicon

lexicon.start_hunspell()
child = os.fork()  # at once: the reading thread is still at work, and the child lacks it
if child == 0:
    unread = lexicon.hunspell_reads() == 0
    os._exit(0 if unread and lexicon.hunspell_dictionary().spell("samordningsförbundet") else 1)
_, status = os.waitpid(child, 0)
lexicon.hunspell_dictionary()
print(os.waitstatus_to_exitcode(status), lexicon.hunspell_reads())
"""


def test_a_process_forked_while_the_dictionary_is_read_reads_it_itself():
    command = [sys.executable, "-c", FORKED_WHILE_READING]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0", "1"]
