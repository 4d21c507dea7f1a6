"""``kb search --batch``: one query per JSON line in, one result line per query out.

Input lines are the evaluation sets' ``queries.jsonl`` records::

    {"qid": "q1", "query": "商业健康保险 精算定价", "filters": {"category": ["A"], "fields": ["insurance"]}}

``filters`` may hold ``category`` (or ``categories``), ``fields``,
``available`` and ``languages``; ``limit`` overrides the ``--top`` of the run
for one line. Each output line is ``{"qid", "results": [{"id", "score",
"evidence", ...}]}`` (results as ``indexer.results.result_dict``), or
``{"qid", "error"}`` for a line that cannot be run: like ``kb import``, one
bad line is reported by number and never stops the others.

Unknown filter names and codes are errors, not ignored: a misspelt filter
would otherwise silently widen the results a batch is scored on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from indexer import ExpertSearch, SearchQuery
from indexer.models import MAX_LIMIT, Mode
from indexer.results import result_dict
from kb.taxonomy import load_taxonomy

FILTER_KEYS = ("category", "categories", "fields", "available", "languages")


class BadQueryLine(ValueError):
    """A batch line that is not a query record; the message says what is wrong."""


@dataclass(frozen=True)
class BatchAnswer:
    """The answer to one line: ``output`` is the JSON object printed for it."""

    line: int
    output: dict[str, Any]

    @property
    def failed(self) -> bool:
        return "error" in self.output


def _codes(filters: dict[str, Any], key: str, known: Iterable[str] | None) -> tuple[str, ...]:
    value = filters.get(key, [])
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadQueryLine(f"filters.{key} must be a string or a list of strings")
    if known is not None:
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise BadQueryLine(f"filters.{key}: unknown code(s) {', '.join(unknown)}")
    return tuple(dict.fromkeys(values))


def query_from_record(record: Any, top: int, mode: Mode = "hybrid") -> SearchQuery:
    """The ``SearchQuery`` of one parsed line; raises ``BadQueryLine``."""
    if not isinstance(record, dict):
        raise BadQueryLine("a line must be a JSON object")
    text = record.get("query", record.get("text"))
    if not isinstance(text, str) or not text.strip():
        raise BadQueryLine("query must be a non-empty string")
    filters = record.get("filters") or {}
    if not isinstance(filters, dict):
        raise BadQueryLine("filters must be an object")
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise BadQueryLine(f"unknown filter(s) {', '.join(unknown)}; known: {', '.join(FILTER_KEYS)}")
    available = filters.get("available")
    if available is not None and not isinstance(available, bool):
        raise BadQueryLine("filters.available must be true, false or absent")
    limit = record.get("limit", top)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadQueryLine(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    if "category" in filters and "categories" in filters:
        raise BadQueryLine("give filters.category or filters.categories, not both")
    tax = load_taxonomy()
    categories = _codes(filters, "category" if "category" in filters else "categories", tax.categories)
    return SearchQuery(
        text=" ".join(text.split()),
        categories=categories,
        fields=_codes(filters, "fields", tax.fields),
        available=available,
        languages=_codes(filters, "languages", None),
        limit=limit,
        mode=mode,
        with_facets=False,
    )


def run_batch(
    search: ExpertSearch, lines: Iterable[str], top: int = 10, mode: Mode = "hybrid"
) -> Iterator[BatchAnswer]:
    """Answer every non-blank line in order; a bad line yields an error answer and the run goes on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        qid: Any = str(number)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BatchAnswer(number, {"qid": qid, "error": f"not JSON: {exc}"})
            continue
        if isinstance(record, dict) and "qid" in record:
            qid = record["qid"]
        try:
            query = query_from_record(record, top, mode)
        except BadQueryLine as exc:
            yield BatchAnswer(number, {"qid": qid, "error": str(exc)})
            continue
        response = search.search(query)
        yield BatchAnswer(number, {"qid": qid, "results": [result_dict(r) for r in response.results]})
