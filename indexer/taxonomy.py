"""The taxonomy as the indexer sees it: bilingual labels, given to it by the product.

Search uses it three ways: field labels are indexed in both languages (so an
English-only profile still carries 保险 and a Chinese one "Insurance"), the
labels seed the Chinese segmenter's user dictionary, and label pairs form a
small bilingual glossary for query expansion.

The indexer owns no taxonomy file: the product that embeds it (``kb``, whose
``kb/data/taxonomy.json`` is the single source) hands one over with
``provide``, once per process, before anything is analysed. The labels are
part of the analyzer's version, so two processes given different taxonomies
refuse each other's index rather than mixing tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A coded taxonomy entry with its Chinese and English display labels."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Taxonomy:
    """Field, category, output-type and sector labels keyed by code."""

    fields: dict[str, Label]
    categories: dict[str, Label]
    output_types: dict[str, Label]
    sectors: dict[str, Label]

    def all_labels(self) -> list[Label]:
        """Field, category and output-type labels (sectors, often quoted, are used apart)."""
        return [*self.fields.values(), *self.categories.values(), *self.output_types.values()]


class TaxonomyMissing(RuntimeError):
    """Something needed the taxonomy before the product provided one (a programming error)."""


_lock = threading.Lock()
_source: Callable[[], Taxonomy] | None = None
_value: Taxonomy | None = None


def provide(source: Callable[[], Taxonomy]) -> None:
    """Tell the indexer where its taxonomy comes from; it is read once, when first needed."""
    global _source, _value
    with _lock:
        if source is not _source:
            _source, _value = source, None


def current_taxonomy() -> Taxonomy:
    """The provided taxonomy; raises ``TaxonomyMissing`` when the product gave none."""
    global _value
    with _lock:
        if _value is None:
            if _source is None:
                raise TaxonomyMissing(
                    "the indexer was given no taxonomy: call indexer.taxonomy.provide() first "
                    "(importing kb does it with kb.taxonomy.search_taxonomy)"
                )
            _value = _source()
        return _value
