"""A database refusal of a concurrent write is one translation for pages and API alike.

``web/errors.py`` answers a lost race (IntegrityError: a unique key taken at the same
moment; StaleDataError: a row changed since it was read; SQLite's "database is locked")
with 409 and a value the database cannot hold (DataError) with 400, for every route,
instead of a 500. Here each kind is raised from the domain call behind a page and
behind an API route; tests/reliability/test_concurrent_acceptance.py provokes the
real thing with two threads on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from kb.talents import changes as kt
from tests.security.conftest import World

REFUSALS: dict[str, tuple[Callable[[], Exception], int]] = {
    "unique key": (lambda: IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), 409),
    "row changed": (lambda: StaleDataError("UPDATE statement expected to update 1 row(s); 0 were matched."), 409),
    "sqlite lock": (lambda: OperationalError("UPDATE ...", {}, sqlite3.OperationalError("database is locked")), 409),
    "out of range": (lambda: DataError("INSERT ...", {}, Exception("integer out of range")), 400),
    "other failure": (lambda: OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error")), 500),
}


@pytest.mark.parametrize("kind", list(REFUSALS))
@pytest.mark.parametrize("where", ["page", "api"])
def test_a_database_refusal_is_answered_by_what_it_means(world: World, web_clients: dict[str, FlaskClient],
                                                         monkeypatch: pytest.MonkeyPatch, kind: str,
                                                         where: str) -> None:
    make, status = REFUSALS[kind]

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise make()

    monkeypatch.setattr(kt, "get_talent", refuse)
    talent = world.ids["own"]["talent"]
    if where == "api":
        resp = world.site.app.test_client().get(
            f"/api/v1/talents/{talent}", headers={"Authorization": f"Bearer {world.tokens['admin']}"})
        assert resp.status_code == status and resp.mimetype == "application/problem+json"
        assert resp.get_json()["status"] == status
    else:
        resp = web_clients["admin"].get(f"/talents/{talent}")
        assert resp.status_code == status and resp.mimetype == "text/html"
    # The request's session was rolled back: the next request on the same app works.
    monkeypatch.undo()
    assert web_clients["admin"].get(f"/talents/{talent}").status_code == 200
