"""Search results as JSON: the one serializer behind ``kb search``, its batch mode and the API.

Every machine-readable answer of the product presents a result the same way,
so a client that reads one can read them all. Results never carry contact
data (the index has none). Evidence is given as plain text; the HTML
``highlighted`` form is added only for pages that render it (recommendations,
audience suggestions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indexer.models import Evidence, SearchResult


def evidence_dict(e: Evidence, *, highlighted: bool = False) -> dict[str, Any]:
    """One piece of evidence; ``highlighted`` adds the HTML form (``<mark>``, escaped) for pages that show it."""
    out: dict[str, Any] = {
        "kind": e.kind,
        "ref": e.ref,
        "text": e.text,
        "score": round(float(e.score), 6),
        "matched_by": e.matched_by,
    }
    if highlighted:
        out["highlighted"] = e.highlighted
    return out


def result_dict(r: SearchResult) -> dict[str, Any]:
    """One expert: id, score and match level first (the batch contract), then who they are and why they fit.

    ``match`` is ``strong``, ``partial`` or ``weak`` (``indexer.retrieval.match``),
    ``null`` for a browse without a need.
    """
    return {
        "id": r.talent_id,
        "score": round(float(r.score), 6),
        "match": r.match,
        "name": r.name,
        "name_en": r.name_en,
        "category": r.category,
        "fields": list(r.fields),
        "title": r.title,
        "organization": r.organization,
        "available": bool(r.available),
        "evidence": [evidence_dict(e) for e in r.evidence],
    }


def facets_dict(facets: Mapping[str, Mapping[Any, int]] | None) -> dict[str, dict[str, int]]:
    """Facet keys as JSON strings; availability keys may arrive as bools."""
    out: dict[str, dict[str, int]] = {}
    for name, counts in (facets or {}).items():
        out[name] = {(str(k).lower() if isinstance(k, bool) else str(k)): int(v) for k, v in counts.items()}
    return out
