"""API tokens: issue, look up, list and revoke.

Only a SHA-256 of the secret is stored, so a token is shown once. A token
works while it is neither revoked nor expired and its account is active.
Its owner revokes it (account page or API), an administrator revokes any
(accounts page), and every event that should end an account's access — a
password change or reset, disabling the account — revokes all of them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.db import rows_matched
from kb.errors import NotFound, ValidationError
from kb.models import ApiToken, User, utcnow
from kb.permissions import allowed

TOKEN_PREFIX = "kb_"
MAX_LABEL = 100
#: Lifetimes offered on the account page, in days; None is "never expires".
LIFETIMES = (30, 90, 365, None)
#: ``ApiToken.last_used_at`` is refreshed at most this often.
TOKEN_USE_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """The secret (shown once) and the stored row."""

    secret: str
    token: ApiToken


def issue(session: Session, user: User, label: str = "", *, lifetime_days: int | None = None,
          actor: Actor | None = None) -> IssuedToken:
    label = " ".join(label.split())
    if len(label) > MAX_LABEL:
        raise ValidationError(f"label: at most {MAX_LABEL} characters", {"label": f"at most {MAX_LABEL} characters"},
                              code="token.label.length", params={"max": MAX_LABEL})
    if lifetime_days is not None and not 1 <= lifetime_days <= 3650:
        raise ValidationError("lifetime: 1 to 3650 days", {"lifetime_days": "1..3650"}, code="token.lifetime")
    now = utcnow()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        public_id=secrets.token_hex(8), user_id=user.id, token_hash=digest(secret), label=label, created_at=now,
        expires_at=now + timedelta(days=lifetime_days) if lifetime_days else None,
    )
    session.add(row)
    session.flush()
    audit(session, actor or Actor.of(user), "token.create", "user", user.id,
          {"token": row.public_id, "label": label, "expires_at": row.expires_at.isoformat() if row.expires_at else None})
    return IssuedToken(secret, row)


def issue_token(session: Session, user: User, label: str = "", lifetime_days: int | None = None) -> str:
    """A new token's secret, for the CLI and tests that only need the string."""
    return issue(session, user, label, lifetime_days=lifetime_days, actor=Actor.system("token")).secret


def user_for_token(session: Session, secret: str) -> User | None:
    """The account a request's bearer token stands for, or None if the token does not work (any more)."""
    found = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == digest(secret))
    ).first()  # one round trip: this runs before every API request
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if not user.active or row.state(now) != "active":
        return None
    # Minute precision is all "last used" needs; writing it on every API call made
    # each read request a write transaction, and SQLite serialises those.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_PRECISION:
        row.last_used_at = now
    return user


def list_tokens(session: Session, actor: Actor, user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first: for the owner and for account managers only."""
    if not _may_manage(actor, user.id):
        raise NotFound("no such account", code="account.missing")
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def get_token(session: Session, actor: Actor, public_id: str) -> ApiToken:
    """A token its owner or an account manager may see; anyone else gets the same 404 as for no token."""
    row = session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if row is None or not _may_manage(actor, row.user_id):
        raise NotFound("no such token", code="token.not_found")
    return row


def revoke(session: Session, actor: Actor, public_id: str) -> ApiToken:
    """Revoke one token. Revoking a revoked token changes nothing and is not an error."""
    row = get_token(session, actor, public_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = "owner" if actor.user_id == row.user_id else "admin"
        audit(session, actor, "token.revoke", "user", row.user_id, {"token": row.public_id, "label": row.label})
    return row


def revoke_all(session: Session, user: User, reason: str) -> int:
    """Revoke every working token of ``user`` (password change or reset, account disabled); how many."""
    result = session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return rows_matched(result)


def token_dict(row: ApiToken, now: datetime | None = None) -> dict[str, object]:
    """The API's view of a token: never the secret or its hash."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() + "Z" if value else None

    return {
        "id": row.public_id, "label": row.label, "state": row.state(now or utcnow()),
        "created_at": iso(row.created_at), "last_used_at": iso(row.last_used_at),
        "expires_at": iso(row.expires_at), "revoked_at": iso(row.revoked_at),
        "revoked_reason": row.revoked_reason or None,
    }


def _may_manage(actor: Actor, owner_id: int) -> bool:
    return actor.user_id == owner_id or allowed(actor, "users.manage")
