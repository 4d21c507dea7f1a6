"""OpenAPI paths and schemas of ``/knowledge``, declared in ``web/api/openapi.py``."""

from __future__ import annotations

from typing import Any

from indexer.knowledge import KINDS

_PROBLEM = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}

PATHS: dict[str, Any] = {
    "/knowledge": {"get": {
        "summary": "Find earlier advice, stage results, outputs and requests' questions for a need",
        "operationId": "searchKnowledge",
        "description": (
            "The expert search's engine over the think tank's memory. Each result is one item, linked to its "
            "expert (`talent_id`) and request (`request_id`). Only items the account may see are searched: "
            "advice of a unit-only or confidential request for its unit's researchers and admins, of a public "
            "one for all staff roles; talents find their own advice; `total` counts the visible items."
        ),
        "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
             "description": "The need in plain words; only its first 2000 characters are used"},
            {"name": "kind", "in": "query", "schema": {
                "type": "string", "pattern": rf"^\s*(({'|'.join(KINDS)})\s*(,\s*|$))*$"},
             "description": f"Comma-separated kinds ({', '.join(KINDS)}); empty: all"},
            {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10000,
                                                         "default": 0}},
        ],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/KnowledgeResponse"}}}},
            "400": {"description": "Bad parameters", **_PROBLEM},
            "401": {"description": "No valid bearer token", **_PROBLEM},
            "403": {"description": "The account may not do this", **_PROBLEM},
            "503": {"description": "The search service is unreachable", **_PROBLEM},
        },
    }},
}

SCHEMAS: dict[str, Any] = {
    "KnowledgeResult": {"type": "object", "required": [
        "kind", "id", "title", "talent_id", "request_id", "score", "match", "evidence"], "properties": {
        "kind": {"enum": list(KINDS)}, "id": {"type": "string"}, "title": {"type": "string"},
        "talent_id": {"type": ["string", "null"], "description": "The expert's external id"},
        "request_id": {"type": ["string", "null"], "description": "The consultation request's id"},
        "score": {"type": "number"}, "match": {"enum": ["strong", "partial", "weak", None]},
        "evidence": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}},
    }},
    "KnowledgeResponse": {"type": "object", "properties": {
        "query": {"type": "string"}, "total": {"type": "integer"}, "matched": {"type": "integer"},
        "offset": {"type": "integer"}, "limit": {"type": "integer"}, "took_ms": {"type": "number"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/KnowledgeResult"}},
    }},
}
