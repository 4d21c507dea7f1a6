"""Check-in, reminders, feedback, materials, proposals, exports and stats."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from kb.errors import Conflict, NotFound, PermissionDenied, ValidationError
from kb.events import checkin, feedback, manage, materials, proposals
from kb.events.export import attendee_rows, to_csv, to_xlsx
from kb.events.registration import find_registration, register
from kb.events.reminders import send_due_reminders
from kb.events.stats import event_stats
from kb.models import Notification, QueueItem, utcnow
from tests.events.conftest import event_of, new_event, talent_of


def _registered(kb, people, n=3, **over):  # type: ignore[no-untyped-def]
    event_id = new_event(kb, people.organizer, **over)
    actors = list(people.talents.values())[:n]
    with kb.sessions() as s, s.begin():
        for a in actors:
            register(s, a, event_of(s, event_id), talent_of(s, a))
    return event_id, actors


def test_check_in_by_list_and_by_code_once(kb, people) -> None:  # type: ignore[no-untyped-def]
    event_id, (a, b, c) = _registered(kb, people)
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        assert [x.talent.name for x in checkin.checkin_list(s, people.organizer, event, "t-01")] == ["人才t-01"]
        reg_a = find_registration(s, event_id, a.talent_id)
        checkin.check_in(s, people.organizer, event, reg_a.id)
        code_b = find_registration(s, event_id, b.talent_id).checkin_code
        typed = f" {code_b[:4].lower()}-{code_b[4:]} "
        assert checkin.check_in_by_code(s, people.organizer, event, typed).talent_id == b.talent_id
    with kb.sessions() as s:
        event = event_of(s, event_id)
        with pytest.raises(Conflict, match="already checked in"):
            checkin.check_in_by_code(s, people.organizer, event, code_b)
        with pytest.raises(Conflict):
            checkin.check_in(s, people.organizer, event, find_registration(s, event_id, a.talent_id).id)
        with pytest.raises(NotFound):
            checkin.check_in_by_code(s, people.organizer, event, "ZZZZ-ZZZZ")
        with pytest.raises(PermissionDenied):
            checkin.check_in_by_code(s, c, event, find_registration(s, event_id, c.talent_id).checkin_code)
    # Undoing a code check-in spends the code: it cannot be used a second time.
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        checkin.undo_check_in(s, people.organizer, event, find_registration(s, event_id, b.talent_id).id)
    with kb.sessions() as s, pytest.raises(NotFound):
        checkin.check_in_by_code(s, people.organizer, event_of(s, event_id), code_b)


def test_reminders_are_sent_once(kb, people) -> None:  # type: ignore[no-untyped-def]
    event_id, actors = _registered(kb, people)
    with kb.sessions() as s:
        start = event_of(s, event_id).start_at
    with kb.sessions() as s, s.begin():
        assert send_due_reminders(s, start - timedelta(days=3)) == 0  # too early
        assert send_due_reminders(s, start - timedelta(hours=20)) == 3
        assert send_due_reminders(s, start - timedelta(hours=19)) == 0
    with kb.sessions() as s:
        reminders = list(s.scalars(select(Notification).where(Notification.kind == "event.reminder")))
        assert len(reminders) == 3
        mails = [q for q in s.scalars(select(QueueItem).where(QueueItem.topic == "mail.send"))
                 if q.payload["subject"].startswith("活动提醒")]
        assert len(mails) == 3 and mails[0].payload["attachments"][0]["filename"].endswith(".ics")
    # Moving the event re-arms the reminders.
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        manage.update_event(s, people.organizer, event, {"start_at": "2099-01-01T10:00", "end_at": "2099-01-01T12:00"})
        assert event.sequence == 1
    with kb.sessions() as s, s.begin():
        assert send_due_reminders(s, event_of(s, event_id).start_at - timedelta(hours=1)) == 3


def test_feedback_only_from_attendees_once(kb, people) -> None:  # type: ignore[no-untyped-def]
    event_id, (a, b, _c) = _registered(kb, people)
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        checkin.check_in(s, people.organizer, event, find_registration(s, event_id, a.talent_id).id)
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        with pytest.raises(Conflict):
            feedback.give_feedback(s, b, event, talent_of(s, b), 5)  # registered, never came
        with pytest.raises(PermissionDenied):
            feedback.give_feedback(s, b, event, talent_of(s, a), 1)  # not for someone else
        with pytest.raises(ValidationError):
            feedback.give_feedback(s, a, event, talent_of(s, a), 6)
        feedback.give_feedback(s, a, event, talent_of(s, a), "4", "很有收获")
    with kb.sessions() as s:
        event = event_of(s, event_id)
        with pytest.raises(Conflict):
            feedback.give_feedback(s, a, event, talent_of(s, a), 5)
        summary = feedback.feedback_summary(s, people.organizer, event)
        assert summary.count == 1 and summary.average == 4 and summary.distribution[4] == 1


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_materials_checked_by_content_and_stored_under_random_names(kb, people) -> None:  # type: ignore[no-untyped-def]
    event_id, (a, *_rest) = _registered(kb, people, n=1)
    data_dir, limit = kb.settings.data_dir, kb.settings.events.material_max_bytes
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        pdf = materials.add_material(s, people.organizer, event, "../../etc/讲义.pdf", b"%PDF-1.7\n...", data_dir, max_bytes=limit)
        assert pdf.filename == "讲义.pdf" and pdf.content_type == "application/pdf"
        assert pdf.stored_name != pdf.filename and (data_dir / "attachments" / pdf.stored_name).is_file()
        img = materials.add_material(s, people.organizer, event, "photo", PNG, data_dir, max_bytes=limit)
        assert img.filename == "photo.png"
        for name, data in [("slides.pdf", b"<html>not a pdf</html>"), ("x.docx", b"PK\x03\x04garbage"),
                           ("run.exe", b"MZ\x90\x00"), ("empty.pdf", b"")]:
            with pytest.raises(ValidationError):
                materials.add_material(s, people.organizer, event, name, data, data_dir, max_bytes=limit)
        with pytest.raises(ValidationError):
            materials.add_material(s, people.organizer, event, "big.pdf",
                                   b"%PDF-" + b"0" * limit, data_dir, max_bytes=limit)
        with pytest.raises(PermissionDenied):
            materials.add_material(s, a, event, "x.pdf", b"%PDF-1.4", data_dir, max_bytes=limit)
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        assert len(materials.list_materials(s, a, event)) == 2
        material, path = materials.open_material(s, a, event, pdf.id, data_dir)
        assert path.read_bytes().startswith(b"%PDF")
        materials.remove_material(s, people.organizer, event, pdf.id, data_dir)
        assert not path.exists()


def test_docx_is_recognised_by_its_parts() -> None:
    import zipfile

    from kb.events.filetypes import sniff

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert sniff(buf.getvalue(), "a.docx").ext == "docx"
    assert sniff(buf.getvalue(), "a.pptx") is None  # a Word file renamed to .pptx


def test_proposals(kb, people) -> None:  # type: ignore[no-untyped-def]
    a = people.talents["t-00"]
    with kb.sessions() as s, s.begin():
        p = proposals.propose(s, a, talent_of(s, a), "lecture", "无人机物流的空域管理", "我可以讲一讲试点经验。")
        with pytest.raises(PermissionDenied):
            proposals.propose(s, people.organizer, talent_of(s, a), "topic", "x")
        with pytest.raises(ValidationError):
            proposals.propose(s, a, talent_of(s, a), "party", "x")
    with kb.sessions() as s, s.begin():
        with pytest.raises(PermissionDenied):
            proposals.list_proposals(s, a)
        assert [x.title for x, _t in proposals.list_proposals(s, people.organizer, "open")] == ["无人机物流的空域管理"]
        organizer_inbox = s.scalars(select(Notification).where(Notification.user_id == people.organizer.user_id))
        assert [n.kind for n in organizer_inbox] == ["event.proposal"]
        proposals.review_proposal(s, people.organizer, p.id, True, "下月安排")
    with kb.sessions() as s:
        assert [x.status for x in proposals.own_proposals(s, a, talent_of(s, a))] == ["accepted"]
        with pytest.raises(Conflict):
            proposals.review_proposal(s, people.organizer, p.id, False)


def test_exports_and_stats(kb, people) -> None:  # type: ignore[no-untyped-def]
    event_id, (a, b, c) = _registered(kb, people, capacity=2)
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        checkin.check_in(s, people.organizer, event, find_registration(s, event_id, a.talent_id).id)
        talent_of(s, b).organization = "=HYPERLINK(\"http://x\")"
    with kb.sessions() as s:
        rows = attendee_rows(s, people.organizer, event_of(s, event_id))
        assert len(rows) == 4 and rows[1][6] == "已报名" and rows[3][6] == "候补"
        assert [r[9] for r in rows[1:3]].count("是") == 1
        text = to_csv(rows).decode("utf-8-sig")
        assert "'=HYPERLINK" in text and text.splitlines()[0].startswith("序号")
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(to_xlsx(rows))).active
        assert ws.max_row == 4 and ws["B2"].value == rows[1][1]
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        manage.finish_event(s, people.organizer, event, now=event.start_at + timedelta(hours=3))
    with kb.sessions() as s:
        stats = event_stats(s, people.organizer)
        event = event_of(s, event_id)
        month = (event.start_at + timedelta(hours=8)).strftime("%Y-%m")
        assert stats["events_per_month"] == {month: 1}
        assert stats["registrations"]["registered"] == 2 and stats["registrations"]["waitlisted"] == 1
        assert stats["attendance_rate"] == 0.5
        assert stats["fields_covered"] == {"banking": 1, "funds": 1}
        with pytest.raises(PermissionDenied):
            event_stats(s, a)


def test_finish_and_cancel_rules(kb, people) -> None:  # type: ignore[no-untyped-def]
    event_id, (a, *_rest) = _registered(kb, people, n=2)
    with kb.sessions() as s, pytest.raises(Conflict):
        manage.finish_event(s, people.organizer, event_of(s, event_id))  # not started yet
    with kb.sessions() as s, s.begin():
        manage.cancel_event(s, people.organizer, event_of(s, event_id), "场地维修")
    with kb.sessions() as s:
        kinds = list(s.scalars(select(Notification.kind).where(Notification.user_id == a.user_id)))
        assert kinds[-1] == "event.cancelled"
        with pytest.raises(Conflict):
            manage.update_event(s, people.organizer, event_of(s, event_id), {"title": "x"})
        assert utcnow() < event_of(s, event_id).start_at
