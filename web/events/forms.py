"""Reading event forms into the plain values kb.events expects.

Validation is kb's (``kb.events.validation``); this only maps inputs:
``datetime-local`` strings, one topic per line, ticked criteria, and speaker
lines ``人才编号或姓名 | 单位 | 题目``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from kb.events.times import to_local
from kb.models import Event, Talent

EVENT_FIELDS = ("kind", "title", "description", "topics", "start_at", "end_at", "timezone", "place", "online_url",
                "capacity", "registration_deadline")


def event_values(form: MultiDict[str, str], session: Session) -> dict[str, Any]:
    values: dict[str, Any] = {k: form.get(k, "") for k in EVENT_FIELDS}
    values["audience_categories"] = form.getlist("audience_categories")
    values["audience_fields"] = form.getlist("audience_fields")
    values["speakers"] = speakers_from_text(form.get("speakers", ""), session)
    return values


def speakers_from_text(text: str, session: Session) -> list[dict[str, str]]:
    rows = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts or not parts[0]:
            continue
        first, affiliation, topic = (parts + ["", ""])[:3]
        is_talent = session.scalar(select(Talent.id).where(Talent.external_id == first)) is not None
        rows.append({"talent": first if is_talent else "", "name": "" if is_talent else first,
                     "affiliation": affiliation, "topic": topic})
    return rows


def speakers_to_text(event: Event, session: Session) -> str:
    lines = []
    for sp in event.speakers:
        talent = session.get(Talent, sp.talent_id) if sp.talent_id else None
        first = talent.external_id if talent else sp.name
        lines.append(" | ".join([first, sp.affiliation, sp.topic]).rstrip(" |"))
    return "\n".join(lines)


def form_of(event: Event, session: Session) -> dict[str, Any]:
    """An event as form values (local times), for the edit page."""
    def local(value: Any) -> str:
        return to_local(value, event.timezone).strftime("%Y-%m-%dT%H:%M") if value else ""

    return {
        "kind": event.kind, "title": event.title, "description": event.description,
        "topics": "\n".join(event.topics), "start_at": local(event.start_at), "end_at": local(event.end_at),
        "timezone": event.timezone, "place": event.place, "online_url": event.online_url,
        "capacity": event.capacity, "registration_deadline": local(event.registration_deadline),
        "audience_categories": list(event.audience_categories), "audience_fields": list(event.audience_fields),
        "speakers": speakers_to_text(event, session),
    }
