"""``/api/v1/consultations``: the same kb functions as the pages, as JSON.

Authentication is the API blueprint's own bearer-token check (reused, not
copied); errors become problem+json through ``web.errors`` because the paths
start with ``/api/``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from kb.choices import choice
from kb.consultations import invitations, outcome, requests, selection
from kb.consultations.attachments import Upload
from kb.consultations.draw import draw_experts
from kb.consultations.draw_effect import draw_dict
from kb.consultations.enums import InvitationResponse, RequestState
from kb.consultations.recommend import SHOWN_DEFAULT, recommend
from kb.consultations.stats import consultation_stats
from kb.errors import ValidationError
from kb.talents import changes as kt
from web.api import authenticate
from web.api.validation import json_object
from web.consultations import api_bp
from web.consultations import consultation_settings as _settings
from web.consultations.serialize import advice_dict, invitation_dict, request_dict
from web.sessions import current_actor, db, knowledge_base

api_bp.before_request(authenticate)


def _int(body: dict[str, Any], key: str, default: int) -> int:
    try:
        return int(body.get(key, default))
    except (TypeError, ValueError):
        raise ValidationError(f"{key} must be an integer", {key: "integer"}) from None


def _request_json(rid: int, status: int = 200) -> tuple[Response, int]:
    req = requests.get_request(db(), current_actor(), rid)
    return jsonify(request_dict(req, current_actor())), status


@api_bp.get("")
def list_consultations() -> Response:
    items = requests.list_requests(db(), current_actor(), request.args.get("scope", "visible"))
    return jsonify({"items": [request_dict(r, current_actor(), detail=False) for r in items]})


@api_bp.post("")
def create_consultation() -> tuple[Response, int]:
    body = json_object()
    req = requests.create_request(db(), current_actor(), body, unit=str(body.get("unit", "")))
    if body.get("open"):
        requests.transition(db(), current_actor(), req, RequestState.OPEN)
    return _request_json(req.id, 201)


@api_bp.get("/<int:rid>")
def get_consultation(rid: int) -> tuple[Response, int]:
    return _request_json(rid)


@api_bp.post("/<int:rid>/transitions")
def transition(rid: int) -> tuple[Response, int]:
    body = json_object()
    to = choice(RequestState, body.get("to"), "to", requests.MANUAL_MOVES)
    requests.transition(db(), current_actor(), requests.get_request(db(), current_actor(), rid), to,
                        str(body.get("note", "")))
    return _request_json(rid)


@api_bp.get("/<int:rid>/recommendation")
def recommendation(rid: int) -> Response:
    # web.api.validation has checked ``limit`` against the document (an integer from 1 to SHOWN_MAX).
    limit = request.args.get("limit", SHOWN_DEFAULT, type=int)
    req = requests.get_request(db(), current_actor(), rid)
    rec = recommend(knowledge_base(), db(), current_actor(), req, settings=_settings())
    return jsonify(rec.as_dict(limit))


@api_bp.post("/<int:rid>/draw")
def draw(rid: int) -> tuple[Response, int]:
    body = json_object()
    req = requests.get_request(db(), current_actor(), rid)
    # web.api.validation has checked ``fair`` against the document (a boolean).
    row = draw_experts(knowledge_base(), db(), current_actor(), req, pool_size=_int(body, "pool_size", 10),
                       count=_int(body, "count", 3), seed=str(body.get("seed") or ""),
                       fair=body.get("fair") is True, settings=_settings())
    return jsonify(draw_dict(row)), 201


@api_bp.post("/<int:rid>/selections")
def select(rid: int) -> tuple[Response, int]:
    body = json_object()
    req = requests.get_request(db(), current_actor(), rid)
    talent = kt.get_talent(db(), str(body.get("talent_id", "")))
    if body.get("action") == "include":  # screened as an invitation would be: a conflict is refused, with why
        selection.add_expert(db(), current_actor(), req, talent, str(body.get("reason", "")), settings=_settings())
    else:
        selection.remove_expert(db(), current_actor(), req, talent, str(body.get("reason", "")))
    return _request_json(rid, 201)


@api_bp.post("/<int:rid>/invitations")
def invite(rid: int) -> tuple[Response, int]:
    body = json_object()
    req = requests.get_request(db(), current_actor(), rid)
    ids = body.get("talent_ids") or []
    if not isinstance(ids, list):
        raise ValidationError("talent_ids must be a list", {"talent_ids": "list"})
    talents = [kt.get_talent(db(), str(t)) for t in ids]
    invitations.invite(db(), current_actor(), req, talents, settings=_settings(), message=str(body.get("message", "")))
    return _request_json(rid, 201)


@api_bp.get("/invitations/<int:iid>")
def get_invitation(iid: int) -> Response:
    inv = requests.get_invitation(db(), current_actor(), iid)
    return jsonify(invitation_dict(inv, current_actor()))


@api_bp.post("/invitations/<int:iid>/response")
def respond(iid: int) -> Response:
    body, actor = json_object(), current_actor()
    inv = requests.get_invitation(db(), actor, iid)
    action = choice(InvitationResponse, body.get("action"), "action")
    invitations.respond(db(), actor, inv, action, str(body.get("reason", "")))
    return jsonify(invitation_dict(inv, actor))


@api_bp.post("/invitations/<int:iid>/advice")
def advise(iid: int) -> tuple[Response, int]:
    """JSON ``{"text"}``, or multipart with ``text`` and ``attachments`` files."""
    actor = current_actor()
    inv = requests.get_invitation(db(), actor, iid)
    if request.mimetype == "multipart/form-data":
        text = request.form.get("text", "")
        uploads = [Upload(f.filename or "", f.read()) for f in request.files.getlist("attachments") if f]
    else:
        text, uploads = str(json_object().get("text", "")), []
    adv = invitations.submit_advice(db(), actor, inv, text, uploads, data_dir=knowledge_base().settings.data_dir,
                                    settings=_settings())
    return jsonify(advice_dict(adv)), 201


@api_bp.post("/advice/<int:aid>/rating")
def rate(aid: int) -> Response:
    body, adv = json_object(), requests.get_advice(db(), current_actor(), aid)
    outcome.rate_advice(db(), current_actor(), adv, body.get("rating"), str(body.get("comment", "")),
                        settings=_settings())
    return jsonify(advice_dict(adv))


@api_bp.post("/advice/<int:aid>/adoption")
def adopt(aid: int) -> Response:
    body, adv = json_object(), requests.get_advice(db(), current_actor(), aid)
    outcome.record_adoption(db(), current_actor(), adv, str(body.get("adoption", "")),
                            str(body.get("adopted_into", "")))
    return jsonify(advice_dict(adv))


@api_bp.get("/<int:rid>/trail")
def trail(rid: int) -> Response:
    req = requests.get_request(db(), current_actor(), rid)
    events = requests.request_trail(db(), current_actor(), req)
    return jsonify({"items": [{"at": e.at.isoformat() + "Z", "actor": e.actor_label, "action": e.action,
                               "detail": e.detail} for e in events]})


@api_bp.get("/stats")
def stats() -> Response:
    return jsonify(consultation_stats(db(), current_actor()))
