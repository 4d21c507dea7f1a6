"""The whole story, on SQLite and PostgreSQL, with the real embedded hybrid search.

An organizer plans a salon on 低空经济与无人机物流, gets a ranked list of fitting
talents from the bundled demo data (part 2: 80 talents, among them the
low-altitude and drone people; one file keeps a cold embedding cache to about
two minutes), with evidence, the one who opted out shown as excluded; invites
twenty, sees the replies, watches the waitlist promote when someone cancels,
checks people in and exports the attendance.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.events import audience, checkin, invitations, manage, queries
from kb.events import registration as signup
from kb.events.export import attendee_rows, to_csv, to_xlsx
from kb.events.stats import event_stats
from kb.models import Notification, Talent, User
from kb.talents.importer import import_file
from tests.events.conftest import SYSTEM, event_values

DRONE_TALENTS = {"demo-119", "demo-122", "demo-123", "demo-174", "demo-180"}
OPTED_OUT = "demo-180"


@pytest.fixture
def story_kb(kb: KnowledgeBase) -> Iterator[KnowledgeBase]:
    """The ``kb`` fixture's database with a real embedded index in its own data dir."""
    from kb.settings import load_settings

    # The search section as the environment configures it (the shared embedding cache), over kb's data dir.
    search = load_settings({"data_dir": kb.settings.data_dir}).search
    story = KnowledgeBase(replace(kb.settings, search=search))
    yield story
    story.close()


def _load_demo(kb: KnowledgeBase) -> None:
    path = Path(str(resources.files("kb") / "data" / "demo_talents_part2.jsonl"))
    report = import_file(kb.sessions, path, SYSTEM)
    assert report.ok and report.created == 80, report.errors[:3]
    with kb.sessions() as s, s.begin():
        for talent in s.scalars(select(Talent)):
            create_user(s, SYSTEM, f"u-{talent.external_id}", "talent", None, talent=talent,
                        email=f"{talent.external_id}@example.org")
        s.scalar(select(Talent).where(Talent.external_id == OPTED_OUT)).accepts_event_invitations = False
    kb.sync_search()


def _actor(s, external_id: str) -> Actor:  # type: ignore[no-untyped-def]
    talent = s.scalar(select(Talent).where(Talent.external_id == external_id))
    return Actor.of(s.scalar(select(User).where(User.talent_id == talent.id)))


@pytest.mark.slow
def test_low_altitude_salon_from_plan_to_attendance(story_kb: KnowledgeBase) -> None:
    kb = story_kb
    _load_demo(kb)
    with kb.sessions() as s, s.begin():
        organizer = Actor.of(create_user(s, SYSTEM, "organizer", "organizer", None, email="org@example.org"))
        event = manage.create_event(s, organizer, event_values(
            title="低空经济与无人机物流", topics=["低空经济", "无人机物流", "空域管理"], capacity=12,
            description="沙龙：无人机末端配送、低空航线与空域融合运行、低空物流的商业模式与政策。"))
        manage.publish_event(s, organizer, event)
        event_id = event.id

    # 1. A ranked list of fitting talents, with evidence; the opted-out one excluded with the reason.
    with kb.sessions() as s:
        result = audience.suggest_audience(s, kb.search, organizer, s.get(type(event), event_id), limit=20)
    ranked = [c.talent.external_id for c in result.suggestions]
    assert len(ranked) == 20
    assert len(DRONE_TALENTS - {OPTED_OUT} - set(ranked[:10])) <= 1, ranked[:10]
    assert all(c.evidence for c in result.suggestions[:10])
    assert any("无人机" in e.text or "低空" in e.text for e in result.suggestions[0].evidence)
    excluded = {x.talent.external_id: x.reason for x in result.excluded}
    assert excluded.get(OPTED_OUT) == "opted_out" and OPTED_OUT not in ranked
    scores = [c.score for c in result.suggestions]
    assert scores == sorted(scores, reverse=True)

    # 2. Invite the first twenty.
    with kb.sessions() as s, s.begin():
        ev = s.get(type(event), event_id)
        report = invitations.invite(s, organizer, ev, invitations.talents_by_external_id(s, ranked[:20]))
        assert len(report.invited) == 20 and not report.skipped and not report.not_notified

    # 3. Replies: fourteen accept (twelve seats, two waitlisted), two decline, four say nothing yet.
    for n, rid in enumerate(ranked[:16]):
        with kb.sessions() as s, s.begin():
            talent_actor = _actor(s, rid)
            ev = s.get(type(event), event_id)
            signup.reply(s, talent_actor, ev, s.get(Talent, talent_actor.talent_id), accept=n < 14)
    with kb.sessions() as s:
        replies = queries.replies(s, organizer, s.get(type(event), event_id))
        assert (replies.counts["registered"], replies.counts["waitlisted"], replies.counts["declined"],
                replies.counts["invited"]) == (12, 2, 2, 4)
        assert [t.external_id for _r, t in replies.waitlist] == ranked[12:14]

    # 4. Someone cancels: the first on the waitlist gets the seat and is told.
    with kb.sessions() as s, s.begin():
        leaver = _actor(s, ranked[3])
        promoted = signup.cancel(s, leaver, s.get(type(event), event_id), s.get(Talent, leaver.talent_id))
        promoted_user = _actor(s, ranked[12]).user_id
        assert promoted is not None and promoted.talent_id == _actor(s, ranked[12]).talent_id
    with kb.sessions() as s:
        kinds = list(s.scalars(select(Notification.kind).where(Notification.user_id == promoted_user)))
        assert kinds == ["event.invitation", "event.waitlisted", "event.promoted"]
        assert s.get(type(event), event_id).registered_count == 12

    # 5. On the day: eight ticked off the list, two by their code.
    with kb.sessions() as s, s.begin():
        ev = s.get(type(event), event_id)
        arrivals = checkin.checkin_list(s, organizer, ev)
        assert len(arrivals) == 12
        for a in arrivals[:8]:
            checkin.check_in(s, organizer, ev, a.registration.id, now=ev.start_at)
        for a in arrivals[8:10]:
            checkin.check_in_by_code(s, organizer, ev, a.registration.checkin_code, now=ev.start_at)
        manage.finish_event(s, organizer, ev, now=ev.end_at)

    # 6. The attendance, exported.
    with kb.sessions() as s:
        ev = s.get(type(event), event_id)
        rows = attendee_rows(s, organizer, ev, attended_only=True)
        assert len(rows) == 11
        assert to_csv(rows).decode("utf-8-sig").count("\r\n") == 11
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(to_xlsx(rows))).active.max_row == 11
        stats = event_stats(s, organizer)
        assert stats["attendance_rate"] == round(10 / 12, 4)
        assert stats["registrations"]["invitations"] == 20 and stats["fields_covered"]
