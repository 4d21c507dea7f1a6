"""``/api/v1/events``: the same kb functions as the pages, as JSON.

Authentication is the API blueprint's own bearer-token check (reused, not
copied); errors become problem+json through ``web.errors`` because the paths
start with ``/api/``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file

from kb.choices import choice
from kb.errors import PermissionDenied, ValidationError
from kb.events import audience, checkin, feedback, invitations, manage, materials, proposals, queries
from kb.events import registration as signup
from kb.events.enums import AudienceAction, EventStatus
from kb.events.export import attendee_rows, export_filename, to_csv, to_xlsx
from kb.events.history import talent_history
from kb.events.notices import ics_text
from kb.events.stats import event_stats
from kb.models import Event, Talent
from kb.permissions import require
from kb.talents import changes as kt
from web.api import authenticate
from web.api.validation import json_object
from web.events import api_bp
from web.events.serialize import audience_dict, event_dict, history_dict, registration_dict, utc
from web.sessions import current_actor, db, knowledge_base

api_bp.before_request(authenticate)


def _event(event_id: int) -> Event:
    return queries.get_event(db(), current_actor(), event_id)


def _event_json(event_id: int, status: int = 200) -> tuple[Response, int]:
    return jsonify(event_dict(_event(event_id), current_actor(), db())), status


def _talent(external_id: Any) -> Talent:
    """The named talent, or (when none is named) the caller's own."""
    if external_id:
        return kt.get_talent(db(), str(external_id))
    actor = current_actor()
    talent = db().get(Talent, actor.talent_id) if actor and actor.talent_id else None
    if talent is None:
        raise PermissionDenied("name a talent_id: this account is not linked to a talent")
    return talent


def _reg_json(event: Event, talent: Talent, status: int = 200) -> tuple[Response, int]:
    reg = signup.find_registration(db(), event.id, talent.id)
    if reg is None:
        return jsonify({"status": None}), status
    out = registration_dict(reg, talent, with_code=True)
    out["waitlist_position"] = signup.waitlist_position(db(), reg)
    return jsonify(out), status


@api_bp.get("")
def list_events() -> Response:
    when = request.args.get("when")
    upcoming = {"upcoming": True, "past": False}.get(when or "")
    items = queries.list_events(db(), current_actor(), upcoming=upcoming, query=request.args.get("q", ""))
    return jsonify({"items": [event_dict(e, current_actor(), db()) for e in items]})


@api_bp.post("")
def create_event() -> tuple[Response, int]:
    body = json_object()
    publish = bool(body.pop("publish", False))
    event = manage.create_event(db(), current_actor(), body)
    if publish:
        manage.transition(db(), current_actor(), event, EventStatus.PUBLISHED)
    return _event_json(event.id, 201)


@api_bp.get("/<int:event_id>")
def get_event(event_id: int) -> tuple[Response, int]:
    return _event_json(event_id)


@api_bp.patch("/<int:event_id>")
def update_event(event_id: int) -> tuple[Response, int]:
    manage.update_event(db(), current_actor(), _event(event_id), json_object())
    return _event_json(event_id)


@api_bp.post("/<int:event_id>/transitions")
def transition(event_id: int) -> tuple[Response, int]:
    body = json_object()
    to = choice(EventStatus, body.get("to"), "to", manage.MANUAL_MOVES)
    manage.transition(db(), current_actor(), _event(event_id), to, str(body.get("reason", "")))
    return _event_json(event_id)


@api_bp.get("/<int:event_id>/audience")
def get_audience(event_id: int) -> Response:
    args = request.args
    filtered = "category" in args or "field" in args
    result = audience.suggest_audience(
        db(), knowledge_base().search, current_actor(), _event(event_id),
        categories=tuple(c for c in args.get("category", "").split(",") if c) if filtered else None,
        fields=tuple(f for f in args.get("field", "").split(",") if f) if filtered else None,
        limit=max(1, min(100, args.get("limit", 30, type=int))),
    )
    return jsonify(audience_dict(result))


@api_bp.post("/<int:event_id>/audience")
def change_audience(event_id: int) -> tuple[Response, int]:
    body, event = json_object(), _event(event_id)
    talent = kt.get_talent(db(), str(body.get("talent_id", "")))
    action = choice(AudienceAction, body.get("action"), "action")
    audience.change_audience(db(), current_actor(), event, talent, action)
    return jsonify({"talent_id": talent.external_id, "action": action.value}), 200


@api_bp.post("/<int:event_id>/invitations")
def invite(event_id: int) -> tuple[Response, int]:
    body, event = json_object(), _event(event_id)
    ids = body.get("talent_ids")
    if not isinstance(ids, list) or not ids:
        raise ValidationError("talent_ids must be a non-empty list", {"talent_ids": "list"})
    report = invitations.invite(db(), current_actor(), event, invitations.talents_by_external_id(db(), map(str, ids)),
                                note=str(body.get("note", "")))
    return jsonify({
        "invited": [t.external_id for t in report.invited],
        "skipped": [{"talent_id": t.external_id, "reason": r} for t, r in report.skipped],
        "not_notified": [t.external_id for t in report.not_notified],
    }), 201


@api_bp.get("/<int:event_id>/registrations")
def registrations(event_id: int) -> Response:
    replies = queries.replies(db(), current_actor(), _event(event_id))
    return jsonify({
        "counts": dict(replies.counts),
        "items": [registration_dict(r, t, with_code=False) for rows in replies.by_status.values() for r, t in rows],
        "waitlist": [t.external_id for _r, t in replies.waitlist],
    })


@api_bp.get("/<int:event_id>/registration")
def my_registration(event_id: int) -> tuple[Response, int]:
    talent = _talent(request.args.get("talent_id"))
    require(current_actor(), "event.register", talent)  # the code is shown: only to the talent or organizers
    return _reg_json(_event(event_id), talent)


@api_bp.post("/<int:event_id>/registration")
def register(event_id: int) -> tuple[Response, int]:
    body = request.get_json(silent=True) or {}
    event, talent = _event(event_id), _talent(body.get("talent_id"))
    signup.register(db(), current_actor(), event, talent)
    return _reg_json(event, talent, 201)


@api_bp.delete("/<int:event_id>/registration")
def unregister(event_id: int) -> tuple[Response, int]:
    event, talent = _event(event_id), _talent(request.args.get("talent_id"))
    signup.cancel(db(), current_actor(), event, talent)
    return _reg_json(event, talent)


@api_bp.post("/<int:event_id>/reply")
def reply(event_id: int) -> tuple[Response, int]:
    body, event = json_object(), _event(event_id)
    if not isinstance(body.get("accept"), bool):
        raise ValidationError("accept must be true or false", {"accept": "boolean"})
    talent = _talent(None)
    signup.reply(db(), current_actor(), event, talent, body["accept"])
    return _reg_json(event, talent)


@api_bp.get("/<int:event_id>/calendar.ics")
def calendar(event_id: int) -> Response:
    event = _event(event_id)
    text = ics_text(event, queries.own_registration(db(), current_actor(), event), utc=request.args.get("utc") == "1")
    return Response(text, mimetype="text/calendar")


@api_bp.post("/<int:event_id>/checkins")
def check_in(event_id: int) -> tuple[Response, int]:
    body, actor, event = json_object(), current_actor(), _event(event_id)
    if body.get("code"):
        reg = checkin.check_in_by_code(db(), actor, event, str(body["code"]))
    elif body.get("registration_id"):
        reg = checkin.check_in(db(), actor, event, int(body["registration_id"]))
    else:
        raise ValidationError("send code or registration_id", {"code": "required"})
    talent = db().get(Talent, reg.talent_id)
    return jsonify(registration_dict(reg, talent, with_code=False)), 201


@api_bp.get("/<int:event_id>/attendees")
def attendees(event_id: int) -> Response:
    event = _event(event_id)
    rows = attendee_rows(db(), current_actor(), event, attended_only=request.args.get("attended") == "1")
    fmt = request.args.get("format", "json")
    if fmt == "csv":
        return Response(to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{export_filename(event, "csv")}"'})
    if fmt == "xlsx":
        return Response(to_xlsx(rows), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{export_filename(event, "xlsx")}"'})
    return jsonify({"header": rows[0], "rows": rows[1:]})


@api_bp.post("/<int:event_id>/feedback")
def give_feedback(event_id: int) -> tuple[Response, int]:
    body, event = json_object(), _event(event_id)
    row = feedback.give_feedback(db(), current_actor(), event, _talent(None), body.get("rating"),
                                 str(body.get("comment", "")))
    return jsonify({"rating": row.rating, "comment": row.comment, "created_at": utc(row.created_at)}), 201


@api_bp.get("/<int:event_id>/feedback")
def feedback_summary(event_id: int) -> Response:
    s = feedback.feedback_summary(db(), current_actor(), _event(event_id))
    return jsonify({"count": s.count, "average": s.average, "distribution": {str(k): v for k, v in s.distribution.items()},
                    "comments": [{"talent_id": t.external_id, "rating": f.rating, "comment": f.comment}
                                 for t, f in s.comments]})


@api_bp.get("/<int:event_id>/materials")
def list_materials(event_id: int) -> Response:
    items = materials.list_materials(db(), current_actor(), _event(event_id))
    return jsonify({"items": [{"id": m.id, "filename": m.filename, "content_type": m.content_type, "size": m.size,
                               "created_at": utc(m.created_at)} for m in items]})


@api_bp.post("/<int:event_id>/materials")
def upload_material(event_id: int) -> tuple[Response, int]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("send the file as multipart field 'file'", {"file": "required"})
    settings = knowledge_base().settings
    m = materials.add_material(db(), current_actor(), _event(event_id), upload.filename, upload.read(),
                               settings.data_dir, max_bytes=settings.events.material_max_bytes)
    return jsonify({"id": m.id, "filename": m.filename, "content_type": m.content_type, "size": m.size}), 201


@api_bp.get("/<int:event_id>/materials/<int:material_id>")
def download_material(event_id: int, material_id: int) -> Response:
    m, path = materials.open_material(db(), current_actor(), _event(event_id), material_id,
                                      knowledge_base().settings.data_dir)
    return send_file(path, mimetype=m.content_type, as_attachment=True, download_name=m.filename)


@api_bp.get("/mine")
def mine() -> Response:
    talent = _talent(request.args.get("talent_id"))
    return jsonify({"talent_id": talent.external_id,
                    "items": [history_dict(h) for h in talent_history(db(), current_actor(), talent)]})


@api_bp.get("/stats")
def stats() -> Response:
    return jsonify(event_stats(db(), current_actor()))


@api_bp.get("/proposals")
def list_proposals() -> Response:
    items = proposals.list_proposals(db(), current_actor(), request.args.get("status") or None)
    return jsonify({"items": [_proposal(p, t) for p, t in items]})


@api_bp.post("/proposals")
def propose() -> tuple[Response, int]:
    body = json_object()
    p = proposals.propose(db(), current_actor(), _talent(None), str(body.get("kind", "")), str(body.get("title", "")),
                          str(body.get("description", "")))
    return jsonify(_proposal(p, _talent(None))), 201


@api_bp.post("/proposals/<int:proposal_id>/review")
def review(proposal_id: int) -> Response:
    body = json_object()
    if not isinstance(body.get("accept"), bool):
        raise ValidationError("accept must be true or false", {"accept": "boolean"})
    p = proposals.review_proposal(db(), current_actor(), proposal_id, body["accept"], str(body.get("response", "")))
    return jsonify(_proposal(p, db().get(Talent, p.talent_id)))


def _proposal(p: Any, talent: Talent | None) -> dict[str, Any]:
    return {"id": p.id, "talent_id": talent.external_id if talent else None, "kind": p.kind, "title": p.title,
            "description": p.description, "status": p.status, "response": p.response,
            "created_at": utc(p.created_at)}
