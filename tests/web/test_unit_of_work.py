"""One unit of work per request: the web layer commits, views never do.

Each way a request can end (a page, a redirect, a form shown again, a 401,
a domain error, a crash, a server-error status, a streamed download) is
driven through the real application factory, and the test checks whether
what the view wrote is in the database afterwards, seen from a session of
its own as another process would see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, Response, stream_with_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.context import KnowledgeBase
from kb.errors import Conflict, NotFound, PermissionDenied, ValidationError
from kb.models import AuditEvent, Talent
from kb.talents.importer import import_file
from tests.kb.conftest import postgres_kb  # noqa: F401,F811 - fixture used by name
from tests.web.conftest import make_kb
from tests.web.data import TALENTS, jsonl
from web.sessions import db
from web.unit_of_work import after_commit

WEB = Path(__file__).resolve().parents[2] / "web"
COMMIT_CALL = re.compile(r"\.commit\(")
ACTOR = Actor.system("unit-of-work test")


def _write(marker: str) -> None:
    audit(db(), ACTOR, "test.unit_of_work", "test", marker, {})


def _raise(exc: Exception) -> Callable[[], object]:
    def view() -> object:
        _write(view.__name__)
        raise exc

    return view


# name → (view, the status the client sees, whether the view's write is kept)
OUTCOMES: dict[str, tuple[Callable[[], object], int, bool]] = {
    "page": (lambda: "ok", 200, True),
    "created": (lambda: ("made", 201), 201, True),
    "redirect": (lambda: Response(status=302, headers={"Location": "/"}), 302, True),
    "no_content": (lambda: Response(status=204), 204, True),
    "form_again": (lambda: ("fix the form", 400), 400, True),  # handled in place: its audit entry sticks
    "wrong_password": (lambda: ("no", 401), 401, True),  # the failed-login counter sticks
    "validation_error": (_raise(ValidationError("bad")), 400, False),
    "permission_denied": (_raise(PermissionDenied("no")), 403, False),
    "not_found": (_raise(NotFound("gone")), 404, False),
    "conflict": (_raise(Conflict("changed")), 409, False),
    "crash": (_raise(RuntimeError("boom")), 500, False),
    "server_error_status": (lambda: ("down", 503), 503, False),
}
# An anonymous visitor denied a page is sent to the login page: a redirect, and still nothing kept.
PAGE_STATUS = {"permission_denied": 302}


def _outcome_view(name: str) -> Callable[[], object]:
    view, _status, _kept = OUTCOMES[name]

    def run() -> object:
        _write(name)
        return view()

    return run


def _count(kb: KnowledgeBase, marker: str) -> int:
    with kb.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.object_id == marker)) or 0)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    kb = make_kb(tmp_path_factory.mktemp("uow"))
    kb.init_db()
    report = import_file(kb.sessions, Path("t.jsonl"), ACTOR, data=jsonl(TALENTS[:1]))
    assert report.ok, report.errors
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def app(kb: KnowledgeBase) -> Flask:
    from web.app import create_app

    app = create_app(kb, TESTING=True)
    for name in OUTCOMES:
        app.add_url_rule(f"/uow/{name}", f"uow_{name}", _outcome_view(name))
        app.add_url_rule(f"/api/uow/{name}", f"uow_api_{name}", _outcome_view(name))
    app.add_url_rule("/uow/stream", "uow_stream", _streamed)
    app.add_url_rule("/uow/after-commit/<marker>", "uow_after_commit", _after_commit_view)
    app.add_url_rule("/uow/after-commit-failed/<marker>", "uow_after_commit_failed", _after_commit_then_fail)
    app.add_url_rule("/uow/lost-update", "uow_lost_update", _lost_update)
    app.add_url_rule("/api/uow/lost-update", "uow_api_lost_update", _lost_update)
    app.add_url_rule("/uow/rollback-then-write", "uow_rollback_then_write", _rollback_then_write)
    return app


@pytest.mark.parametrize("prefix", ["/uow", "/api/uow"])
@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_a_request_keeps_its_writes_exactly_when_the_view_succeeded(
    app: Flask, kb: KnowledgeBase, prefix: str, name: str,
) -> None:
    _view, status, kept = OUTCOMES[name]
    if not prefix.startswith("/api"):
        status = PAGE_STATUS.get(name, status)
    before = _count(kb, name)
    resp = app.test_client().get(f"{prefix}/{name}")
    assert resp.status_code == status
    assert _count(kb, name) - before == (1 if kept else 0)


def _streamed() -> Response:
    """An audited download whose body is produced after the view returned."""
    _write("stream")
    factory = db().get_bind()

    def body() -> Iterator[str]:
        # The audit entry must be committed before the first byte goes out.
        with Session(factory) as other:
            seen = other.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_id == "stream"))
        yield f"{seen}\n"

    return Response(stream_with_context(body()), mimetype="text/plain")


def test_a_streamed_download_starts_after_its_audit_entry_is_committed(app: Flask, kb: KnowledgeBase) -> None:
    before = _count(kb, "stream")
    resp = app.test_client().get("/uow/stream")
    assert resp.status_code == 200
    assert int(resp.get_data(as_text=True)) == before + 1
    assert _count(kb, "stream") == before + 1


SEEN: dict[str, int] = {}


def _after_commit_view(marker: str) -> str:
    """Work handed to after_commit reads the committed row from another session, as the search drain does."""
    _write(marker)
    kb = _kb_of_app()
    after_commit(lambda: SEEN.__setitem__(marker, _count(kb, marker)))
    return "saved"


def _after_commit_then_fail(marker: str) -> str:
    _write(marker)
    after_commit(lambda: SEEN.__setitem__(marker, -1))
    raise ValidationError("refused after all")


def _kb_of_app() -> KnowledgeBase:
    from web.sessions import knowledge_base

    return knowledge_base()


def test_after_commit_work_sees_the_committed_row(app: Flask) -> None:
    resp = app.test_client().get("/uow/after-commit/visible")
    assert resp.status_code == 200
    assert SEEN["visible"] == 1


def test_after_commit_work_does_not_run_when_the_request_fails(app: Flask, kb: KnowledgeBase) -> None:
    resp = app.test_client().get("/uow/after-commit-failed/never")
    assert resp.status_code == 400
    assert "never" not in SEEN
    assert _count(kb, "never") == 0


THEIR_EDIT = [""]


def _lost_update() -> str:
    """Edit a talent while someone else's change to it commits first: the commit must fail."""
    talent = db().scalar(select(Talent).where(Talent.external_id == TALENTS[0]["id"]))
    assert talent is not None
    with _kb_of_app().sessions() as other, other.begin():
        theirs = other.get(Talent, talent.id)
        assert theirs is not None
        theirs.bio = THEIR_EDIT[0] = f"their edit #{theirs.version}"
    talent.bio = "my edit, based on the old version"
    _write("lost-update")
    return "saved"  # a success page the unit of work must not send


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_a_commit_that_loses_an_update_answers_409_and_keeps_nothing(
    app: Flask, kb: KnowledgeBase, prefix: str,
) -> None:
    resp = app.test_client().get(f"{prefix}/uow/lost-update")
    assert resp.status_code == 409
    if prefix:
        assert resp.mimetype == "application/problem+json"
    assert resp.headers["X-Frame-Options"] == "DENY", "the conflict response still carries the security headers"
    assert _count(kb, "lost-update") == 0
    with kb.sessions() as session:
        talent = session.scalar(select(Talent).where(Talent.external_id == TALENTS[0]["id"]))
        assert talent is not None and talent.bio == THEIR_EDIT[0]


@pytest.mark.postgres
def test_a_lost_update_is_a_409_on_postgresql_too(postgres_kb: KnowledgeBase) -> None:  # noqa: F811
    """PostgreSQL reports the stale row at commit through its own driver; the answer must not differ."""
    from web.app import create_app

    assert import_file(postgres_kb.sessions, Path("t.jsonl"), ACTOR, data=jsonl(TALENTS[:1])).ok
    app = create_app(postgres_kb, TESTING=True)
    app.add_url_rule("/api/uow/lost-update", "uow_api_lost_update", _lost_update)
    resp = app.test_client().get("/api/uow/lost-update")
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    assert _count(postgres_kb, "lost-update") == 0


def _rollback_then_write() -> tuple[str, int]:
    """A view that undoes a failed change and then writes (an audit entry of the page it shows)."""
    _write("undone")
    db().rollback()
    _write("kept-after-rollback")
    return "form again", 400


def test_what_a_view_writes_after_its_own_rollback_is_kept(app: Flask, kb: KnowledgeBase) -> None:
    resp = app.test_client().get("/uow/rollback-then-write")
    assert resp.status_code == 400
    assert _count(kb, "undone") == 0
    assert _count(kb, "kept-after-rollback") == 1


def test_sessions_do_not_leak_from_one_request_into_the_next(app: Flask, kb: KnowledgeBase) -> None:
    """A failed request inside a long-lived app context must not make the next one roll back."""
    with app.app_context():
        client = app.test_client()
        assert client.get("/uow/crash").status_code == 500
        before = _count(kb, "page")
        assert client.get("/uow/page").status_code == 200
        assert _count(kb, "page") == before + 1


def _web_modules() -> list[Path]:
    return sorted(p for p in WEB.rglob("*.py") if p.name != "unit_of_work.py")


@pytest.mark.parametrize("module", _web_modules(), ids=lambda p: str(p.relative_to(WEB)))
def test_no_view_commits(module: Path) -> None:
    """Only web/unit_of_work.py commits; a view that commits splits its request in two."""
    offending = [f"{module.name}:{n}: {line.strip()}" for n, line in enumerate(module.read_text().splitlines(), 1)
                 if COMMIT_CALL.search(line)]
    assert not offending, "commit in a web module; leave it to web.unit_of_work:\n" + "\n".join(offending)
