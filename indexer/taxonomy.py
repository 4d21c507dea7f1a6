"""The bundled taxonomy (``kb/data/taxonomy.json``) as bilingual label tables.

Search uses it three ways: field labels are indexed in both languages (so an
English-only profile still carries 保险 and a Chinese one "Insurance"), the
labels seed the Chinese segmenter's user dictionary, and label pairs form a
small bilingual glossary for query expansion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Label:
    """A coded taxonomy entry with its Chinese and English display labels."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Taxonomy:
    """Field, category and output-type labels keyed by code."""

    fields: dict[str, Label]
    categories: dict[str, Label]
    output_types: dict[str, Label]

    def all_labels(self) -> list[Label]:
        """Every labelled entry, including sector names (useful as dictionary words)."""
        return [*self.fields.values(), *self.categories.values(), *self.output_types.values()]


def _read_taxonomy_text() -> str:
    """Read the JSON from the ``kb.data`` package, falling back to the source tree.

    ``kb/data`` has no ``__init__`` (it is package data), which importlib.resources
    handles as a namespace package; the path fallback covers unusual installs.
    """
    try:
        return (resources.files("kb.data") / "taxonomy.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, TypeError):
        path = Path(__file__).resolve().parents[1] / "kb" / "data" / "taxonomy.json"
        return path.read_text(encoding="utf-8")


def _labels(entries: list[dict]) -> dict[str, Label]:
    return {e["code"]: Label(e["code"], e.get("zh", ""), e.get("en", "")) for e in entries}


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """Parse the taxonomy once per process."""
    data = json.loads(_read_taxonomy_text())
    fields: dict[str, Label] = {}
    sectors: list[dict] = data.get("sectors", [])
    for sector in sectors:
        fields.update(_labels(sector.get("fields", [])))
    return Taxonomy(
        fields=fields,
        categories=_labels(data.get("categories", [])),
        output_types=_labels(data.get("output_types", [])),
    )


@lru_cache(maxsize=1)
def sector_labels() -> tuple[Label, ...]:
    """Sector (field group) labels, which are also good segmentation words."""
    data = json.loads(_read_taxonomy_text())
    return tuple(Label(s["code"], s.get("zh", ""), s.get("en", "")) for s in data.get("sectors", []))
