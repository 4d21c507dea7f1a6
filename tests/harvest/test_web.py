"""Harvesting through the profile page and the API: upload → preview → claim, delegated
editing by a commissioner, refusals for someone else's profile, and the claimed output
found by search for its abstract's topic right after the claim."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.accounts import get_user, issue_token
from kb.models import Revision
from tests.harvest.conftest import DATA
from tests.web.conftest import Site, build_site, csrf_token, post
from tests.web.data import ACCOUNTS, OTHER, OWN


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from build_site(tmp_path_factory)


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    with site.kb.sessions() as s, s.begin():
        return {u: issue_token(s, get_user(s, u), "tests") for u in ACCOUNTS}


@pytest.fixture(scope="module")
def api(site: Site) -> FlaskClient:
    return site.app.test_client()


def _upload(client: FlaskClient, talent: str, name: str):  # type: ignore[no-untyped-def]
    return post(client, f"/talents/{talent}/outputs/import",
                {"file": (io.BytesIO((DATA / name).read_bytes()), name), "format": "auto"},
                content_type="multipart/form-data")


def _revisions(site: Site, talent: str) -> list[Revision]:
    with site.kb.sessions() as s:
        return list(s.scalars(select(Revision).where(Revision.talent_external_id == talent).order_by(Revision.id)))


def test_talent_uploads_previews_and_claims_on_its_own_profile(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    assert "导入成果" in c.get(f"/talents/{OWN}").get_data(as_text=True)
    resp = _upload(c, OWN, "scholar.bib")
    assert resp.status_code == 302 and "batch=" in resp.headers["Location"]
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="claim" value="(\d+)"[^>]*?( checked)?>', page)
    assert len(boxes) == 6  # 7 items, one unreadable
    assert sum(1 for _, checked in boxes if checked) == 4  # items 3 (same as 2) and 4 (on the profile) are not
    assert "可能重复" in page and "无法读取" in page
    batch = re.search(r'name="batch" value="([0-9a-f]+)"', page).group(1)
    checked = [v for v, on in boxes if on]
    resp = post(c, f"/talents/{OWN}/outputs/import/claim", {"batch": batch, "claim": checked})
    assert resp.status_code == 302
    profile = c.get(f"/talents/{OWN}").get_data(as_text=True)
    assert "Hedging Currency Risk with Options" in profile
    assert "DOI 10.1016/j.pacfin.2024.102301" in profile and "Shuheng Lin; Anna Müller" in profile
    rev = _revisions(site, OWN)[-1]
    assert (rev.action, rev.delegated) == ("harvest", False)


def test_page_in_english(clients: dict[str, FlaskClient]) -> None:
    c = clients["talent2"]
    c.get("/lang/en")
    page = c.get("/talents/web-002/outputs/import").get_data(as_text=True)
    c.get("/lang/zh_CN")
    assert "Import outputs" in page and "Upload and preview" in page


def test_a_talent_cannot_import_into_someone_elses_profile(site: Site, clients: dict[str, FlaskClient],
                                                          api: FlaskClient, tokens: dict[str, str]) -> None:
    before = len(_revisions(site, OTHER))
    c = clients["talent"]
    assert c.get(f"/talents/{OTHER}/outputs/import").status_code == 403
    assert _upload(c, OTHER, "cnki_gbk.ris").status_code == 403
    assert "导入成果" not in c.get(f"/talents/{OTHER}").get_data(as_text=True)
    resp = api.post(f"/api/v1/talents/{OTHER}/outputs/import", headers={"Authorization": f"Bearer {tokens['talent']}"},
                    data={"file": (io.BytesIO((DATA / "cnki_gbk.ris").read_bytes()), "a.ris")})
    assert resp.status_code == 403
    for role in ("researcher", "organizer"):
        assert clients[role].get(f"/talents/{OTHER}/outputs/import").status_code == 403
    assert len(_revisions(site, OTHER)) == before


def test_commissioner_harvests_on_a_talents_behalf_through_the_api_and_search_finds_it(
        site: Site, api: FlaskClient, tokens: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {tokens['commissioner']}"}
    resp = api.post(f"/api/v1/talents/{OTHER}/outputs/import", headers=auth,
                    data={"file": (io.BytesIO((DATA / "endnote.xml").read_bytes()), "lin.xml")})
    assert resp.status_code == 200, resp.get_json()
    preview = resp.get_json()
    assert (preview["format"], preview["parsed"], preview["failed"]) == \
        ("endnote-xml", 3, [{"item": 4, "error": "a record without <titles>"}])
    first = preview["items"][0]
    assert first["values"]["doi"] == "10.1108/cfri-01-2022-0012" and first["duplicate"] is None
    resp = api.post(f"/api/v1/talents/{OTHER}/outputs/import", headers=auth,
                    json={"batch": preview["batch"], "claim": [first["id"]]})
    claimed_at = time.monotonic()
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["created"] == 1 and body["outputs"][0]["authors"] == ["Shuheng Lin", "Jing Chen"]
    assert [i["state"] for i in body["items"]] == ["claimed", "rejected", "rejected", "failed"]
    rev = _revisions(site, OTHER)[-1]
    assert (rev.action, rev.actor_label, rev.delegated) == ("harvest", "commissioner", True)
    found = api.get("/api/v1/search", query_string={"q": "macroprudential indicators for corporate cash pool flows"},
                    headers=auth).get_json()
    assert time.monotonic() - claimed_at < 1.0
    hit = next(r for r in found["results"] if r["id"] == OTHER)
    assert any(e["kind"] == "output" and "cash pool" in e["text"].lower() for e in hit["evidence"])


def test_api_refuses_a_confirm_of_unknown_items_and_a_second_confirm(api: FlaskClient, tokens: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {tokens['talent']}"}
    preview = api.post(f"/api/v1/talents/{OWN}/outputs/import", headers=auth,
                       data={"file": (io.BytesIO((DATA / "patents_en.xlsx").read_bytes()), "p.xlsx")}).get_json()
    ids = [i["id"] for i in preview["items"]]
    bad = api.post(f"/api/v1/talents/{OWN}/outputs/import", headers=auth,
                   json={"batch": preview["batch"], "claim": [max(ids) + 1000]})
    assert bad.status_code == 400
    ok = api.post(f"/api/v1/talents/{OWN}/outputs/import", headers=auth, json={"batch": preview["batch"], "claim": ids})
    assert ok.status_code == 200 and ok.get_json()["created"] == 2
    again = api.post(f"/api/v1/talents/{OWN}/outputs/import", headers=auth,
                     json={"batch": preview["batch"], "claim": ids})
    assert again.status_code == 409
    unreadable = api.post(f"/api/v1/talents/{OWN}/outputs/import", headers=auth,
                          data={"file": (io.BytesIO(b"%PDF-1.4 not a bibliography"), "a.pdf")})
    assert unreadable.status_code == 400


def test_csrf_is_required_for_the_upload(clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    csrf_token(c, "/account")
    resp = c.post(f"/talents/{OWN}/outputs/import", data={"file": (io.BytesIO(b"@article{a, title={x}}"), "a.bib")},
                  content_type="multipart/form-data")
    assert resp.status_code == 400
