"""Credentials in the domain, on SQLite and PostgreSQL: one invitation link makes one
account however many requests race for it; every login failure costs one argon2
verification; the events that end an account's access revoke its tokens."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from kb import accounts, api_tokens
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.errors import Conflict, NotFound
from kb.models import AccountInvitation, ApiToken, User, utcnow

SYSTEM = Actor.system("credential tests")
PASSWORD = "a-long-enough-secret-7"


def _race(kb: KnowledgeBase, contenders: int, attempt: Callable[[int], None]) -> list[BaseException | None]:
    """Run ``attempt(i)`` in ``contenders`` threads released at the same instant; each thread's error or None."""
    start = threading.Barrier(contenders)
    outcome: list[BaseException | None] = [None] * contenders

    def run(i: int) -> None:
        start.wait()
        try:
            attempt(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcome[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a contender hung"
    return outcome


@pytest.mark.parametrize("contenders", [2, 3, 8])
def test_a_raced_invitation_link_creates_exactly_one_account(kb: KnowledgeBase, contenders: int) -> None:
    """Each contender picks its own user name (a researcher invitation has no talent whose
    unique account could hide the problem); only the conditional UPDATE can stop the extra ones."""
    with kb.sessions() as s, s.begin():
        link = accounts.invite(s, SYSTEM, "new@example.org", None, role="researcher")

    def accept(i: int) -> None:
        with kb.sessions() as s, s.begin():
            accounts.accept_invitation(s, link, f"newcomer{i}", PASSWORD)

    outcome = _race(kb, contenders, accept)
    winners = [i for i, exc in enumerate(outcome) if exc is None]
    assert len(winners) == 1, outcome
    # a loser was either beaten at the UPDATE or arrived after the winner committed
    assert all(isinstance(exc, accounts.InvitationUsed | NotFound) for exc in outcome if exc is not None), outcome
    with kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username.like("newcomer%"))) == 1
        assert s.scalar(select(User.username).where(User.username.like("newcomer%"))) == f"newcomer{winners[0]}"
        assert s.scalar(select(AccountInvitation.used_at)) is not None


def test_a_used_or_expired_link_is_refused_and_a_failed_form_does_not_spend_it(kb: KnowledgeBase) -> None:
    with kb.sessions() as s, s.begin():
        link = accounts.invite(s, SYSTEM, "x@example.org", None, role="organizer")
        stale = accounts.invite(s, SYSTEM, "y@example.org", None, role="organizer")
        s.flush()
        s.scalars(select(AccountInvitation)).all()[-1].expires_at = utcnow() - timedelta(seconds=1)
    with kb.sessions() as s, pytest.raises(NotFound), s.begin():
        accounts.accept_invitation(s, stale, "late", PASSWORD)
    with kb.sessions() as s, pytest.raises(Exception, match="password"), s.begin():
        accounts.accept_invitation(s, link, "typo", "short")
    with kb.sessions() as s, s.begin():
        accounts.accept_invitation(s, link, "first", PASSWORD)
    with kb.sessions() as s, pytest.raises(NotFound), s.begin():
        accounts.accept_invitation(s, link, "second", PASSWORD)


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification made, by the hash it was made against."""
    made: list[str] = []
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        made.append(hash if isinstance(hash, str) else hash.decode())
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return made


CASES = ["unknown", "disabled", "no password", "wrong password", "right password, disabled"]


@pytest.mark.parametrize("case", CASES)
def test_every_login_failure_costs_exactly_one_verification(kb: KnowledgeBase, verifications: list[str],
                                                            case: str) -> None:
    with kb.sessions() as s, s.begin():
        accounts.create_user(s, SYSTEM, "alice", "researcher", PASSWORD)
        accounts.create_user(s, SYSTEM, "bob", "researcher", None)
        off = accounts.create_user(s, SYSTEM, "carol", "researcher", PASSWORD)
        admin = accounts.create_user(s, SYSTEM, "root", "admin", PASSWORD)
        s.flush()
        accounts.set_active(s, Actor.of(admin), off, False)
    username, password = {
        "unknown": ("nobody", PASSWORD), "disabled": ("carol", "wrong-guess-12"), "no password": ("bob", PASSWORD),
        "wrong password": ("alice", "wrong-guess-12"), "right password, disabled": ("carol", PASSWORD),
    }[case]
    verifications.clear()
    with kb.sessions() as s, s.begin():
        assert accounts.authenticate(s, username, password) is None
    assert len(verifications) == 1
    # a disabled account is never checked against its real hash: the answer cannot reveal its password
    with kb.sessions() as s:
        real = s.scalar(select(User.password_hash).where(User.username == username))
    assert case == "wrong password" or verifications[0] != real
    verifications.clear()
    with kb.sessions() as s, s.begin():
        assert accounts.authenticate(s, "alice", PASSWORD) is not None
    assert len(verifications) == 1


def test_no_number_of_wrong_passwords_locks_an_account(kb: KnowledgeBase) -> None:
    """The lock anyone could trigger is gone; slowing guessing down is the web throttle's job."""
    with kb.sessions() as s, s.begin():
        accounts.create_user(s, SYSTEM, "admin2", "admin", PASSWORD)
    with kb.sessions() as s, s.begin():
        for _ in range(12):
            assert accounts.authenticate(s, "admin2", "wrong-guess-12") is None
    with kb.sessions() as s, s.begin():
        assert s.scalar(select(User.failed_logins).where(User.username == "admin2")) == 12
        assert accounts.authenticate(s, "admin2", PASSWORD) is not None
    with kb.sessions() as s:
        assert s.scalar(select(User.failed_logins).where(User.username == "admin2")) == 0


def test_a_scrypt_hash_from_before_argon2_still_logs_in_and_is_upgraded(kb: KnowledgeBase) -> None:
    from werkzeug.security import generate_password_hash

    with kb.sessions() as s, s.begin():
        user = accounts.create_user(s, SYSTEM, "old-timer", "researcher", None)
        user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    with kb.sessions() as s, s.begin():
        assert accounts.authenticate(s, "old-timer", PASSWORD) is not None
    with kb.sessions() as s:
        assert s.scalar(select(User.password_hash).where(User.username == "old-timer")).startswith("$argon2id$")


EVENTS: dict[str, Callable[..., object]] = {
    "password change": lambda s, admin, user: accounts.change_password(s, user, PASSWORD, "another-long-secret-8"),
    "password reset": lambda s, admin, user: accounts.reset_password(s, Actor.of(admin), user),
    "disable": lambda s, admin, user: accounts.set_active(s, Actor.of(admin), user, False),
    "logout": lambda s, admin, user: accounts.logout(s, user),
}


@pytest.mark.parametrize("event", EVENTS)
def test_events_end_sessions_and_all_but_logout_revoke_tokens(kb: KnowledgeBase, event: str) -> None:
    with kb.sessions() as s, s.begin():
        admin = accounts.create_user(s, SYSTEM, "boss", "admin", PASSWORD)
        user = accounts.create_user(s, SYSTEM, "dana", "researcher", PASSWORD)
        s.flush()
        secrets = [api_tokens.issue_token(s, user, f"t{i}") for i in range(3)]
        generation = user.session_generation
    with kb.sessions() as s, s.begin():
        EVENTS[event](s, s.get(User, admin.id), s.get(User, user.id))
    with kb.sessions() as s, s.begin():
        assert s.get(User, user.id).session_generation == generation + 1  # type: ignore[union-attr]
        working = [api_tokens.user_for_token(s, t) is not None for t in secrets]
        reasons = set(s.scalars(select(ApiToken.revoked_reason).where(ApiToken.user_id == user.id)))
    if event == "logout":
        assert all(working) and reasons == {""}
    else:
        assert not any(working)
        assert reasons == {{"password change": "password_change", "password reset": "password_reset",
                            "disable": "disabled"}[event]}


@pytest.mark.parametrize("offset", [timedelta(days=-1), timedelta(seconds=-1), timedelta(minutes=1), None])
def test_an_expired_token_is_refused(kb: KnowledgeBase, offset: timedelta | None) -> None:
    with kb.sessions() as s, s.begin():
        user = accounts.create_user(s, SYSTEM, "erin", "researcher", PASSWORD)
        s.flush()
        issued = api_tokens.issue(s, user, "ci", lifetime_days=30)
        issued.token.expires_at = utcnow() + offset if offset is not None else None
    with kb.sessions() as s, s.begin():
        found = api_tokens.user_for_token(s, issued.secret)
    assert (found is not None) == (offset is None or offset > timedelta(0))


def test_only_the_owner_and_account_managers_see_and_revoke_a_token(kb: KnowledgeBase) -> None:
    with kb.sessions() as s, s.begin():
        owner = accounts.create_user(s, SYSTEM, "frank", "researcher", PASSWORD)
        others = [accounts.create_user(s, SYSTEM, f"other-{r}", r, PASSWORD)
                  for r in ("researcher", "organizer", "commissioner")]
        admin = accounts.create_user(s, SYSTEM, "grace", "admin", PASSWORD)
        s.flush()
        issued = api_tokens.issue(s, owner, "mine")
        public_id = issued.token.public_id
    with kb.sessions() as s, s.begin():
        for other in others:
            with pytest.raises(NotFound):
                api_tokens.revoke(s, Actor.of(other), public_id)
            with pytest.raises(NotFound):
                api_tokens.list_tokens(s, Actor.of(other), s.get(User, owner.id))  # type: ignore[arg-type]
        assert [t.public_id for t in api_tokens.list_tokens(s, Actor.of(admin), s.get(User, owner.id))] == [public_id]  # type: ignore[arg-type]
        assert api_tokens.user_for_token(s, issued.secret) is not None
        api_tokens.revoke(s, Actor.of(admin), public_id)
        api_tokens.revoke(s, Actor.of(owner), public_id)  # again: no error, the first reason stays
    with kb.sessions() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
        assert row is not None and row.revoked_reason == "admin"
        assert api_tokens.user_for_token(s, issued.secret) is None


def test_an_admin_cannot_disable_itself(kb: KnowledgeBase) -> None:
    with kb.sessions() as s, s.begin():
        admin = accounts.create_user(s, SYSTEM, "harry", "admin", PASSWORD)
        s.flush()
        with pytest.raises(Conflict):
            accounts.set_active(s, Actor.of(admin), admin, False)


def test_migration_0005_keeps_accounts_and_tokens_and_gives_each_token_an_id(kb: KnowledgeBase) -> None:
    """Down to before 0005, a user with a token (and a lock), then up again: nothing lost —
    dropping ``users.locked_until`` must not rebuild ``users``, which on SQLite cascades into its children."""
    from alembic import command
    from sqlalchemy import text

    from kb import schema

    cfg = schema.alembic_config(kb.engine.url.render_as_string(hide_password=False))
    with kb.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005-1")
    with kb.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (username, display_name, email, role, unit, password_hash, active, preferred_language,"
            " failed_logins, locked_until, created_at) VALUES ('old', 'Old', '', 'researcher', '', '', :t, 'zh', 3,"
            " :now, :now)"), {"t": True, "now": utcnow()})
        uid = conn.execute(text("SELECT id FROM users WHERE username = 'old'")).scalar_one()
        for i in range(3):
            conn.execute(text("INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (:u, :h, '', :now)"),
                         {"u": uid, "h": f"{i:064d}", "now": utcnow()})
    kb.init_db()
    with kb.sessions() as s:
        user = s.scalar(select(User).where(User.username == "old"))
        assert user is not None and user.session_generation == 0 and user.failed_logins == 3
        ids = list(s.scalars(select(ApiToken.public_id).where(ApiToken.user_id == uid)))
        assert len(ids) == 3 and len(set(ids)) == 3 and all(len(i) == 16 for i in ids)
        assert set(s.scalars(select(ApiToken.revoked_reason))) == {""}


@pytest.mark.parametrize("days", [None, 7])
def test_kb_users_token_prints_a_working_token_with_the_asked_lifetime(tmp_path, days: int | None) -> None:  # type: ignore[no-untyped-def]
    import os

    from click.testing import CliRunner

    from kb.cli import main
    from kb.settings import load_settings

    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("KB_")}
    env.update({"KB_DATA_DIR": str(tmp_path), "KB_CONFIG": ""})

    def kb_cli(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    kb_cli("init")
    kb_cli("users", "create", "ivy", "--role", "researcher", "--password", PASSWORD)
    secret = kb_cli("users", "token", "ivy", *(["--days", str(days)] if days else [])).strip()
    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": tmp_path}))
    try:
        with kb.sessions() as s, s.begin():
            assert api_tokens.user_for_token(s, secret) is not None
            expires = s.scalar(select(ApiToken.expires_at))
        if days is None:
            assert expires is None
        else:
            assert expires is not None and abs(expires - (utcnow() + timedelta(days=days))) < timedelta(minutes=5)
    finally:
        kb.close()
