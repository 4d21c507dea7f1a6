"""JSON shapes of the API that kb does not define itself (outputs, the account).

Search results and facets use ``indexer.results``, the serializer the CLI shares.
"""

from __future__ import annotations

from typing import Any

from kb.models import Output, User


def output_dict(o: Output) -> dict[str, Any]:
    return {"id": o.id, "type": o.type, "title": o.title, "year": o.year, "venue": o.venue,
            "abstract": o.abstract, "url": o.url, "doi": o.doi, "number": o.number,
            "authors": list(o.authors), "keywords": list(o.keywords)}


def me_dict(user: User, talent_external_id: str | None) -> dict[str, Any]:
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role, "unit": user.unit,
        "email": user.email, "talent_id": talent_external_id, "preferred_language": user.preferred_language,
    }
