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
    number: str
    text: str
    key: str
    required: bool

    @property
    def level(self) -> int:
        return self.number.count(".") + 1


@dataclass(frozen=True)
class Template:
    type: str
    title: str
    starts: re.Pattern[str] | None
    cues: tuple[str, ...]
    headings: tuple[Heading, ...]


def parse_template(data: dict, source: str) -> Template:
    try:
        headings = tuple(
            Heading(str(h["number"]), h["text"], h["key"], bool(h.get("required", False)))
            for h in data["headings"]
        )
        starts = re.compile(data["starts"], re.MULTILINE) if data.get("starts") else None
        return Template(data["type"], data.get("title", ""), starts, tuple(data.get("cues", [])), headings)
    except (KeyError, TypeError, re.error) as exc:
        raise ValueError(f"{source}: malformed template ({exc})") from exc


@lru_cache(maxsize=1)
def load_templates(directory: Path = TEMPLATE_DIR) -> tuple[Template, ...]:
    return tuple(
        parse_template(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
        for path in sorted(directory.glob("*.yaml"))
    )
