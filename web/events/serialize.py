"""Events as JSON for ``/api/v1/events``: times in UTC (``Z``) plus the local form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from indexer.results import evidence_dict
from kb.actors import Actor
from kb.events.audience import Audience
from kb.events.history import HistoryEntry
from kb.events.times import to_local
from kb.models import Event, EventRegistration, Talent
from kb.permissions import allowed


def utc(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def local(value: datetime | None, tz: str) -> str | None:
    return to_local(value, tz).isoformat() if value else None


def event_dict(event: Event, actor: Actor, session: Session) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id, "kind": event.kind, "title": event.title, "description": event.description,
        "topics": list(event.topics), "status": event.status, "timezone": event.timezone,
        "start_at": utc(event.start_at), "end_at": utc(event.end_at),
        "start_local": local(event.start_at, event.timezone), "end_local": local(event.end_at, event.timezone),
        "registration_deadline": utc(event.registration_deadline),
        "place": event.place, "online_url": event.online_url, "capacity": event.capacity,
        "registered": event.registered_count, "seats_left": max(0, event.capacity - event.registered_count),
        "audience_categories": list(event.audience_categories), "audience_fields": list(event.audience_fields),
        "speakers": [speaker_dict(sp, session) for sp in event.speakers],
    }
    if allowed(actor, "event.manage", event):
        out["sequence"] = event.sequence
    return out


def speaker_dict(sp: Any, session: Session) -> dict[str, Any]:
    talent = session.get(Talent, sp.talent_id) if sp.talent_id else None
    return {"name": sp.name, "talent_id": talent.external_id if talent else None, "affiliation": sp.affiliation,
            "topic": sp.topic}


def registration_dict(reg: EventRegistration, talent: Talent, *, with_code: bool) -> dict[str, Any]:
    out = {
        "id": reg.id, "talent_id": talent.external_id, "name": talent.name, "organization": talent.organization,
        "status": reg.status, "source": reg.source, "invited_at": utc(reg.invited_at),
        "replied_at": utc(reg.replied_at), "registered_at": utc(reg.registered_at),
        "waitlisted_at": utc(reg.waitlisted_at), "checked_in_at": utc(reg.checked_in_at),
        "checkin_method": reg.checkin_method or None,
    }
    if with_code:
        out["checkin_code"] = reg.checkin_code
    return out


def audience_dict(result: Audience) -> dict[str, Any]:
    def evidence(items: tuple[Any, ...]) -> list[dict[str, Any]]:
        return [evidence_dict(e, highlighted=True) for e in items]

    return {
        "query": result.query, "categories": list(result.categories), "fields": list(result.fields),
        "total_matches": result.total_matches, "matched": result.matched,
        "suggestions": [{"talent_id": c.talent.external_id, "name": c.talent.name,
                         "organization": c.talent.organization, "category": c.talent.category,
                         "fields": list(c.talent.fields), "source": c.source, "score": c.score,
                         "match": c.match, "status": c.status, "reachable": c.reachable, "evidence": evidence(c.evidence)}
                        for c in result.suggestions],
        "excluded": [{"talent_id": x.talent.external_id, "name": x.talent.name, "reason": x.reason,
                      "source": x.source, "score": x.score, "match": x.match} for x in result.excluded],
    }


def history_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {"event_id": entry.event.id, "title": entry.event.title, "kind": entry.event.kind,
            "event_status": entry.event.status, "start_at": utc(entry.event.start_at),
            "status": entry.registration.status, "attended": entry.attended,
            "waitlist_position": entry.waitlist_position,
            "checkin_code": entry.registration.checkin_code if entry.registration.status == "registered" else None,
            "feedback": {"rating": entry.feedback.rating, "comment": entry.feedback.comment}
            if entry.feedback else None}
