"""Numbers for the dashboard: how many events, who came, which fields were reached.

Aggregates only (no names), for anyone with ``dashboard.view``. Months are
counted in the association's zone (Asia/Shanghai) so an event at 07:00 local
on the 1st is not filed under the previous month.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.events.enums import RegistrationStatus
from kb.events.times import DEFAULT_TZ, to_local
from kb.models import Event, EventRegistration, Talent
from kb.models.event import EventFeedback
from kb.permissions import require


def event_stats(session: Session, actor: Actor, *, since: datetime | None = None, until: datetime | None = None,
                tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """Counts over events (not drafts) starting in [since, until) (naive UTC; open ends allowed).

    - ``events_per_month``: {"2026-12": 3, ...} (cancelled events not counted)
    - ``events_by_status``, ``events_by_kind``
    - ``registrations``: counts by registration status, plus ``invitations``/``accepted``/``acceptance_rate``
    - ``attendance``: over past events: registered, attended, ``rate``; ``attendance_rate`` repeats the rate
    - ``fields_covered``: {field: number of distinct attendees working in it}, largest first
    - ``feedback``: count and average rating
    """
    require(actor, "dashboard.view")
    stmt = select(Event).where(Event.status != "draft")
    if since is not None:
        stmt = stmt.where(Event.start_at >= since)
    if until is not None:
        stmt = stmt.where(Event.start_at < until)
    events = list(session.scalars(stmt.order_by(Event.start_at)))
    ids = [e.id for e in events]
    held = {e.id for e in events if e.status == "finished"}

    per_month: Counter[str] = Counter()
    for e in events:
        if e.status != "cancelled":
            per_month[to_local(e.start_at, tz).strftime("%Y-%m")] += 1

    rows = session.execute(
        select(EventRegistration, Talent.fields).join(Talent, Talent.id == EventRegistration.talent_id)
        .where(EventRegistration.event_id.in_(ids))
    ).all() if ids else []
    by_status = Counter(reg.status for reg, _f in rows)
    invited = [reg for reg, _f in rows if reg.source == "invitation"]
    accepted = sum(1 for reg in invited if reg.status in ("registered", "waitlisted") or reg.checked_in_at)
    answered = sum(1 for reg in invited if reg.status != "invited")

    held_regs = [(reg, f) for reg, f in rows if reg.event_id in held and reg.status == "registered"]
    attended = [(reg, f) for reg, f in held_regs if reg.checked_in_at is not None]
    rate = round(len(attended) / len(held_regs), 4) if held_regs else None

    fields: Counter[str] = Counter()
    for talent_fields in {reg.talent_id: tuple(f or ()) for reg, f in attended}.values():
        fields.update(talent_fields)

    ratings = list(session.scalars(select(EventFeedback.rating).where(EventFeedback.event_id.in_(ids)))) if ids else []
    return {
        "events": len([e for e in events if e.status != "cancelled"]),
        "events_per_month": dict(sorted(per_month.items())),
        "events_by_status": dict(Counter(e.status for e in events)),
        "events_by_kind": dict(Counter(e.kind for e in events if e.status != "cancelled")),
        "registrations": {
            **{s.value: by_status.get(s, 0) for s in RegistrationStatus},
            "invitations": len(invited),
            "answered": answered,
            "accepted": accepted,
            "acceptance_rate": round(accepted / len(invited), 4) if invited else None,
        },
        "attendance": {"events_held": len(held), "registered": len(held_regs), "attended": len(attended),
                       "rate": rate},
        "attendance_rate": rate,
        "fields_covered": dict(fields.most_common()),
        "feedback": {"count": len(ratings),
                     "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None},
    }
