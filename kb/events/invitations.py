"""Inviting a batch of talents to a published event.

Each invitee gets an inbox message and (if its account has an address) an
email with the event's .ics attached, through ``kb.notifications.notify``, in
the same transaction that records the invitation. The opt-out is enforced
here, not only in the suggestions: a talent who does not accept event
invitations is never invited, however it got onto the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict, NotFound
from kb.events.audience import exclusion_reason
from kb.events.notices import KIND_LABELS, notify_talents, when_where
from kb.events.registration import check_open
from kb.models import Event, EventRegistration, Talent, utcnow
from kb.permissions import require

MAX_BATCH = 500


@dataclass
class InviteReport:
    invited: list[Talent] = field(default_factory=list)
    skipped: list[tuple[Talent, str]] = field(default_factory=list)  # (talent, reason)
    not_notified: list[Talent] = field(default_factory=list)  # invited, but no account to reach


def talents_by_external_id(session: Session, external_ids: Iterable[str]) -> list[Talent]:
    ids = list(dict.fromkeys(external_ids))
    found = {t.external_id: t for t in session.scalars(select(Talent).where(Talent.external_id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no talent with id {', '.join(missing)}",
                       code="talent.not_found", params={"id": ", ".join(missing)})
    return [found[i] for i in ids]


def invitation_text(event: Event, note: str = "") -> str:
    kind = KIND_LABELS.get(event.kind, "活动")
    lines = [f"诚邀您参加{kind}「{event.title}」。", when_where(event)]
    if event.topics:
        lines.append("议题：" + "、".join(event.topics))
    if note.strip():
        lines.append(note.strip())
    lines.append("请登录系统接受或婉拒邀请；名额有限，先到先得，满额后进入候补。")
    return "\n".join(lines)


def invite(
    session: Session, actor: Actor, event: Event, talents: Iterable[Talent], *, note: str = "",
    now: datetime | None = None,
) -> InviteReport:
    require(actor, "event.manage", event)
    now = now or utcnow()
    check_open(event, now)
    talents = list({t.id: t for t in talents}.values())[:MAX_BATCH]
    existing = {r.talent_id: r for r in session.scalars(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.talent_id.in_([t.id for t in talents])))}
    report = InviteReport()
    for talent in talents:
        reason = exclusion_reason(talent)
        reg = existing.get(talent.id)
        if reason is None and reg is not None:
            reason = "declined" if reg.status in ("declined", "cancelled") else f"already_{reg.status}"
        if reason:
            report.skipped.append((talent, reason))
            continue
        session.add(EventRegistration(event_id=event.id, talent_id=talent.id, status="invited",
                                      source="invitation", invited_at=now, invited_by_id=actor.user_id))
        report.invited.append(talent)
    try:
        session.flush()
    except IntegrityError as exc:  # another organizer invited the same talent this very moment
        session.rollback()
        raise Conflict("someone else changed this event's invitations at the same moment; try again",
                       code="conflict.changed") from exc
    body = invitation_text(event, note)
    report.not_notified = notify_talents(session, report.invited, "event.invitation", body, event)
    audit(session, actor, "event.invite", "event", event.id, {
        "invited": [t.external_id for t in report.invited],
        "skipped": {t.external_id: r for t, r in report.skipped},
    })
    return report
