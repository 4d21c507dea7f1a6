"""Attendee lists as CSV and XLSX, for the organizer's records and the venue.

No contact data: organizers may not see it (``talent.view_contact``), so the
export does not carry it either. The files are written by ``kb.tabular``, the
one spreadsheet writer, which neutralises cells a spreadsheet would run as a
formula (names and organizations are user input).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.errors import PermissionDenied
from kb.events.notices import format_code
from kb.events.times import local_label
from kb.models import Event, EventRegistration, Talent
from kb.tabular import Column, headers
from kb.tabular import to_csv as _csv
from kb.tabular import to_xlsx as _xlsx
from kb.taxonomy import load_taxonomy
from kb.visibility import event_attendance_visible

COLUMNS = (Column("序号", "No."), Column("姓名", "Name"), Column("英文名", "English name"),
           Column("单位", "Organization"), Column("类别", "Category"), Column("领域", "Fields"),
           Column("状态", "Status"), Column("来源", "Source"), Column("报名时间", "Registered"),
           Column("签到", "Attended"), Column("签到时间", "Checked in"), Column("签到方式", "Method"),
           Column("签到码", "Code"))
HEADER = tuple(headers(COLUMNS))
STATUS_LABELS = {"registered": "已报名", "waitlisted": "候补", "invited": "已邀请", "declined": "已婉拒",
                 "cancelled": "已取消"}
EXPORTED_STATUSES = ("registered", "waitlisted")


def attendee_rows(session: Session, actor: Actor, event: Event, *, attended_only: bool = False) -> list[list[str]]:
    """Header plus one row per seat holder (and waitlisted talent), registered first."""
    if not event_attendance_visible(actor, event):
        raise PermissionDenied(f"{actor.label} may not see who attends event #{event.id}",
                               code="permission.attendance")
    tax = load_taxonomy()
    stmt = (
        select(EventRegistration, Talent).join(Talent, Talent.id == EventRegistration.talent_id)
        .where(EventRegistration.event_id == event.id, EventRegistration.status.in_(EXPORTED_STATUSES))
    )
    if attended_only:
        stmt = stmt.where(EventRegistration.checked_in_at.is_not(None))
    rows = sorted(session.execute(stmt).all(),
                  key=lambda r: (r[0].status != "registered", r[0].registered_at or r[0].waitlisted_at, r[0].id))
    out = [list(HEADER)]
    for n, (reg, t) in enumerate(rows, start=1):
        out.append([
            str(n), t.name, t.name_en, t.organization, tax.category_label(t.category),
            "、".join(tax.field_label(f) for f in t.fields),
            STATUS_LABELS.get(reg.status, reg.status), "邀请" if reg.source == "invitation" else "自主报名",
            local_label(reg.registered_at or reg.waitlisted_at, event.timezone),
            "是" if reg.checked_in_at else "否", local_label(reg.checked_in_at, event.timezone),
            {"list": "名单", "code": "签到码"}.get(reg.checkin_method, ""), format_code(reg.checkin_code),
        ])
    return out


def to_csv(rows: list[list[str]]) -> bytes:
    """``attendee_rows`` (header first) as CSV."""
    return _csv(rows[0], rows[1:])


def to_xlsx(rows: list[list[str]], title: str = "Attendees") -> bytes:
    """``attendee_rows`` (header first) as a one-sheet workbook."""
    return _xlsx(rows[0], rows[1:], title)


def export_filename(event: Event, ext: str) -> str:
    return f"event-{event.id}-attendees.{ext}"
