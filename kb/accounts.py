"""Accounts: creation, passwords, login, sessions and invitation links.

API tokens live in :mod:`kb.api_tokens`, password hashing in :mod:`kb.passwords`.
Everything that should end an account's access elsewhere — a password change
or reset, disabling the account, logging out — goes through
:func:`end_sessions`, which bumps the session generation every browser
session is checked against and (except logout) revokes the API tokens.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.api_tokens import digest, issue_token, revoke_all, user_for_token
from kb.audit import audit
from kb.db import rows_matched
from kb.errors import Conflict, NotFound, ValidationError
from kb.models import ROLES, AccountInvitation, Talent, User, utcnow
from kb.passwords import burn_verification, hash_password, needs_rehash, verify_password
from kb.permissions import require

__all__ = [
    "InvitationUsed", "accept_invitation", "authenticate", "change_password", "check_password_policy", "consume_invitation",
    "create_user", "end_sessions", "find_invitation", "get_user", "hash_password", "invite", "issue_token",
    "logout", "reset_password", "set_active", "set_password", "user_for_token",
]

MIN_PASSWORD = 10
INVITATION_TTL = timedelta(days=14)


class InvitationUsed(Conflict):
    """The invitation link was used (by a concurrent request, most likely) before this one could."""


def check_password_policy(password: str, username: str = "") -> None:
    """At least ten characters, not the user name, and not a single repeated character."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"at least {MIN_PASSWORD} characters")
    if username and username.lower() in password.lower():
        problems.append("must not contain the user name")
    if len(set(password)) < 4:
        problems.append("too few different characters")
    if problems:
        raise ValidationError("password: " + "; ".join(problems), field="password", code="password.weak",
                              params={"min": MIN_PASSWORD})


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no account {username!r}", code="account.not_found", params={"username": username})
    return user


def create_user(
    session: Session, actor: Actor, username: str, role: str, password: str | None = None, *,
    display_name: str = "", email: str = "", unit: str = "", talent: Talent | None = None,
    enforce_policy: bool = True,
) -> User:
    require(actor, "users.manage")
    username = username.strip()
    if not username or len(username) > 80:
        raise ValidationError("user name must be 1 to 80 characters", {"username": "1 to 80 characters"},
                              code="account.username.length")
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; one of {', '.join(ROLES)}", {"role": "unknown role"},
                              code="account.role.unknown")
    if role == "talent" and talent is None:
        raise ValidationError("a talent account must be linked to a talent", {"talent": "required"},
                              code="account.talent.required")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"an account named {username!r} exists already", code="account.username_taken",
                       params={"username": username})
    if talent is not None and session.scalar(select(User).where(User.talent_id == talent.id)):
        raise Conflict(f"talent {talent.external_id} already has an account",
                       code="account.talent.taken", params={"talent": talent.name})
    if password is not None and enforce_policy:
        check_password_policy(password, username)
    user = User(
        username=username, role=role, display_name=display_name or username, email=email, unit=unit,
        talent_id=talent.id if talent else None,
        password_hash=hash_password(password) if password else "",
    )
    session.add(user)
    session.flush()
    audit(session, actor, "user.create", "user", user.id, {"username": username, "role": role})
    return user


def end_sessions(session: Session, user: User, reason: str) -> int:
    """End every browser session of ``user``; unless the reason is a logout, revoke its API tokens too.

    Returns how many tokens were revoked. The generation is bumped in SQL, so
    two concurrent bumps both count.
    """
    session.execute(
        update(User).where(User.id == user.id).values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(user, ["session_generation"])
    return 0 if reason == "logout" else revoke_all(session, user, reason)


def logout(session: Session, user: User) -> None:
    """Logging out ends the account's sessions on the server, not only the cookie in this browser."""
    end_sessions(session, user, "logout")


def set_password(session: Session, user: User, new_password: str, reason: str = "password_change") -> int:
    """Store a new password and end the account's other access; how many API tokens were revoked."""
    check_password_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    return end_sessions(session, user, reason)


def change_password(session: Session, user: User, current: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationError("the current password is wrong", {"current_password": "wrong password"},
                              code="account.password.wrong")
    revoked = set_password(session, user, new_password)
    audit(session, Actor.of(user), "user.password_change", "user", user.id, {"tokens_revoked": revoked})


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password is right and the account is active, else None.

    Every failure costs the same single password verification — an unknown
    name, a disabled account or one without a password is checked against a
    dummy hash — so neither the answer nor its time tells them apart. There is
    no lock here: a lock anyone can trigger locks out the owner too. Guessing
    is slowed down per address and per account name by ``web/throttle.py``.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not user.password_hash:
        burn_verification(password)
        return None
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_login_at = utcnow()
    return user


def invite(session: Session, actor: Actor, email: str, talent: Talent | None, role: str = "talent") -> str:
    """Create an invitation link token for a new account (a talent, by default)."""
    require(actor, "users.invite")
    if role != "talent":
        require(actor, "users.manage")
    if role == "talent" and talent is None:
        raise ValidationError("a talent invitation must name the talent", {"talent": "required"},
                              code="account.talent.required")
    if talent is not None and session.scalar(select(User).where(User.talent_id == talent.id)):
        raise Conflict(f"talent {talent.external_id} already has an account",
                       code="account.talent.taken", params={"talent": talent.name})
    token = secrets.token_urlsafe(32)
    session.add(AccountInvitation(
        token_hash=digest(token), email=email, role=role, talent_id=talent.id if talent else None,
        invited_by_id=actor.user_id, expires_at=utcnow() + INVITATION_TTL,
    ))
    audit(session, actor, "user.invite", "talent", talent.external_id if talent else "", {"email": email})
    return token


def find_invitation(session: Session, token: str) -> AccountInvitation:
    inv = session.scalar(select(AccountInvitation).where(AccountInvitation.token_hash == digest(token)))
    if inv is None or inv.used_at is not None or inv.expires_at < utcnow():
        raise NotFound("this invitation link is not valid any more", code="invitation.link.invalid")
    return inv


def consume_invitation(session: Session, inv: AccountInvitation) -> None:
    """Mark the link used, or raise :class:`InvitationUsed` if another request got there first.

    One conditional UPDATE decides: the database lets only one transaction
    change ``used_at`` from NULL (PostgreSQL makes the loser wait for the
    winner's commit, then finds the row no longer matching; SQLite serialises
    the writers), so a link raced by several requests creates one account.
    """
    now = utcnow()
    result = session.execute(
        update(AccountInvitation)
        .where(AccountInvitation.id == inv.id, AccountInvitation.used_at.is_(None), AccountInvitation.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(result) != 1:
        raise InvitationUsed("this invitation link has already been used", code="invitation.link.used")
    inv.used_at = now


def accept_invitation(session: Session, token: str, username: str, password: str) -> User:
    inv = find_invitation(session, token)
    talent = session.get(Talent, inv.talent_id) if inv.talent_id else None
    # Validate before consuming, so a typo in the form does not spend the link
    # (the whole transaction rolls back anyway; this only saves a write).
    check_password_policy(password, username.strip())
    consume_invitation(session, inv)
    return create_user(
        session, Actor.system("invitation"), username, inv.role, password,
        email=inv.email, talent=talent, display_name=talent.name if talent else username,
    )


def set_active(session: Session, actor: Actor, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and revokes its tokens.

    Nobody can disable the account they are logged in with.
    """
    require(actor, "users.manage")
    if not active and actor.user_id == user.id:
        raise Conflict("you cannot disable the account you are logged in with", code="account.disable_self")
    user.active = active
    revoked = end_sessions(session, user, "disabled") if not active else 0
    audit(session, actor, "user.enable" if active else "user.disable", "user", user.id,
          {"username": user.username, **({"tokens_revoked": revoked} if not active else {})})


def reset_password(session: Session, actor: Actor, user: User) -> str:
    """Give the account a random one-time password, returned once for the admin to hand over.

    The account's sessions end and its API tokens are revoked: whoever had
    them may be the reason for the reset.
    """
    require(actor, "users.manage")
    password = secrets.token_urlsafe(12)
    revoked = set_password(session, user, password, reason="password_reset")
    audit(session, actor, "user.password_reset", "user", user.id, {"username": user.username, "tokens_revoked": revoked})
    return password
