"""JSON shapes of the API that kb does not define itself (search results, outputs)."""

from __future__ import annotations

from typing import Any

from kb.models import Output, User


def result_dict(r: Any) -> dict[str, Any]:
    """A search result. Search results never carry contact data: the index has none."""
    return {
        "id": r.talent_id,
        "score": round(float(r.score), 6),
        "name": r.name,
        "name_en": r.name_en,
        "category": r.category,
        "fields": list(r.fields),
        "title": r.title,
        "organization": r.organization,
        "available": bool(r.available),
        "evidence": [
            {"kind": e.kind, "ref": e.ref, "text": e.text, "score": round(float(e.score), 6),
             "matched_by": e.matched_by}
            for e in r.evidence
        ],
    }


def facets_dict(facets: dict | None) -> dict[str, dict[str, int]]:
    """Facet keys as JSON strings; availability keys may arrive as bools."""
    out: dict[str, dict[str, int]] = {}
    for name, counts in (facets or {}).items():
        out[name] = {(str(k).lower() if isinstance(k, bool) else str(k)): int(v) for k, v in counts.items()}
    return out


def output_dict(o: Output) -> dict[str, Any]:
    return {"id": o.id, "type": o.type, "title": o.title, "year": o.year, "venue": o.venue,
            "abstract": o.abstract, "url": o.url}


def me_dict(user: User, talent_external_id: str | None) -> dict[str, Any]:
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role, "unit": user.unit,
        "email": user.email, "talent_id": talent_external_id, "preferred_language": user.preferred_language,
    }
