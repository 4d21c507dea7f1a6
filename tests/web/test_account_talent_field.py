"""An administrator links an account or an invitation to a talent by name (or id), not only by
an id that no page shows. A text that fits nobody or several people comes back on the form
with the reason on the field and everything typed kept; nothing is created."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.models import Talent, User
from tests.web.conftest import Site, csrf_token


def _linked(site: Site, username: str) -> str | None:
    with site.kb.sessions() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            return None
        return s.scalar(select(Talent.external_id).where(Talent.id == user.talent_id))


@pytest.mark.parametrize(("typed", "linked"), [("陈雅琳", "web-003"), ("web-004", "web-004")])
def test_an_account_is_linked_by_name_or_id(site: Site, clients: dict[str, FlaskClient], typed: str,
                                             linked: str) -> None:
    admin = clients["admin"]
    username = f"t-{linked}"
    resp = admin.post("/admin/users", data={"csrf_token": csrf_token(admin, "/account"), "username": username,
                                            "role": "talent", "talent": typed, "password": "quiet-river-2026x"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[-800:]
    assert _linked(site, username) == linked


@pytest.mark.parametrize(("typed", "says"), [
    ("不存在的人", "没有找到“不存在的人”这位人才"),
    ("深", "位人才符合“深”"),  # three organizations start with 深
])
def test_an_unclear_talent_keeps_the_form(site: Site, clients: dict[str, FlaskClient], typed: str, says: str) -> None:
    admin = clients["admin"]
    admin.get("/lang/zh")
    resp = admin.post("/admin/users", data={"csrf_token": csrf_token(admin, "/account"), "username": "kept-name",
                                            "role": "talent", "talent": typed, "password": "quiet-river-2026x"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and says in html
    assert 'value="kept-name"' in html and f'value="{typed}"' in html
    assert _linked(site, "kept-name") is None
    if typed == "深":
        assert re.search(r"吴志强（web-004）", html)


def test_an_invitation_names_the_talent(clients: dict[str, FlaskClient]) -> None:
    admin = clients["admin"]
    form = admin.get("/admin/invite").get_data(as_text=True)
    assert "人才姓名或编号" in form
    resp = admin.post("/admin/invite", data={"csrf_token": csrf_token(admin, "/admin/invite"),
                                             "email": "huang@example.org", "talent": "Huang Haiyan", "role": "talent"})
    assert resp.status_code == 200 and 'id="invite-link"' in resp.get_data(as_text=True), resp.get_data(as_text=True)[-1500:]
