"""Accounts: creation, passwords, API tokens and invitation links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict, NotFound, ValidationError
from kb.models import ROLES, AccountInvitation, ApiToken, Talent, User, utcnow
from kb.permissions import require

MIN_PASSWORD = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
INVITATION_TTL = timedelta(days=14)


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
        raise ValidationError("password: " + "; ".join(problems), {"password": "; ".join(problems)})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no account {username!r}")
    return user


def create_user(
    session: Session, actor: Actor, username: str, role: str, password: str | None = None, *,
    display_name: str = "", email: str = "", unit: str = "", talent: Talent | None = None,
    enforce_policy: bool = True,
) -> User:
    require(actor, "users.manage")
    username = username.strip()
    if not username or len(username) > 80:
        raise ValidationError("user name must be 1 to 80 characters", {"username": "1 to 80 characters"})
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; one of {', '.join(ROLES)}", {"role": "unknown role"})
    if role == "talent" and talent is None:
        raise ValidationError("a talent account must be linked to a talent", {"talent": "required"})
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"an account named {username!r} exists already")
    if talent is not None and session.scalar(select(User).where(User.talent_id == talent.id)):
        raise Conflict(f"talent {talent.external_id} already has an account")
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


def set_password(session: Session, user: User, new_password: str) -> None:
    check_password_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None


def change_password(session: Session, user: User, current: str, new_password: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationError("the current password is wrong", {"current_password": "wrong password"})
    set_password(session, user, new_password)
    audit(session, Actor.of(user), "user.password_change", "user", user.id, {})


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password is right and the account is active and not locked.

    After five wrong passwords in a row the account locks for fifteen minutes,
    so guessing is slow even across many IP addresses.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # same time for unknown names
        return None
    if not user.active or (user.locked_until and user.locked_until > now):
        return None
    if not user.password_hash or not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            audit(session, Actor.system("login"), "user.locked", "user", user.id, {})
        return None
    user.failed_logins = 0
    user.last_login_at = now
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str = "") -> str:
    """A new API token; only its hash is stored, so it is shown once."""
    token = "kb_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label))
    return token


#: ``ApiToken.last_used_at`` is refreshed at most this often.
TOKEN_USE_PRECISION = timedelta(minutes=1)


def user_for_token(session: Session, token: str) -> User | None:
    found = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == _digest(token))
    ).first()  # one round trip: this runs before every API request
    if found is None:
        return None
    row, user = found
    if not user.active:
        return None
    now = utcnow()
    # Minute precision is all "last used" needs; writing it on every API call made
    # each read request a write transaction, and SQLite serialises those.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_PRECISION:
        row.last_used_at = now
    return user


def invite(session: Session, actor: Actor, email: str, talent: Talent | None, role: str = "talent") -> str:
    """Create an invitation link token for a new account (a talent, by default)."""
    require(actor, "users.invite")
    if role != "talent":
        require(actor, "users.manage")
    if role == "talent" and talent is None:
        raise ValidationError("a talent invitation must name the talent", {"talent": "required"})
    if talent is not None and session.scalar(select(User).where(User.talent_id == talent.id)):
        raise Conflict(f"talent {talent.external_id} already has an account")
    token = secrets.token_urlsafe(32)
    session.add(AccountInvitation(
        token_hash=_digest(token), email=email, role=role, talent_id=talent.id if talent else None,
        invited_by_id=actor.user_id, expires_at=utcnow() + INVITATION_TTL,
    ))
    audit(session, actor, "user.invite", "talent", talent.external_id if talent else "", {"email": email})
    return token


def find_invitation(session: Session, token: str) -> AccountInvitation:
    inv = session.scalar(select(AccountInvitation).where(AccountInvitation.token_hash == _digest(token)))
    if inv is None or inv.used_at is not None or inv.expires_at < utcnow():
        raise NotFound("this invitation link is not valid any more")
    return inv


def accept_invitation(session: Session, token: str, username: str, password: str) -> User:
    inv = find_invitation(session, token)
    talent = session.get(Talent, inv.talent_id) if inv.talent_id else None
    user = create_user(
        session, Actor.system("invitation"), username, inv.role, password,
        email=inv.email, talent=talent, display_name=talent.name if talent else username,
    )
    inv.used_at = utcnow()
    return user



def set_active(session: Session, actor: Actor, user: User, active: bool) -> None:
    """Enable or disable an account; nobody can lock themselves out this way."""
    require(actor, "users.manage")
    if not active and actor.user_id == user.id:
        raise Conflict("you cannot disable the account you are logged in with")
    user.active = active
    audit(session, actor, "user.enable" if active else "user.disable", "user", user.id, {"username": user.username})


def reset_password(session: Session, actor: Actor, user: User) -> str:
    """Give the account a random one-time password, returned once for the admin to hand over."""
    require(actor, "users.manage")
    password = secrets.token_urlsafe(12)
    set_password(session, user, password)
    audit(session, actor, "user.password_reset", "user", user.id, {"username": user.username})
    return password
