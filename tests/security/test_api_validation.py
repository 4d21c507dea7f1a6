"""The request checks of ``web/api/validation.py``, generated over every operation of the
published document: each class of malformed input the review found (wrong JSON types,
non-object bodies, absurd numbers in headers, query and bodies, hostile JSON) is a 400
problem document naming what was wrong — never a 500, never reaching the view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.security.conftest import World

WRONG: dict[str, list[Any]] = {  # values of another type than the one declared
    "string": [12345, ["a"], {"a": 1}, True],
    "array": [7, "a", {"a": "b"}],  # and lists holding items of another type (see _wrong_values)
    "boolean": ["yes", "false", 1, [True]],
    "integer": ["7", 1.5, [7], 10**30, -(10**30), True],
    "object": [[], "a", 3],
}
HOSTILE_BODIES: list[bytes] = [
    b"[]", b'"text"', b"12", b"null", b"true",
    b"[" * 50_000 + b"]" * 50_000,  # RecursionError inside json.loads
    b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
    b'{"x": NaN}', b'{"x": Infinity}', b'{"x": ' + b"9" * 6_000 + b"}",
    b"\xff\xfe{}", b'{"x": "\xed\xa0\x80"}', b"{", b"",
]


def _spec(world: World) -> dict[str, Any]:
    return world.site.app.test_client().get("/api/v1/openapi.json").get_json()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _url(path: str) -> str:
    return "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)


def _json_operations(world: World) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    spec = _spec(world)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield method.upper(), path, _resolve(spec, content["application/json"]["schema"]), op


@pytest.fixture(scope="module")
def admin(world: World) -> tuple[FlaskClient, dict[str, str]]:
    return world.site.app.test_client(), {"Authorization": f"Bearer {world.tokens['admin']}"}


def _refused(resp: Any, code: str) -> dict[str, Any]:
    assert resp.status_code == 400, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["error"] == code and body["status"] == 400 and body["detail"], body
    return body


def _declared_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    return kind if isinstance(kind, str) and kind in WRONG else None


def _wrong_values(schema: dict[str, Any]) -> list[Any]:
    kind = _declared_type(schema)
    if kind is None:
        return []
    values = list(WRONG[kind])
    if kind == "array":
        values += [[v] for v in _wrong_values(schema.get("items", {}))[:3]]
    return values


def test_every_json_body_property_refuses_values_of_another_type(world: World, admin) -> None:  # type: ignore[no-untyped-def]
    client, headers = admin
    tried = 0
    for method, path, schema, _op in _json_operations(world):
        for prop, prop_schema in schema.get("properties", {}).items():
            for value in _wrong_values(prop_schema):
                resp = client.open(_url(path), method=method, json={prop: value}, headers=headers)
                body = _refused(resp, "invalid_body")
                assert any(k == f"body.{prop}" or k.startswith(f"body.{prop}[") for k in body["errors"]), \
                    (method, path, prop, value, body["errors"])
                tried += 1
    print(f"\nwrong-type body values sent: {tried}")
    assert tried > 200, tried  # every operation with a body contributes


def test_hostile_or_non_object_bodies_are_refused_everywhere(world: World, admin) -> None:  # type: ignore[no-untyped-def]
    client, headers = admin
    operations = list(_json_operations(world))
    assert len(operations) >= 20
    for method, path, _schema, op in operations:
        for raw in HOSTILE_BODIES:
            resp = client.open(_url(path), method=method, data=raw, headers=headers,
                               content_type="application/json")
            if raw == b"" and not op["requestBody"].get("required"):
                assert resp.status_code != 500
                continue
            assert resp.status_code == 400, (method, path, raw[:40], resp.status_code)
            assert resp.get_json()["error"] in ("invalid_json", "invalid_body", "missing_body")


def test_a_body_in_another_media_type_is_refused(world: World, admin) -> None:  # type: ignore[no-untyped-def]
    client, headers = admin
    for method, path, _schema, op in _json_operations(world):
        if set(op["requestBody"]["content"]) != {"application/json"}:
            continue
        resp = client.open(_url(path), method=method, data="<a/>", headers=headers, content_type="text/xml")
        _refused(resp, "unsupported_media_type")


@pytest.mark.parametrize("value", ["9" * 5000, '"' + "9" * 40 + '"', "W/\"12345678901\"", "abc", "\"7\", \"8\""])
def test_if_match_that_is_not_a_version_is_refused(world: World, admin, value: str) -> None:  # type: ignore[no-untyped-def]
    client, headers = admin
    spec = _spec(world)
    operations = [(m.upper(), p) for p, item in spec["paths"].items() for m, op in item.items()
                  if any(prm.get("name") == "If-Match" for prm in op.get("parameters", []))]
    assert len(operations) >= 4
    for method, path in operations:
        resp = client.open(_url(path), method=method, json={"type": "paper", "title": "t"},
                           headers={**headers, "If-Match": value})
        body = _refused(resp, "invalid_parameter")
        assert "If-Match" in body["errors"]


@pytest.mark.parametrize("value", ["2024-02-30", "2024-1-1", "20240101", "2024-01-01T00:00", "٢٠٢٤-٠١-٠١"])
def test_a_certification_date_that_is_not_a_date_is_refused(world: World, admin, value: str) -> None:  # type: ignore[no-untyped-def]
    """The PATCH view reads ``certified_on`` with ``date.fromisoformat`` and relies on this refusal."""
    client, headers = admin
    resp = client.patch(f"/api/v1/talents/{world.ids['own']['talent']}", json={"certified_on": value},
                        headers=headers)
    assert "body.certified_on" in _refused(resp, "invalid_body")["errors"]


@pytest.mark.parametrize("query", [
    "/api/v1/search?q=x&k=99999999999999999999999999", "/api/v1/search?q=x&k=0", "/api/v1/search?q=x&offset=-1",
    "/api/v1/search?q=x&offset=" + "9" * 5000, "/api/v1/search?q=x&available=maybe", "/api/v1/search?k=3",
    "/api/v1/events/1/audience?limit=" + "9" * 40, "/api/v1/events?when=tomorrow", "/api/v1/consultations?scope=all",
    "/api/v1/search?q=x&pgae=2",
])
def test_query_parameters_out_of_their_declared_range_are_refused(admin, query: str) -> None:  # type: ignore[no-untyped-def]
    client, headers = admin
    _refused(client.get(query, headers=headers), "invalid_parameter")


def test_integers_are_bounded_by_what_the_database_holds_in_the_published_document(world: World) -> None:
    spec = _spec(world)
    unbounded: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            if (kind == "integer" or isinstance(kind, list) and "integer" in kind) and "maximum" not in node:
                unbounded.append(where)
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(spec, "")
    assert not unbounded, unbounded


def test_a_request_without_a_token_is_401_before_its_body_is_looked_at(world: World) -> None:
    client = world.site.app.test_client()
    resp = client.post("/api/v1/consultations", data=b"[[[", content_type="application/json")
    assert resp.status_code == 401
