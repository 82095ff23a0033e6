"""Shared fixtures: the repository's samples and a runner for the real `finsam` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SLUTRAPPORTER = SAMPLES / "slutrapporter-2019-2022-harnosand-timra.txt"
DELARSRAPPORT = SAMPLES / "delarsrapport-2021-harnosand-timra.txt"
VERKSAMHETSPLAN = SAMPLES / "verksamhetsplan-2018-harnosand-timra.txt"


def finsam(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process, as a user would, and capture both streams."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def sample_dataset(tmp_path_factory) -> Path:
    """The samples converted once per test session (the demo's dataset)."""
    out = tmp_path_factory.mktemp("dataset") / "out"
    result = finsam("convert", "samples", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out
