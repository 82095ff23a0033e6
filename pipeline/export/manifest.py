"""The dataset's manifest.json and what it lets a run reuse (incremental conversion).

Next to the row counts, the manifest records every input file: its path, size, mtime,
sha256, whether any of its documents failed, and where its rows are in each table (first
row and count). A later run into the same DIR converts only the files that are new or
changed, or failed last time (a failure may have been a crash or a time-out), and copies
the rows of the others from the old parquet files. Adding 10 files to 10,000 thus costs 10
conversions and a copy of the old rows.

A file counts as unchanged when its size and mtime are as recorded, or, when they are not
(a copy, a `touch`), when its sha256 still is: content decides, not dates. Nothing is reused
when the settings that shape the rows differ: the finsam version, the data files that
change results (corrections/, the templates and synonym tables under pipeline/, so also a
new data file beside them) and the options, except those that only say how a batch runs.
Nothing is reused either when the parquet files do not match the manifest, or with --force.
A change of Python code without a new version is not noticed: use --force then.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.options import Options

# Version of the manifest's layout; manifests of another format are not reused.
FORMAT = 2
MANIFEST = "manifest.json"
ROOT = Path(__file__).resolve().parents[2]
# Where the data files that change results live: all of corrections/, and every file under
# pipeline/ that is not Python (templates/*.yaml, extract/data/*.tsv, ...).
DATA_DIRS = (ROOT / "corrections", ROOT / "pipeline")
# Data files that only shape how a dataset is shown, never its rows (the HTML report's
# template): changing them must not make the next run convert everything again.
PRESENTATION_DIRS = (ROOT / "pipeline" / "report",)
CODE_SUFFIXES = {".py", ".pyc"}
HASH_CHUNK_BYTES = 1024 * 1024


@dataclass
class Item:
    """One input file of a run: where it is in the batch, its state, its old rows if reusable."""

    index: int
    path: Path
    size: int | None
    mtime_ns: int | None
    reuse: dict | None = None  # the file's entry in the old manifest, when its rows are reused


@dataclass
class Plan:
    items: list[Item]
    settings: dict
    # Why nothing of the old dataset could be reused (None when it could, or there was none).
    redo_reason: str | None = None
    # Nothing to convert, and the same files as before in the same order: the old parquet
    # files stay as they are and only the manifest may change.
    unchanged: bool = False
    old: dict = field(default_factory=dict)

    @property
    def todo(self) -> list[Item]:
        return [item for item in self.items if item.reuse is None]


def data_files() -> list[Path]:
    files = []
    for directory in DATA_DIRS:
        for path in directory.rglob("*"):
            if (
                path.is_file()
                and path.suffix not in CODE_SUFFIXES
                and "__pycache__" not in path.parts
                and not any(path.is_relative_to(shown) for shown in PRESENTATION_DIRS)
            ):
                files.append(path)
    return sorted(files)


def data_sha256() -> str:
    digest = hashlib.sha256()
    for path in data_files():
        digest.update(f"{path.relative_to(ROOT)}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def run_settings(options: Options) -> dict:
    """Everything besides an input file that decides its rows."""
    shaping = {
        f.name: getattr(options, f.name)
        for f in dataclasses.fields(options)
        if not f.metadata.get("run_only")
    }
    return {"finsam_version": __version__, "data_sha256": data_sha256(), "options": shaping}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def manifest_problem(old: dict | None, settings: dict, force: bool) -> str | None:
    """Why the old manifest alone rules out reusing any rows, or None."""
    if old is None:
        return "no earlier dataset"
    if force:
        return "--force"
    if old.get("format") != FORMAT or not isinstance(old.get("files"), list):
        return "the earlier dataset has no manifest of its files"
    if old.get("settings") != json.loads(json.dumps(settings)):
        return "the finsam version, its data files or the options changed"
    return None


def old_problem(old: dict | None, settings: dict, out: Path, force: bool) -> str | None:
    """Why the rows in `out` cannot be reused at all, or None."""
    if problem := manifest_problem(old, settings, force):
        return problem
    # Imported here: `convert` asks likely_converted() before it loads pyarrow.
    from pipeline.export.parquet import dataset_problem, source_files

    if problem := dataset_problem(out, old.get("rows") or {}):
        return problem
    return ranges_problem(old["files"], source_files(out))


def ranges_problem(entries: list[dict], sources: list[str]) -> str | None:
    """Does each file's documents range hold that file's rows (a check that costs one column)?"""
    for entry in entries:
        first, count = entry["rows"].get("documents", [0, 0])
        if not count or any(s != entry["path"] for s in sources[first : first + count]):
            return f"the manifest does not match documents.parquet at {entry['path']}"
    return None


def stat_verdict(entry: dict, item: Item) -> bool | None:
    """From its size and time alone: True when the file is as it was when its rows were made
    (and did not fail then), False when it surely is not, None when only its content can
    tell (the same size, another time)."""
    if entry.get("failed") or item.size is None or item.size != entry.get("size"):
        return False
    return True if item.mtime_ns == entry.get("mtime_ns") else None


def unchanged(entry: dict, item: Item) -> bool:
    """Is the file as it was when its rows were made (and did it not fail then)?"""
    verdict = stat_verdict(entry, item)
    if verdict is not None:
        return verdict
    try:
        return file_sha256(item.path) == entry.get("sha256")
    except OSError:
        return False


def stat_item(index: int, path: Path) -> Item:
    try:
        stat = path.stat()
    except OSError:  # vanished since discovery: the worker reports it
        return Item(index, path, None, None)
    return Item(index, path, stat.st_size, stat.st_mtime_ns)


def make_plan(files: list[Path], out: Path, options: Options, force: bool = False) -> Plan:
    """Which files to convert and which files' rows to take from the dataset in `out`."""
    settings = run_settings(options)
    old = read_manifest(out)
    plan = Plan([stat_item(index, path) for index, path in enumerate(files)], settings, old=old or {})
    plan.redo_reason = old_problem(old, settings, out, force)
    if plan.redo_reason:
        return plan
    entries = {entry["path"]: entry for entry in old["files"]}
    for item in plan.items:
        entry = entries.get(str(item.path))
        if entry is not None and unchanged(entry, item):
            item.reuse = entry
    same_files = [str(item.path) for item in plan.items] == [entry["path"] for entry in old["files"]]
    plan.unchanged = same_files and not plan.todo
    return plan


def likely_converted(files: list[Path], out: Path, options: Options, force: bool = False) -> list[Path]:
    """The files a run will probably convert, guessed from manifest.json and the files' sizes
    and times alone: `convert` starts no workers when there are none, and readies their
    forkserver for these (a re-run that adds one scan to an archive is a batch of one
    file). make_plan decides; a wrong guess only costs the workers' start-up time."""
    old = read_manifest(out)
    if old is None or force or manifest_problem(old, run_settings(options), force):
        return list(files)
    entries = {entry.get("path"): entry for entry in old["files"]}
    changed = []
    for path in files:
        entry = entries.get(str(path))
        if entry is None or stat_verdict(entry, stat_item(0, path)) is not True:
            changed.append(path)
    return changed


def file_entry(item: Item, sha256: str | None, failed: bool, ranges: dict[str, list[int]]) -> dict:
    return {
        "path": str(item.path),
        "sha256": sha256,
        "size": item.size,
        "mtime_ns": item.mtime_ns,
        "failed": failed,
        "rows": ranges,
    }


def manifest(settings: dict, inputs: list[str], files: list[dict]) -> dict:
    """The manifest of a dataset (the writer adds the row counts)."""
    return {
        "format": FORMAT,
        "finsam_version": settings["finsam_version"],
        "settings": settings,
        "inputs": inputs,
        "files": files,
    }
