"""The inbox every role reads, the header's unread badge, and marking read."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.models import Notification, User
from kb.notifications import notify
from tests.web.conftest import Site, post
from tests.web.data import ACCOUNTS

BADGE = re.compile(r'class="unread-badge"[^>]*>(\d+)</span>')


def _notify(site: Site, username: str, title: str, link: str = "/search") -> int:
    with site.kb.sessions() as session, session.begin():
        user = session.scalar(select(User).where(User.username == username))
        (row,) = notify(session, [user], "test.note", title, f"{title} body", link, email=False)
        session.flush()
        return row.id


def _badge(client: FlaskClient, path: str = "/search") -> int:
    m = BADGE.search(client.get(path).get_data(as_text=True))
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_every_role_sees_unread_count_in_the_header_and_the_message_in_its_inbox(
        site: Site, clients: dict[str, FlaskClient], username: str) -> None:
    client = clients[username]
    before = _badge(client)
    nid = _notify(site, username, f"邀请给 {username}")
    assert _badge(client) == before + 1
    html = client.get("/inbox").get_data(as_text=True)
    assert f"邀请给 {username}" in html and f"邀请给 {username} body" in html
    resp = post(client, "/inbox/read", {"id": str(nid), "next": "/search"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/search")
    assert _badge(client) == before


def test_mark_all_read_clears_the_badge(site: Site, clients: dict[str, FlaskClient]) -> None:
    for i in range(3):
        _notify(site, "researcher", f"第{i}条")
    assert _badge(clients["researcher"]) >= 3
    post(clients["researcher"], "/inbox/read", {})
    assert _badge(clients["researcher"]) == 0
    assert "暂无消息" in clients["researcher"].get("/inbox?unread=1").get_data(as_text=True)


def test_another_users_notification_cannot_be_marked_or_read(site: Site, clients: dict[str, FlaskClient]) -> None:
    nid = _notify(site, "talent", "只给人才的消息")
    post(clients["talent2"], "/inbox/read", {"id": str(nid)})
    assert "只给人才的消息" not in clients["talent2"].get("/inbox").get_data(as_text=True)
    with site.kb.sessions() as session:
        assert session.get(Notification, nid).read_at is None


def test_next_never_leaves_the_site(site: Site, clients: dict[str, FlaskClient]) -> None:
    nid = _notify(site, "talent", "外链")
    resp = post(clients["talent"], "/inbox/read", {"id": str(nid), "next": "//evil.example/x"})
    assert resp.headers["Location"].endswith("/inbox")


def test_visitor_is_sent_to_login(clients: dict[str, FlaskClient]) -> None:
    assert clients["anon"].get("/inbox").status_code in (302, 401)


def test_inbox_in_english(site: Site) -> None:
    from tests.web.conftest import login

    c = site.app.test_client()
    login(c, "organizer")
    c.get("/lang/en")
    _notify(site, "organizer", "x")
    html = c.get("/inbox").get_data(as_text=True)
    assert "Messages" in html and "Mark all as read" in html
