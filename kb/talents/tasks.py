"""What a talent has to look at: the open tasks a digest lists and a commissioner sees.

Each task carries one link, to the page where it is done. The kinds:

- ``directions``: the profile is ageing or stale — check directions and outputs;
- ``harvested``: outputs harvested from a file wait to be claimed or rejected;
- ``proposal``: a proposed change to reviewed facts waits for a commissioner;
- ``consultation`` / ``event``: an invitation has no answer yet.

Harvested items are those output harvesting (``kb.talents.harvest``) keeps
pending until the talent claims or rejects them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.consultations.invitations import WAITING
from kb.consultations.states import RESPONDING
from kb.events.enums import EventStatus, RegistrationStatus
from kb.models import Event, EventRegistration, HarvestedItem, Revision, Talent
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.settings import FreshnessSettings
from kb.talents.freshness import Freshness, age_days, state_of

TASK_KINDS = ("directions", "harvested", "proposal", "consultation", "event")


@dataclass(frozen=True)
class Task:
    kind: str
    link: str
    # What the sentence needs: {"days": 400}, {"count": 3}, {"title": "..."}.
    params: dict[str, Any] = field(default_factory=dict)

    def text_zh(self) -> str:
        """The digest e-mail's line (mail goes out in Chinese, like every other notice)."""
        p = self.params
        return {
            "directions": f"研究方向和成果已有 {p.get('days')} 天未更新，请核对是否仍然准确",
            "harvested": f"有 {p.get('count')} 条从文件导入的成果等待您确认或拒绝",
            "proposal": f"您提交的 {p.get('count')} 项资料修改正在等待审核",
            "consultation": f"咨询邀请「{p.get('title')}」尚未答复",
            "event": f"活动邀请「{p.get('title')}」尚未答复",
        }[self.kind]


def tasks_for(session: Session, talent: Talent, now: datetime, settings: FreshnessSettings) -> list[Task]:
    return tasks_for_many(session, [talent], now, settings).get(talent.id, [])


def tasks_for_many(
    session: Session, talents: Iterable[Talent], now: datetime, settings: FreshnessSettings,
) -> dict[int, list[Task]]:
    """talent pk → its open tasks, with one query per kind for the whole list."""
    talents = list(talents)
    ids = [t.id for t in talents]
    out: dict[int, list[Task]] = {t.id: [] for t in talents}
    if not ids:
        return out
    for t in talents:
        if state_of(t, now, settings) != Freshness.CURRENT:
            out[t.id].append(Task("directions", f"/talents/{t.external_id}/edit", {"days": age_days(t, now)}))
    by_pk = {t.id: t for t in talents}
    harvested = Counter(dict(session.execute(
        select(HarvestedItem.talent_id, func.count()).where(
            HarvestedItem.talent_id.in_(ids), HarvestedItem.state == "pending", HarvestedItem.error == "")
        .group_by(HarvestedItem.talent_id)).all()))
    for pk, n in harvested.items():
        # The import page lists the talent's pending items when it names no batch.
        out[pk].append(Task("harvested", f"/talents/{by_pk[pk].external_id}/outputs/import", {"count": int(n)}))
    proposals = Counter(dict(session.execute(
        select(Revision.talent_id, func.count()).where(Revision.talent_id.in_(ids), Revision.status == "pending")
        .group_by(Revision.talent_id)).all()))
    for proposer_pk, n in proposals.items():
        if proposer_pk is not None:  # selected by talent id; revisions of deleted talents keep none
            out[proposer_pk].append(
                Task("proposal", f"/talents/{by_pk[proposer_pk].external_id}/history", {"count": int(n)}))
    for inv_id, invited_pk, title in session.execute(
        select(ConsultationInvitation.id, ConsultationInvitation.talent_id, ConsultationRequest.title)
        .join(ConsultationRequest, ConsultationRequest.id == ConsultationInvitation.request_id)
        .where(ConsultationInvitation.talent_id.in_(ids), ConsultationInvitation.state.in_(WAITING),
               ConsultationRequest.state.in_(RESPONDING))
        .order_by(ConsultationInvitation.id)
    ):
        out[invited_pk].append(Task("consultation", f"/consultations/invitations/{inv_id}", {"title": title}))
    for event_id, pk, title in session.execute(
        select(Event.id, EventRegistration.talent_id, Event.title)
        .join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.talent_id.in_(ids), EventRegistration.status == RegistrationStatus.INVITED,
               Event.status == EventStatus.PUBLISHED, Event.start_at > now)
        .order_by(Event.start_at)
    ):
        out[pk].append(Task("event", f"/events/{event_id}", {"title": title}))
    return out
