"""Real consultation and event activity for the web tests, made through the kb functions.

The demo data and ``tests.web.data`` hold talents only; the dashboard figures
and the profile's consultation and event sections need a request that went
all the way (invited, advice, adoption) and an event that was held (someone
registered and checked in). Going through kb keeps the rows exactly as the
product writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from kb.accounts import create_user
from kb.actors import Actor
from kb.consultations.invitations import invite, submit_advice
from kb.consultations.outcome import rate_advice, record_adoption
from kb.consultations.requests import create_request, open_request
from kb.events.checkin import check_in
from kb.events.manage import create_event, finish_event, publish_event
from kb.events.registration import register
from kb.models import Talent, User, utcnow
from tests.web.conftest import Site

REQUEST_TITLE = "前海跨境理财通扩容的风险评估"
EVENT_TITLE = "跨境金融政策沙龙"
UNIT = "罗湖区发展研究中心"  # the "researcher" account's unit in tests.web.data


@dataclass(frozen=True)
class Activity:
    request_id: int
    event_id: int


def _actor(session: object, username: str) -> Actor:
    return Actor.of(session.scalar(select(User).where(User.username == username)))  # type: ignore[attr-defined]


def add_activity(site: Site, talent_id: str) -> Activity:
    """One answered, rated and adopted consultation and one held event, both with ``talent_id``."""
    with site.kb.sessions() as s, s.begin():
        researcher, organizer = _actor(s, "researcher"), _actor(s, "organizer")
        talent = s.scalar(select(Talent).where(Talent.external_id == talent_id))
        own = s.scalar(select(User).where(User.talent_id == talent.id))
        talent_actor = Actor.of(own) if own else Actor.of(create_user(
            s, Actor.system("web tests"), f"activity-{talent_id}", "talent", None, talent=talent))

        request = create_request(s, researcher, {
            "title": REQUEST_TITLE, "questions": "扩容后的销售适当性如何管理？", "fields": ["banking"],
            "deadline": (utcnow() + timedelta(days=20)).date(), "experts_wanted": 1, "confidentiality": "unit",
        })
        open_request(s, researcher, request)
        [invitation] = invite(s, researcher, request, [talent])
        advice = submit_advice(s, talent_actor, invitation, "建议分阶段扩容，并统一投资者适当性标准。",
                               data_dir=Path(site.data_dir))
        rate_advice(s, researcher, advice, 5, "切中要害")
        record_adoption(s, researcher, advice, "partial", "罗湖区跨境金融工作要点")

        start = utcnow() + timedelta(days=3)
        event = create_event(s, organizer, {
            "kind": "salon", "title": EVENT_TITLE, "description": "跨境理财通与资金池政策交流。",
            "topics": ["跨境金融"], "start_at": start.replace(microsecond=0),
            "end_at": (start + timedelta(hours=2)).replace(microsecond=0), "timezone": "Asia/Shanghai",
            "place": "罗湖区人才之家", "capacity": 20,
        })
        publish_event(s, organizer, event)
        reg = register(s, talent_actor, event, talent)
        held = start + timedelta(minutes=30)
        check_in(s, organizer, event, reg.id, now=held)
        finish_event(s, organizer, event, now=held + timedelta(hours=2))
        return Activity(request.id, event.id)
