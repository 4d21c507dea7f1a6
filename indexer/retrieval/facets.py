"""Facet counting over talent records (the reference every backend matches)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from indexer.backends.base import TalentRecord
from indexer.models import FACET_KEYS


def bool_key(value: bool) -> str:
    return "true" if value else "false"


def count_facets(talents: Iterable[TalentRecord]) -> dict[str, dict[str, int]]:
    """``{"category": {...}, "fields": {...}, "available": {"true": n, ...}, "languages": {...}}``."""
    counters: dict[str, Counter[str]] = {key: Counter() for key in FACET_KEYS}
    for t in talents:
        counters["category"][t.category] += 1
        counters["fields"].update(set(t.fields))
        counters["available"][bool_key(t.available)] += 1
        counters["languages"].update(set(t.languages))
    return {key: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for key, c in counters.items()}
