"""Profile edits: permissions, revisions, proposals, optimistic locking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.accounts import create_user
from kb.actors import Actor
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.models import AuditEvent, QueueItem, Revision, Talent
from kb.talents import changes as ops
from kb.talents.profiles import profile_history, profile_view
from tests.kb.conftest import record

SYSTEM = Actor.system("test")


@pytest.fixture
def people(kb):  # type: ignore[no-untyped-def]
    """Two talents with accounts, and one account of every other role."""
    with kb.sessions() as s, s.begin():
        a, _ = ops.apply_record(s, record("t-a"), SYSTEM)
        b, _ = ops.apply_record(s, record("t-b", name="周宁", available_for_consultation=False), SYSTEM)
        actors = {
            "a": Actor.of(create_user(s, SYSTEM, "talent-a", "talent", None, talent=a)),
            "b": Actor.of(create_user(s, SYSTEM, "talent-b", "talent", None, talent=b)),
        }
        for role in ("researcher", "organizer", "commissioner", "admin"):
            actors[role] = Actor.of(create_user(s, SYSTEM, role, role, None))
    return actors


def talent(s, rid: str) -> Talent:  # type: ignore[no-untyped-def]
    return ops.get_talent(s, rid)


def test_talent_edits_own_profile_with_revision_and_sync(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        ops.update_profile(s, people["a"], t, {"bio": "专注绿色金融。", "research_directions": ["绿色债券"]}, t.version)
    with kb.sessions() as s:
        t = talent(s, "t-a")
        assert t.bio == "专注绿色金融。"
        rev = s.scalars(select(Revision).where(Revision.talent_id == t.id).order_by(Revision.id.desc())).first()
        assert rev.actor_label == "talent-a" and rev.action == "edit"
        assert {c["field"] for c in rev.changes} == {"bio", "research_directions"}
        queued = [i.payload for i in s.scalars(select(QueueItem).where(QueueItem.topic == "search.sync"))]
        assert {"talent": "t-a"} in queued


def test_talent_cannot_edit_someone_else(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        t = talent(s, "t-b")
        with pytest.raises(PermissionDenied):
            ops.update_profile(s, people["a"], t, {"bio": "hijacked"}, t.version)
        with pytest.raises(PermissionDenied):
            ops.add_output(s, people["a"], t, {"type": "paper", "title": "x"}, t.version)
        for role in ("researcher", "organizer"):
            with pytest.raises(PermissionDenied):
                ops.update_profile(s, people[role], t, {"bio": "x"}, t.version)


def test_certified_facts_are_staff_only(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        t = talent(s, "t-a")
        with pytest.raises(PermissionDenied):
            ops.update_profile(s, people["a"], t, {"category": "A"}, t.version)
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        ops.update_profile(s, people["commissioner"], t, {"category": "A"}, t.version)
    with kb.sessions() as s:
        assert talent(s, "t-a").category == "A"


def test_reviewed_facts_wait_for_a_commissioner(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        ops.update_profile(s, people["a"], t, {"organization": "前海新金融研究院", "bio": "新简介"}, t.version)
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        assert t.organization == "深港金融研究院" and t.bio == "新简介"
        [proposal] = ops.pending_proposals(s)
        with pytest.raises(PermissionDenied):
            ops.review_proposal(s, people["a"], proposal, approve=True)
        ops.review_proposal(s, people["commissioner"], proposal, approve=True)
    with kb.sessions() as s:
        assert talent(s, "t-a").organization == "前海新金融研究院"
        assert ops.pending_proposals(s) == []


def test_stale_version_is_a_conflict_and_loses_nothing(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        opened_version = talent(s, "t-a").version
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        ops.update_profile(s, people["a"], t, {"bio": "first save"}, opened_version)
    with kb.sessions() as s, pytest.raises(Conflict):
        t = talent(s, "t-a")
        ops.update_profile(s, people["commissioner"], t, {"bio": "second save"}, opened_version)
    with kb.sessions() as s:
        assert talent(s, "t-a").bio == "first save"


def test_concurrent_sessions_cannot_both_win(kb, people) -> None:  # type: ignore[no-untyped-def]
    """Both read the same version; the database-level version check stops the second."""
    s1, s2 = kb.sessions(), kb.sessions()
    t1, t2 = talent(s1, "t-a"), talent(s2, "t-a")
    ops.update_profile(s1, people["a"], t1, {"bio": "one"}, t1.version)
    s1.commit()
    with pytest.raises(Conflict):
        ops.update_profile(s2, people["commissioner"], t2, {"bio": "two"}, None)
        s2.commit()
    s1.close()
    s2.close()
    with kb.sessions() as s:
        assert talent(s, "t-a").bio == "one"


def test_output_add_edit_delete_recorded(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        o = ops.add_output(s, people["a"], t, {"type": "patent", "title": "一种风控方法", "year": 2024}, t.version)
        ops.update_output(s, people["a"], t, o.id, {"type": "patent", "title": "一种风控方法（授权）", "year": 2025}, None)
        oid = o.id
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        ops.delete_output(s, people["a"], t, oid, t.version)
    with kb.sessions() as s:
        t = talent(s, "t-a")
        assert all(o.id != oid for o in t.outputs)
        changes = [c["field"] for r in profile_history(s, people["a"], t) for c in r["changes"]]
        assert f"outputs[{oid}].title" in changes and f"outputs[{oid}]" in changes


def test_invalid_values_are_refused(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        t = talent(s, "t-a")
        with pytest.raises(ValidationError) as err:
            ops.update_profile(s, people["commissioner"], t, {"fields": ["nonsense"]}, t.version)
        assert "fields[0]" in err.value.errors
        with pytest.raises(ValidationError):
            ops.update_profile(s, people["a"], t, {"research_directions": []}, t.version)
        with pytest.raises(ValidationError):
            ops.add_output(s, people["a"], t, {"type": "poem", "title": "x"}, t.version)


def test_contact_visibility_and_audit(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        available, unavailable = talent(s, "t-a"), talent(s, "t-b")
        assert profile_view(s, people["researcher"], available).contact["email"] == "lin.hai@example.org"
        assert profile_view(s, people["researcher"], unavailable).contact is None
        assert profile_view(s, people["organizer"], available).contact is None
        assert profile_view(s, people["b"], available).contact is None
        assert profile_view(s, people["b"], unavailable).contact is not None  # its own
        assert profile_view(s, people["commissioner"], unavailable).contact is not None
    with kb.sessions() as s:
        seen = [(e.actor_label, e.object_id) for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "contact.view"))]
        assert ("researcher", "t-a") in seen and ("commissioner", "t-b") in seen
        assert all(actor != "talent-b" for actor, _ in seen)  # looking at oneself is not audited


def test_history_hides_contact_changes_from_others(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        t = talent(s, "t-a")
        ops.update_profile(s, people["a"], t, {"phone": "0755-00009999"}, t.version)
    with kb.sessions() as s:
        t = talent(s, "t-a")
        own = profile_history(s, people["a"], t)
        assert own[0]["changes"][0]["new"] == "0755-00009999"
        with pytest.raises(PermissionDenied):
            profile_history(s, people["researcher"], t)
