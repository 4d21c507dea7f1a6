"""``GET /api/v1/knowledge``: earlier advice, outputs, stage results and questions for a need.

The OpenAPI document (``web/api/openapi.py``) declares and validates the
parameters; kb decides what the token's account may see (inside the index).
"""

from __future__ import annotations

from flask import Response, jsonify, request

from indexer.knowledge import KINDS
from indexer.retrieval.params import MAX_QUERY_CHARS
from kb.errors import ValidationError
from kb.knowledge.service import result_dict, search_knowledge
from web.api import bp
from web.sessions import current_actor, knowledge_base

MAX_K = 100


@bp.get("/knowledge")
def knowledge() -> Response:
    text = " ".join(request.args.get("q", "").split())
    if not text:
        raise ValidationError("q is required", {"q": "required"})
    kinds = tuple(dict.fromkeys(k.strip() for k in request.args.get("kind", "").split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValidationError(f"unknown kind: {', '.join(unknown)}", {"kind": f"any of {', '.join(KINDS)}"})
    k = request.args.get("k", type=int) or 10
    offset = request.args.get("offset", type=int) or 0
    resp = search_knowledge(knowledge_base(), current_actor(), text[:MAX_QUERY_CHARS], kinds,
                            limit=min(max(k, 1), MAX_K), offset=max(offset, 0))
    return jsonify({"query": text, "total": resp.total, "matched": resp.matched, "offset": resp.offset,
                    "limit": resp.limit, "took_ms": resp.took_ms, "results": [result_dict(r) for r in resp.results]})
