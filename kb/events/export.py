"""Attendee lists as CSV and XLSX, for the organizer's records and the venue.

No contact data: organizers may not see it (``talent.view_contact``), so the
export does not carry it either. Cells that a spreadsheet would run as a
formula are neutralised, because names and organizations are user input.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.events.notices import format_code
from kb.events.times import local_label
from kb.models import Event, EventRegistration, Talent
from kb.permissions import require
from kb.taxonomy import load_taxonomy

HEADER = ("序号 No.", "姓名 Name", "英文名 English name", "单位 Organization", "类别 Category", "领域 Fields",
          "状态 Status", "来源 Source", "报名时间 Registered", "签到 Attended", "签到时间 Checked in",
          "签到方式 Method", "签到码 Code")
STATUS_LABELS = {"registered": "已报名", "waitlisted": "候补", "invited": "已邀请", "declined": "已婉拒",
                 "cancelled": "已取消"}
EXPORTED_STATUSES = ("registered", "waitlisted")


def attendee_rows(session: Session, actor: Actor, event: Event, *, attended_only: bool = False) -> list[list[str]]:
    """Header plus one row per seat holder (and waitlisted talent), registered first."""
    require(actor, "event.manage", event)
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


def _safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe(c) for c in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list[str]], title: str = "Attendees") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for row in rows:
        ws.append([_safe(c) for c in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col in ws.columns:
        width = max(len(str(c.value or "")) for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(40, max(8, width * 1.6))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_filename(event: Event, ext: str) -> str:
    return f"event-{event.id}-attendees.{ext}"
