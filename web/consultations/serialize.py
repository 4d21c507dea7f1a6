"""JSON shapes of consultation objects for the API, with the same visibility as the pages."""

from __future__ import annotations

from typing import Any

from kb.actors import Actor
from kb.models.consultation import ConsultationAdvice, ConsultationInvitation, ConsultationRequest
from kb.visibility import invitation_visible, request_managed, visible_invitations


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text + "Z" if hasattr(value, "hour") else text


def advice_dict(advice: ConsultationAdvice) -> dict[str, Any]:
    return {
        "id": advice.id, "text": advice.text, "submitted_at": _iso(advice.submitted_at),
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256} for a in advice.attachments],
        "rating": advice.rating, "rating_comment": advice.rating_comment, "rated_at": _iso(advice.rated_at),
        "adoption": advice.adoption, "adopted_into": advice.adopted_into,
    }


def invitation_dict(inv: ConsultationInvitation, actor: Actor) -> dict[str, Any]:
    full = invitation_visible(actor, inv)
    out: dict[str, Any] = {
        "id": inv.id, "request_id": inv.request_id, "talent_id": inv.talent.external_id,
        "talent_name": inv.talent.name, "organization": inv.talent.organization, "state": inv.state,
        "invited_at": _iso(inv.invited_at), "responded_at": _iso(inv.responded_at),
    }
    if full:
        out["reason"] = inv.reason
        out["advice"] = advice_dict(inv.advice) if inv.advice is not None else None
    return out


def request_dict(req: ConsultationRequest, actor: Actor, *, detail: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": req.id, "title": req.title, "unit": req.unit, "state": req.state, "form": req.form,
        "confidentiality": req.confidentiality, "fields": list(req.fields), "deadline": _iso(req.deadline),
        "experts_wanted": req.experts_wanted, "created_at": _iso(req.created_at), "version": req.version,
    }
    if detail:
        out.update({"background": req.background, "questions": req.questions})
        managed = request_managed(actor, req)
        if managed:
            out.update({"parties": list(req.parties), "org_cap": req.org_cap, "draw_seed": req.draw_seed})
        out["invitations"] = [invitation_dict(i, actor) for i in visible_invitations(actor, req)]
        # A note can name an invitee ("web-003 accepted") or give a reason: managers' business.
        out["transitions"] = [{"from": t.from_state, "to": t.to_state, "by": t.actor_label, "at": _iso(t.at),
                               "note": t.note if managed else ""} for t in req.transitions]
    return out
