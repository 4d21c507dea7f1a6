"""The JSON API: bearer tokens, problem+json errors, contact rules, versions, OpenAPI coverage."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.accounts import get_user, issue_token
from kb.audit import recent
from tests.web.conftest import Site
from tests.web.data import ACCOUNTS, OTHER, OWN, UNAVAILABLE

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    out = {}
    with site.kb.sessions() as s, s.begin():
        for username in ACCOUNTS:
            out[username] = issue_token(s, get_user(s, username), "tests")
    return out


@pytest.fixture(scope="module")
def api(site: Site) -> Iterator[FlaskClient]:
    yield site.app.test_client()


def _h(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def test_requests_without_a_valid_token_are_401(api: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        resp = api.get("/api/v1/me", headers=headers)
        assert resp.status_code == 401
        assert resp.mimetype == PROBLEM
        body = resp.get_json()
        assert body["status"] == 401 and body["title"] and body["type"]
        assert "Bearer" in resp.headers["WWW-Authenticate"]


def test_a_browser_session_alone_does_not_grant_api_access(site: Site) -> None:
    from tests.web.conftest import login

    c = site.app.test_client()
    login(c, "admin")
    assert c.get("/api/v1/me").status_code == 401


def test_me(api: FlaskClient, tokens: dict[str, str]) -> None:
    body = api.get("/api/v1/me", headers=_h(tokens["talent"])).get_json()
    assert body["username"] == "talent" and body["role"] == "talent" and body["talent_id"] == OWN


def test_search_returns_evidence_and_never_contact(api: FlaskClient, tokens: dict[str, str]) -> None:
    resp = api.get("/api/v1/search?q=跨境理财通&k=3", headers=_h(tokens["researcher"]))
    assert resp.status_code == 200
    body = resp.get_json()
    hit = next(r for r in body["results"] if r["id"] == OWN)  # ranking is the indexer's business
    assert hit["evidence"][0]["text"] and hit["evidence"][0]["kind"] in ("direction", "profile", "bio", "output")
    assert "contact" not in resp.get_data(as_text=True) and "lin@example.org" not in resp.get_data(as_text=True)
    assert set(body["facets"]) >= {"category"}
    filtered = api.get("/api/v1/search?q=跨境&category=B,C&available=true", headers=_h(tokens["organizer"]))
    assert all(r["category"] in ("B", "C") and r["available"] for r in filtered.get_json()["results"])
    bad = api.get("/api/v1/search?q=x&k=1000", headers=_h(tokens["researcher"]))
    assert bad.status_code == 400 and bad.mimetype == PROBLEM
    assert api.get("/api/v1/search", headers=_h(tokens["researcher"])).status_code == 400
    assert api.get("/api/v1/search?q=x&field=nonsense", headers=_h(tokens["researcher"])).status_code == 400


def test_talent_contact_only_when_allowed(site: Site, api: FlaskClient, tokens: dict[str, str]) -> None:
    organizer = api.get(f"/api/v1/talents/{OWN}", headers=_h(tokens["organizer"])).get_json()
    assert "contact" not in organizer
    researcher = api.get(f"/api/v1/talents/{OWN}", headers=_h(tokens["researcher"]))
    assert researcher.get_json()["contact"]["email"] == "lin@example.org"
    assert researcher.headers["ETag"] == f'"{researcher.get_json()["version"]}"'
    with site.kb.sessions() as s:
        assert recent(s, action_prefix="contact.view", object_id=OWN)
    unavailable = api.get(f"/api/v1/talents/{UNAVAILABLE}", headers=_h(tokens["researcher"])).get_json()
    assert "contact" not in unavailable
    missing = api.get("/api/v1/talents/nope", headers=_h(tokens["researcher"]))
    assert missing.status_code == 404 and missing.mimetype == PROBLEM


def test_patch_with_if_match_and_conflict(api: FlaskClient, tokens: dict[str, str]) -> None:
    token = tokens["talent"]
    current = api.get(f"/api/v1/talents/{OWN}", headers=_h(token))
    etag = current.headers["ETag"]
    resp = api.patch(f"/api/v1/talents/{OWN}", json={"bio": "API 写入的简介"}, headers=_h(token, **{"If-Match": etag}))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["bio"] == "API 写入的简介"
    stale = api.patch(f"/api/v1/talents/{OWN}", json={"bio": "过期版本"}, headers=_h(token, **{"If-Match": etag}))
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    version = resp.get_json()["version"]
    body_version = api.patch(f"/api/v1/talents/{OWN}", json={"version": version, "available_for_consultation": True,
                                                             "contact": {"phone": "0755-99999999"}},
                             headers=_h(token))
    assert body_version.status_code == 200 and body_version.get_json()["contact"]["phone"] == "0755-99999999"
    proposal = api.patch(f"/api/v1/talents/{OWN}", json={"organization": "新单位"}, headers=_h(token))
    assert proposal.get_json()["pending_review"] == ["organization"]
    assert proposal.get_json()["organization"] != "新单位"


def test_patch_denials_and_validation(api: FlaskClient, tokens: dict[str, str]) -> None:
    other = api.patch(f"/api/v1/talents/{OTHER}", json={"bio": "x"}, headers=_h(tokens["talent"]))
    assert other.status_code == 403 and other.mimetype == PROBLEM
    certified = api.patch(f"/api/v1/talents/{OWN}", json={"category": "C"}, headers=_h(tokens["talent"]))
    assert certified.status_code == 403
    researcher = api.patch(f"/api/v1/talents/{OWN}", json={"bio": "x"}, headers=_h(tokens["researcher"]))
    assert researcher.status_code == 403
    invalid = api.patch(f"/api/v1/talents/{OWN}", json={"research_directions": []}, headers=_h(tokens["talent"]))
    assert invalid.status_code == 400 and "errors" in invalid.get_json()
    unknown = api.patch(f"/api/v1/talents/{OWN}", json={"shoe_size": 42}, headers=_h(tokens["talent"]))
    assert unknown.status_code == 400
    not_json = api.patch(f"/api/v1/talents/{OWN}", data="bio=x", headers=_h(tokens["talent"]))
    assert not_json.status_code == 400
    staff = api.patch(f"/api/v1/talents/{OTHER}", json={"certified_on": "2024-01-31"}, headers=_h(tokens["admin"]))
    assert staff.status_code == 200 and staff.get_json()["certified_on"] == "2024-01-31"


def test_outputs_crud(api: FlaskClient, tokens: dict[str, str]) -> None:
    h = _h(tokens["talent"])
    listing = api.get(f"/api/v1/talents/{OWN}/outputs", headers=h)
    assert listing.status_code == 200
    created = api.post(f"/api/v1/talents/{OWN}/outputs", json={"type": "paper", "title": "API 论文", "year": 2024},
                       headers=h)
    assert created.status_code == 201, created.get_json()
    oid = created.get_json()["id"]
    assert created.headers["Location"].endswith(f"/outputs/{oid}")
    version = created.headers["ETag"]
    updated = api.put(f"/api/v1/talents/{OWN}/outputs/{oid}", json={"type": "paper", "title": "API 论文（修订）"},
                      headers={**h, "If-Match": version})
    assert updated.status_code == 200 and updated.get_json()["title"] == "API 论文（修订）"
    stale = api.delete(f"/api/v1/talents/{OWN}/outputs/{oid}", headers={**h, "If-Match": version})
    assert stale.status_code == 409
    assert api.delete(f"/api/v1/talents/{OWN}/outputs/{oid}", headers={**h, "If-Match": updated.headers["ETag"]}
                      ).status_code == 204
    assert api.delete(f"/api/v1/talents/{OWN}/outputs/{oid}", headers=h).status_code == 404
    bad = api.post(f"/api/v1/talents/{OWN}/outputs", json={"type": "nonsense", "title": "x"}, headers=h)
    assert bad.status_code == 400
    other = api.post(f"/api/v1/talents/{OTHER}/outputs", json={"type": "paper", "title": "x"}, headers=h)
    assert other.status_code == 403


def test_unknown_api_path_and_method_are_problems(api: FlaskClient, tokens: dict[str, str]) -> None:
    assert api.get("/api/v1/nothing", headers=_h(tokens["admin"])).mimetype == PROBLEM
    resp = api.delete(f"/api/v1/talents/{OWN}", headers=_h(tokens["admin"]))
    assert resp.status_code == 405 and resp.mimetype == PROBLEM and "PATCH" in resp.headers["Allow"]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_every_api_route_is_in_the_openapi_document(app: Flask, api: FlaskClient) -> None:
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from web/api/openapi.py: {missing}"
    for path, ops in spec["paths"].items():  # and nothing documented that does not exist
        assert any(_openapi_path(r.rule) == path for r in app.url_map.iter_rules()), path
        assert all(op.get("responses") for op in ops.values())
