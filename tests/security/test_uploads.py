"""Upload limits through the web: consultation attachments, event materials, the import page.

The kb tests check the allow-lists and size limits on their functions; here
the same files go through the pages and the API, where a request body can
be larger than the app's limit (413) or lie about its type (400), and
downloads must never be rendered by the browser as a page of this site.
"""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

from kb.models.consultation_invitation import ConsultationAttachment
from kb.models.event_extras import EventMaterial
from tests.security.conftest import PDF, World
from tests.web.conftest import csrf_token

HTML_AS_PDF = b"<html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def _count(world: World, model: type) -> int:
    with world.site.kb.sessions() as s:
        return s.query(model).count()


@pytest.mark.parametrize(("name", "data"), [
    ("evil.pdf", HTML_AS_PDF), ("tool.exe", EXE), ("page.html", b"<html></html>"), ("slides.pdf", b""),
    ("../../etc/passwd.pdf", HTML_AS_PDF), ("x.svg", b"<svg onload=alert(1)></svg>"),
])
def test_event_material_type_is_judged_by_content(world: World, web_clients: dict[str, FlaskClient],
                                                  name: str, data: bytes) -> None:
    event = world.ids["own"]["event"]
    before = _count(world, EventMaterial)
    client = web_clients["organizer"]
    page = client.post(f"/events/{event}/materials",
                       data={"csrf_token": csrf_token(client, "/events"), "file": (io.BytesIO(data), name)})
    api = world.site.app.test_client().post(
        f"/api/v1/events/{event}/materials", headers={"Authorization": f"Bearer {world.tokens['organizer']}"},
        data={"file": (io.BytesIO(data), name)})
    assert page.status_code == 400 and api.status_code == 400, (page.status_code, api.status_code)
    assert _count(world, EventMaterial) == before


def test_bodies_over_the_limit_are_413_everywhere(world: World, web_clients: dict[str, FlaskClient]) -> None:
    app = world.site.app
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 4096  # the 10 MB limit, scaled down so the test stays small
    try:
        big = PDF + b"0" * 8192
        event, invitation = world.ids["own"]["event"], world.ids["own"]["invitation"]
        organizer, talent, admin = web_clients["organizer"], web_clients["talent"], web_clients["admin"]
        checks = [
            organizer.post(f"/events/{event}/materials",
                           data={"csrf_token": csrf_token(organizer, "/events"), "file": (io.BytesIO(big), "a.pdf")}),
            talent.post(f"/consultations/invitations/{invitation}/advice",
                        data={"csrf_token": csrf_token(talent, "/account"), "text": "意见",
                              "attachments": (io.BytesIO(big), "a.pdf")}),
            admin.post("/admin/import", data={"csrf_token": csrf_token(admin, "/account"),
                                              "file": (io.BytesIO(b"{}\n" * 4000), "a.jsonl")}),
            app.test_client().post(f"/api/v1/events/{event}/materials",
                                   headers={"Authorization": f"Bearer {world.tokens['organizer']}"},
                                   data={"file": (io.BytesIO(big), "a.pdf")}),
        ]
        assert [r.status_code for r in checks] == [413] * 4
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


@pytest.fixture(scope="module")
def fresh_invitation(world: World) -> tuple[FlaskClient, int]:
    """An invitation still waiting for advice (web-005 gets an account and is invited)."""
    from kb.accounts import create_user
    from kb.actors import Actor
    from kb.consultations import invitations as cinv
    from kb.consultations.requests import create_request, open_request
    from kb.models import User
    from kb.talents import changes as kt
    from tests.security.conftest import _need
    from tests.web.conftest import login
    from tests.web.data import PASSWORD

    with world.site.kb.sessions() as s, s.begin():
        talent = kt.get_talent(s, "web-005")
        create_user(s, Actor.system("t"), "talent5", "talent", PASSWORD, talent=talent)
        researcher = Actor.of(s.query(User).filter_by(username="researcher").one())
        req = create_request(s, researcher, _need("附件测试咨询", "本单位"))
        open_request(s, researcher, req)
        s.flush()
        inv = cinv.invite(s, researcher, req, [talent])[0]
        s.flush()
        iid = inv.id
    client = world.site.app.test_client()
    login(client, "talent5")
    return client, iid


@pytest.mark.parametrize(("name", "data"), [("evil.pdf", HTML_AS_PDF), ("tool.exe", EXE), ("notes.html", b"<b>x</b>"),
                                           ("big.pdf", PDF + b"0" * (10 * 1024 * 1024))])
def test_advice_attachments_are_checked_through_the_page(world: World, fresh_invitation: tuple[FlaskClient, int],
                                                         name: str, data: bytes) -> None:
    from kb.models.consultation_invitation import ConsultationAdvice

    client, iid = fresh_invitation
    before = _count(world, ConsultationAttachment)
    resp = client.post(f"/consultations/invitations/{iid}/advice",
                       data={"csrf_token": csrf_token(client, "/account"), "text": "意见",
                             "attachments": (io.BytesIO(data), name)})
    assert resp.status_code in (400, 413), resp.status_code
    assert _count(world, ConsultationAttachment) == before
    with world.site.kb.sessions() as s:
        assert s.query(ConsultationAdvice).filter_by(invitation_id=iid).count() == 0  # nothing half-saved
    ok = client.post(f"/consultations/invitations/{iid}/advice", data={
        "csrf_token": csrf_token(client, "/account"), "text": "意见", "attachments": (io.BytesIO(PDF), "ok.pdf")},
        follow_redirects=False) if name == "big.pdf" else None
    if ok is not None:  # the last case: a good file still goes through afterwards
        assert ok.status_code == 302 and _count(world, ConsultationAttachment) == before + 1


def test_import_page_refuses_other_file_types(world: World, web_clients: dict[str, FlaskClient]) -> None:
    admin = web_clients["admin"]
    resp = admin.post("/admin/import", data={"csrf_token": csrf_token(admin, "/account"),
                                             "file": (io.BytesIO(EXE), "talents.exe")})
    assert resp.status_code == 400 or "unsupported file type" in resp.get_data(as_text=True)


def test_downloads_are_attachments_never_inline_pages(world: World, web_clients: dict[str, FlaskClient]) -> None:
    own = world.ids["own"]
    for client, url in [(web_clients["organizer"], f"/events/{own['event']}/materials/{own['material']}"),
                        (web_clients["talent"], f"/consultations/attachments/{own['attachment']}")]:
        resp = client.get(url)
        assert resp.status_code == 200
        assert resp.headers["Content-Disposition"].startswith("attachment")
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.mimetype == "application/pdf"
