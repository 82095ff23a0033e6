"""Load report templates from pipeline/segment/templates/*.yaml (one file per type)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Heading:
    key: str
    text: str = ""
    number: str | None = None
    pattern: re.Pattern[str] | None = None
    required: bool = False
    repeat: bool = False

    @property
    def level(self) -> int:
        return self.number.count(".") + 1 if self.number else 1

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.number, self.text) if part) or self.key


@dataclass(frozen=True)
class Template:
    type: str
    title: str
    starts: re.Pattern[str] | None
    cues: tuple[str, ...]
    headings: tuple[Heading, ...]


def parse_heading(item: dict) -> Heading:
    pattern = item.get("pattern")
    return Heading(
        key=item["key"],
        text=item.get("text", ""),
        number=str(item["number"]) if "number" in item else None,
        pattern=re.compile(pattern) if pattern else None,
        required=bool(item.get("required", False)),
        repeat=bool(item.get("repeat", False)),
    )


def parse_template(data: dict, source: str) -> Template:
    try:
        headings = tuple(parse_heading(h) for h in data.get("headings") or [])
        if any(not (h.text or h.pattern) for h in headings):
            raise ValueError("every heading needs text or a pattern")
        starts = re.compile(data["starts"], re.MULTILINE) if data.get("starts") else None
        return Template(data["type"], data.get("title", ""), starts, tuple(data.get("cues", [])), headings)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ValueError(f"{source}: malformed template ({exc})") from exc


@lru_cache(maxsize=1)
def load_templates(directory: Path = TEMPLATE_DIR) -> tuple[Template, ...]:
    return tuple(
        parse_template(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
        for path in sorted(directory.glob("*.yaml"))
    )
