"""Event notices are titled in plain words in each recipient's language, like consultation notices.

They were stored as Chinese literals ("报名成功：…"), so an English-speaking talent's
inbox and mail read Chinese subjects whatever the account's language.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from kb.events import invitations, manage
from kb.events.enums import EventStatus
from kb.events.notices import WHAT
from kb.events.registration import register
from kb.models import Notification, User
from kb.notifications.subjects import shortened
from tests.events.conftest import event_of, new_event, talent_of

EVENTS = Path(__file__).resolve().parents[2] / "kb" / "events"
SENDERS = {"notify_talents": 2, "_tell_holders": 2}  # the position of the notice kind among the arguments


def _kinds_sent() -> set[str]:
    found = set()
    for path in EVENTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SENDERS:
                kind = node.args[SENDERS[node.func.id]] if len(node.args) > SENDERS[node.func.id] else None
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    found.add(kind.value)
    return found


def test_every_event_notice_kind_has_its_words() -> None:
    sent = _kinds_sent()
    assert len(sent) >= 6, sent  # the scan reads the calls, not nothing
    assert sent <= set(WHAT), sent - set(WHAT)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_talent_reads_event_subjects_in_the_account_language(kb, people, language: str) -> None:  # type: ignore[no-untyped-def]
    talent = people.talents["t-01"]
    with kb.sessions() as s, s.begin():
        s.scalars(select(User).where(User.username == "u-t-01")).one().preferred_language = language
    eid = new_event(kb, people.organizer, title="罗湖区低空经济与无人机物流政策沙龙（第二期）")
    with kb.sessions() as s, s.begin():
        event = event_of(s, eid)
        invitations.invite(s, people.organizer, event, [talent_of(s, talent)])
        register(s, talent, event, talent_of(s, talent))
        manage.transition(s, people.organizer, event, EventStatus.CANCELLED, "场地维修")
    with kb.sessions() as s:
        user = s.scalars(select(User).where(User.username == "u-t-01")).one()
        titles = {n.kind: n.title for n in s.scalars(select(Notification).where(Notification.user_id == user.id))}
    short = shortened("罗湖区低空经济与无人机物流政策沙龙（第二期）")
    assert set(titles) >= {"event.invitation", "event.registered", "event.cancelled"}, titles
    for kind, title in titles.items():
        zh, en = WHAT[kind]
        assert title == (f"{en}: {short}" if language == "en" else f"{zh}：{short}")
