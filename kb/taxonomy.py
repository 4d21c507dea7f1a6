"""The programme's taxonomy (categories, fields, output types, services),
bundled with the package so the product never reads files outside itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from indexer.taxonomy import Label as SearchLabel
from indexer.taxonomy import Taxonomy as SearchTaxonomy


@dataclass(frozen=True)
class Label:
    code: str
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


@dataclass(frozen=True)
class Field(Label):
    sector: str


@dataclass(frozen=True)
class Category(Label):
    target: int
    definition_zh: str
    definition_en: str


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, Category]
    sectors: dict[str, Label]
    fields: dict[str, Field]
    output_types: dict[str, Label]
    services: dict[str, Label]

    def field_label(self, code: str, lang: str = "zh") -> str:
        f = self.fields.get(code)
        return f.label(lang) if f else code

    def output_type_label(self, code: str, lang: str = "zh") -> str:
        t = self.output_types.get(code)
        return t.label(lang) if t else code

    def category_label(self, code: str, lang: str = "zh") -> str:
        c = self.categories.get(code)
        return c.label(lang) if c else code


def _labels(items: list[dict[str, str]]) -> dict[str, Label]:
    return {i["code"]: Label(i["code"], i["zh"], i["en"]) for i in items}


@cache
def load_taxonomy() -> Taxonomy:
    raw = json.loads((resources.files("kb") / "data" / "taxonomy.json").read_text("utf-8"))
    fields = {
        f["code"]: Field(f["code"], f["zh"], f["en"], s["code"]) for s in raw["sectors"] for f in s["fields"]
    }
    return Taxonomy(
        categories={
            c["code"]: Category(
                c["code"], c["zh"], c["en"], c["target_2020"], c["definition_zh"], c["definition_en"]
            )
            for c in raw["categories"]
        },
        sectors={s["code"]: Label(s["code"], s["zh"], s["en"]) for s in raw["sectors"]},
        fields=fields,
        output_types=_labels(raw["output_types"]),
        services=_labels(raw["services"]),
    )


def search_taxonomy() -> SearchTaxonomy:
    """The labels the search indexes and segments with, from this same file (see ``indexer.taxonomy``)."""
    tax = load_taxonomy()

    def plain(labels: Mapping[str, Label]) -> dict[str, SearchLabel]:
        return {code: SearchLabel(code, label.zh, label.en) for code, label in labels.items()}

    return SearchTaxonomy(
        fields=plain(tax.fields),
        categories=plain(tax.categories),
        output_types=plain(tax.output_types),
        sectors=plain(tax.sectors),
    )


@cache
def talent_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((resources.files("kb") / "data" / "talent.schema.json").read_text("utf-8"))
    return schema
