"""The token's own account's API tokens: list them, revoke one.

There is deliberately no way to create a token through the API: a stolen
token must not be able to mint a successor that outlives its revocation.
Tokens are created on the account page or with ``kb users token``.
"""

from __future__ import annotations

from flask import Response, jsonify

from kb import api_tokens
from kb.models import utcnow
from web.api import bp
from web.sessions import current_account, current_actor, db


@bp.get("/tokens")
def list_tokens() -> Response:
    user = current_account()
    assert user is not None  # authenticate() guarantees it
    now = utcnow()
    rows = api_tokens.list_tokens(db(), current_actor(), user)  # type: ignore[arg-type]
    return jsonify({"tokens": [api_tokens.token_dict(t, now) for t in rows]})


@bp.delete("/tokens/<token_id>")
def revoke_token(token_id: str) -> Response:
    """Revoke one of the account's tokens (an administrator: anyone's); 404 for a token one may not see."""
    api_tokens.revoke(db(), current_actor(), token_id)  # type: ignore[arg-type]
    return Response(status=204)
