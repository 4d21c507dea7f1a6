"""Chinese (translatable) labels for event codes, for templates only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from kb.events.enums import EventStatus, RegistrationStatus
from kb.events.notices import format_code
from kb.events.times import local_label


def kind_label(kind: str) -> str:
    return {"lecture": _("讲座"), "salon": _("沙龙"), "training": _("培训"), "site_visit": _("参访"),
            "other": _("其他")}.get(kind, kind)


def event_status_label(status: str) -> str:
    s = EventStatus
    return {s.DRAFT: _("草稿"), s.PUBLISHED: _("已发布"), s.CANCELLED: _("已取消"),
            s.FINISHED: _("已结束")}.get(status, status)


def registration_label(status: str | None) -> str:
    s = RegistrationStatus
    return {s.INVITED: _("已邀请，待答复"), s.REGISTERED: _("已报名"), s.WAITLISTED: _("候补中"),
            s.DECLINED: _("已婉拒"), s.CANCELLED: _("已取消报名")}.get(status or "", status or "")


def exclusion_label(reason: str) -> str:
    return {"opted_out": _("本人已选择不接收活动邀请"), "not_certified": _("认证状态无效"),
            "removed": _("已由组织者手动移除")}.get(reason, reason)


def skip_label(reason: str) -> str:
    return {"opted_out": _("不接收活动邀请"), "not_certified": _("认证状态无效"), "declined": _("此前已婉拒或取消"),
            "already_invited": _("已邀请过"), "already_registered": _("已报名"),
            "already_waitlisted": _("已在候补")}.get(reason, reason)


def proposal_kind_label(kind: str) -> str:
    return {"topic": _("选题建议"), "lecture": _("申请主讲")}.get(kind, kind)


def proposal_status_label(status: str) -> str:
    return {"open": _("待处理"), "accepted": _("已采纳"), "declined": _("未采纳")}.get(status, status)


def zone_label(tz: str) -> str:
    """An event's time zone as people say it ("北京时间"), not its IANA id; a zone without a
    name here keeps the id, which still says exactly which clock is meant."""
    return {"Asia/Shanghai": _("北京时间"), "Asia/Hong_Kong": _("香港时间"), "Asia/Macau": _("澳门时间"),
            "Asia/Taipei": _("台北时间"), "Asia/Singapore": _("新加坡时间"), "Asia/Tokyo": _("东京时间"),
            "Europe/London": _("伦敦时间"), "Europe/Berlin": _("柏林时间"), "America/New_York": _("纽约时间"),
            "America/Los_Angeles": _("洛杉矶时间"), "UTC": _("协调世界时")}.get(tz, tz)


def local_time(value: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return local_label(value, tz, fmt)


LABELS: dict[str, Any] = {
    "kind_label": kind_label, "event_status_label": event_status_label, "registration_label": registration_label,
    "exclusion_label": exclusion_label, "skip_label": skip_label, "proposal_kind_label": proposal_kind_label,
    "proposal_status_label": proposal_status_label, "local_time": local_time, "format_code": format_code,
    "zone_label": zone_label,
}
