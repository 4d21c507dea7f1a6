"""Audience suggestions and invitations: ranking order kept, opt-out and hand-made changes applied."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from indexer import Evidence, SearchQuery
from kb.actors import Actor
from kb.errors import PermissionDenied
from kb.events import audience, invitations
from kb.events.registration import find_registration
from kb.models import Notification, QueueItem, Talent
from tests.events.conftest import add_talent, event_of, make_people, new_event


@dataclass
class Hit:
    talent_id: str
    score: float
    evidence: list = field(default_factory=list)


@dataclass
class Page:
    results: list[Hit]
    total: int


class FakeSearch:
    """Returns the given ranking, paged like the real one, and records the queries."""

    def __init__(self, ranking: list[str]) -> None:
        self.ranking = ranking
        self.queries: list[SearchQuery] = []

    def search(self, query: SearchQuery) -> Page:
        self.queries.append(query)
        ids = self.ranking[query.offset: query.offset + query.limit]
        ev = [Evidence("direction", "d0", "低空物流", "<mark>低空</mark>物流", 0.9, "both")]
        return Page([Hit(i, 1.0 - n / 100, ev) for n, i in enumerate(ids)], len(self.ranking))


@pytest.fixture
def crowd(kb):  # type: ignore[no-untyped-def]
    people = make_people(kb, 0)
    with kb.sessions() as s, s.begin():
        for i in range(12):
            add_talent(s, f"a-{i:02d}", account=i != 3)
        s.scalar(select(Talent).where(Talent.external_id == "a-01")).accepts_event_invitations = False
        s.scalar(select(Talent).where(Talent.external_id == "a-02")).certification_status = "revoked"
    return people


def test_ranking_with_exclusions_and_hand_changes(kb, crowd) -> None:  # type: ignore[no-untyped-def]
    event_id = new_event(kb, crowd.organizer, audience_categories=["B"], audience_fields=["banking"])
    search = FakeSearch([f"a-{i:02d}" for i in range(12)])
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        audience.remove_from_audience(s, crowd.organizer, event, s.scalar(select(Talent).where(Talent.external_id == "a-04")))
        audience.add_to_audience(s, crowd.organizer, event, s.scalar(select(Talent).where(Talent.external_id == "a-11")))
    with kb.sessions() as s:
        result = audience.suggest_audience(s, search, crowd.organizer, event_of(s, event_id), limit=5)
    q = search.queries[0]
    assert "低空经济与无人机物流" in q.text and "无人机物流" in q.text and "航线" in q.text
    assert q.categories == ("B",) and q.fields == ("banking",) and q.limit > 5  # over-fetched
    ids = [c.talent.external_id for c in result.suggestions]
    assert ids == ["a-11", "a-00", "a-03", "a-05", "a-06", "a-07"]  # hand-added first, then rank order
    assert result.suggestions[0].source == "manual" and result.suggestions[1].evidence[0].kind == "direction"
    assert not result.suggestions[2].reachable  # a-03 has no account
    excluded = {x.talent.external_id: x.reason for x in result.excluded}
    assert excluded == {"a-01": "opted_out", "a-02": "not_certified", "a-04": "removed"}
    # Filters given on the page replace the event's criteria.
    with kb.sessions() as s:
        audience.suggest_audience(s, search, crowd.organizer, event_of(s, event_id), categories=(), fields=("funds",))
    assert search.queries[-1].categories == () and search.queries[-1].fields == ("funds",)
    with kb.sessions() as s, pytest.raises(PermissionDenied):
        audience.suggest_audience(s, search, Actor(None, "x", "talent", 1), event_of(s, event_id))


def test_invitations_skip_the_opted_out_and_reach_the_rest(kb, crowd) -> None:  # type: ignore[no-untyped-def]
    event_id = new_event(kb, crowd.organizer)
    with kb.sessions() as s, s.begin():
        talents = invitations.talents_by_external_id(s, ["a-00", "a-01", "a-02", "a-03", "a-05"])
        report = invitations.invite(s, crowd.organizer, event_of(s, event_id), talents, note="欢迎带同事")
        assert [t.external_id for t in report.invited] == ["a-00", "a-03", "a-05"]
        assert {t.external_id: r for t, r in report.skipped} == {"a-01": "opted_out", "a-02": "not_certified"}
        assert [t.external_id for t in report.not_notified] == ["a-03"]
    with kb.sessions() as s, s.begin():
        again = invitations.invite(s, crowd.organizer, event_of(s, event_id),
                                   invitations.talents_by_external_id(s, ["a-00"]))
        assert again.skipped[0][1] == "already_invited"
    with kb.sessions() as s:
        opted_out = s.scalar(select(Talent).where(Talent.external_id == "a-01"))
        assert find_registration(s, event_id, opted_out.id) is None
        notes = list(s.scalars(select(Notification).where(Notification.kind == "event.invitation")))
        assert len(notes) == 2 and "欢迎带同事" in notes[0].body
        mails = [q.payload for q in s.scalars(select(QueueItem).where(QueueItem.topic == "mail.send"))]
        ics = mails[0]["attachments"][0]
        assert ics["content_type"] == "text/calendar" and "BEGIN:VEVENT" in ics["text"]
