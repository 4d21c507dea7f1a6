"""Batch search for ``kb search --batch``: JSONL queries in, JSONL results out.

Input lines look like the evaluation sets' ``queries.jsonl``::

    {"qid": "q1", "query": "商业健康保险 精算定价", "filters": {"category": ["A"], "fields": ["insurance"]}}

(``text`` is accepted for ``query``; ``filters`` may also carry ``available``
and ``languages``; ``limit`` and ``mode`` override the defaults per line).
Each output dict is ``{"qid", "results": [{"id", "score", "evidence": [...]}]}``,
or ``{"qid", "error"}`` for a line that cannot be run, so one bad line never
stops a batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from indexer.models import SearchQuery
from indexer.search import ExpertSearch


def query_from_line(data: dict[str, Any], limit: int, mode: str) -> SearchQuery:
    """Build a ``SearchQuery`` from one parsed input line."""
    filters = data.get("filters") or {}
    available = filters.get("available")
    return SearchQuery(
        text=str(data.get("query", data.get("text", "")) or ""),
        categories=tuple(filters.get("category", filters.get("categories", ())) or ()),
        fields=tuple(filters.get("fields", ()) or ()),
        available=None if available is None else bool(available),
        languages=tuple(filters.get("languages", ()) or ()),
        limit=int(data.get("limit", limit)),
        mode=data.get("mode", mode),
        with_facets=False,
    )


def run_batch(
    search: ExpertSearch, lines: Iterable[str], limit: int = 10, mode: str = "hybrid"
) -> Iterator[dict[str, Any]]:
    """Run every JSONL line through ``search.search`` and yield one result dict per line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        qid: Any = f"line-{number}"
        try:
            data = json.loads(line)
            qid = data.get("qid", qid)
            response = search.search(query_from_line(data, limit, mode))
        except (ValueError, TypeError, AttributeError) as exc:
            yield {"qid": qid, "error": str(exc)}
            continue
        yield {
            "qid": qid,
            "results": [
                {"id": r.talent_id, "score": r.score, "evidence": [asdict(e) for e in r.evidence]}
                for r in response.results
            ],
        }
