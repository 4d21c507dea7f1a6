"""API routes. Each one maps to a kb function; kb decides permissions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Response, jsonify, request, url_for

from indexer import SearchQuery
from indexer.results import facets_dict, result_dict
from indexer.retrieval.params import MAX_QUERY_CHARS
from kb.errors import ValidationError
from kb.models import Talent
from kb.permissions import require
from kb.search_service import search_experts
from kb.talents import changes as kt
from kb.talents.harvest import service as harvest
from kb.talents.profiles import profile_view, public_dict
from kb.taxonomy import load_taxonomy
from web.api import bp
from web.api.openapi import SPEC
from web.api.serialize import me_dict, output_dict
from web.api.validation import TRUE, json_object
from web.indexing import sync_index
from web.sessions import current_account, current_actor, db, knowledge_base
from web.unit_of_work import after_commit

MAX_K = 100


def _args() -> Mapping[str, str]:
    """Search parameters: the query string, or for ``POST /search`` the JSON body (a long
    pasted need does not fit in a URL: servers refuse request lines over a few KB)."""
    if request.method != "POST":
        return request.args
    body = json_object()
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in body.items() if v is not None}


def _csv(name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in _args().get(name, "").split(",") if v.strip()))


def _bool_arg(name: str) -> bool | None:
    """A declared boolean: the request check (``validated``) has refused any other value."""
    raw = _args().get(name)
    return None if raw is None else raw.lower() in TRUE


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = _args().get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be an integer", {name: "integer"}) from None
    if not lo <= value <= hi:
        raise ValidationError(f"{name} must be between {lo} and {hi}", {name: f"{lo}..{hi}"})
    return value


def _expected_version(body: dict[str, Any] | None = None) -> int | None:
    """``If-Match: "7"`` (or ``W/"7"``), else ``version`` in the body; None skips the check.

    The request check (``validated``) has refused any other If-Match (the document's pattern)
    and a ``version`` that is not an integer."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        return int(header.removeprefix("W/").strip('"'))
    if body is not None and "version" in body:
        return int(body["version"])
    return None


def _talent_response(talent: Talent, status: int = 200, **extra: Any) -> Response:
    view = profile_view(db(), current_actor(), talent)
    resp = jsonify({**public_dict(talent, view.contact), **extra})
    resp.status_code = status
    resp.headers["ETag"] = f'"{talent.version}"'
    return resp


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)


@bp.get("/me")
def me() -> Response:
    user = current_account()
    assert user is not None  # authenticate() guarantees it
    talent = db().get(Talent, user.talent_id) if user.talent_id else None
    return jsonify(me_dict(user, talent.external_id if talent else None))


@bp.route("/search", methods=["GET", "POST"])
def search() -> Response:
    text = " ".join(_args().get("q", "").split())
    if not text:
        raise ValidationError("q is required", {"q": "required"})
    tax = load_taxonomy()
    categories, fields = _csv("category"), _csv("field")
    unknown = [c for c in categories if c not in tax.categories] + [f for f in fields if f not in tax.fields]
    if unknown:
        raise ValidationError(f"unknown category or field: {', '.join(unknown)}", {"filters": "unknown code"})
    query = SearchQuery(
        text=text[:MAX_QUERY_CHARS], categories=categories, fields=fields, available=_bool_arg("available"),
        languages=_csv("lang"), offset=_int_arg("offset", 0, 0, 10_000), limit=_int_arg("k", 10, 1, MAX_K),
        mode="hybrid", with_facets=True,
    )
    resp = search_experts(knowledge_base(), current_actor(), query)
    return jsonify({
        "query": text, "total": resp.total, "matched": resp.matched, "offset": resp.offset, "limit": resp.limit,
        "took_ms": resp.took_ms, "results": [result_dict(r) for r in resp.results],
        "facets": facets_dict(resp.facets),
    })


@bp.get("/talents/<talent_id>")
def get_talent(talent_id: str) -> Response:
    return _talent_response(kt.get_talent(db(), talent_id))


def _profile_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body as kb's changes; ``validated`` has checked it against TalentPatch
    (``contact`` an object, ``certified_on`` a date)."""
    changes = {k: v for k, v in body.items() if k not in ("version", "contact")}
    changes.update({k: ("" if v is None else v) for k, v in (body.get("contact") or {}).items()})
    if isinstance(changes.get("certified_on"), str):
        changes["certified_on"] = date.fromisoformat(changes["certified_on"])
    return changes


@bp.patch("/talents/<talent_id>")
def patch_talent(talent_id: str) -> Response:
    body = json_object()
    talent = kt.get_talent(db(), talent_id)
    rev = kt.update_profile(db(), current_actor(), talent, _profile_changes(body), _expected_version(body))
    pending = [c["field"] for c in rev.changes] if rev is not None and rev.status == "pending" else []
    after_commit(sync_index)
    return _talent_response(kt.get_talent(db(), talent_id), pending_review=pending)


@bp.get("/talents/<talent_id>/outputs")
def list_outputs(talent_id: str) -> Response:
    talent = kt.get_talent(db(), talent_id)
    require(current_actor(), "talent.view", talent)
    resp = jsonify({"talent": talent.external_id, "version": talent.version,
                    "outputs": [output_dict(o) for o in talent.outputs]})
    resp.headers["ETag"] = f'"{talent.version}"'
    return resp


def _written(talent: Talent, payload: dict[str, Any], status: int, location: str | None = None) -> Response:
    after_commit(sync_index)
    resp = jsonify(payload)
    resp.status_code = status
    resp.headers["ETag"] = f'"{talent.version}"'
    if location:
        resp.headers["Location"] = location
    return resp


@bp.post("/talents/<talent_id>/outputs")
def create_output(talent_id: str) -> Response:
    body = json_object()
    talent = kt.get_talent(db(), talent_id)
    values = {k: v for k, v in body.items() if k != "version"}
    output = kt.add_output(db(), current_actor(), talent, values, _expected_version(body))
    location = url_for("api.update_output", talent_id=talent_id, output_id=output.id)
    return _written(talent, {**output_dict(output), "version": talent.version}, 201, location)


@bp.post("/talents/<talent_id>/outputs/import")
def import_outputs(talent_id: str) -> Response:
    """Multipart: parse the file into a previewed batch. JSON: claim items of a batch."""
    talent = kt.get_talent(db(), talent_id)
    actor = current_actor()
    if request.mimetype == "application/json":
        body = json_object()
        result = harvest.confirm(db(), actor, talent, body["batch"], body["claim"])
        items = harvest.batch_items(db(), actor, talent, body["batch"])
        return _written(talent, {
            "talent": talent.external_id, "batch": result.batch, "created": len(result.created),
            "outputs": [output_dict(o) for o in talent.outputs if o.id in {i.output_id for i in result.created}],
            "items": [harvest.item_dict(i) for i in items], "version": talent.version,
        }, 200)
    require(actor, "talent.harvest", talent)  # before reading the upload: a refusal says nothing about it
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as the multipart field 'file'", {"file": "required"})
    shown = harvest.preview(db(), actor, talent, upload.read(), upload.filename or "",
                            request.form.get("format", "auto"))
    resp = jsonify({
        "talent": talent.external_id, "batch": shown.batch, "format": shown.format, "parsed": shown.parsed,
        "duplicates": shown.duplicates, "created": 0,
        "failed": [{"item": i.position, "error": i.error} for i in shown.failed],
        "items": [harvest.item_dict(i) for i in shown.items], "version": talent.version,
    })
    resp.headers["ETag"] = f'"{talent.version}"'
    return resp


@bp.put("/talents/<talent_id>/outputs/<int:output_id>")
def update_output(talent_id: str, output_id: int) -> Response:
    body = json_object()
    talent = kt.get_talent(db(), talent_id)
    values = {k: v for k, v in body.items() if k != "version"}
    output = kt.update_output(db(), current_actor(), talent, output_id, values, _expected_version(body))
    return _written(talent, {**output_dict(output), "version": talent.version}, 200)


@bp.delete("/talents/<talent_id>/outputs/<int:output_id>")
def delete_output(talent_id: str, output_id: int) -> Response:
    talent = kt.get_talent(db(), talent_id)
    kt.delete_output(db(), current_actor(), talent, output_id, _expected_version())
    after_commit(sync_index)
    resp = Response(status=204)
    resp.headers["ETag"] = f'"{talent.version}"'
    return resp
