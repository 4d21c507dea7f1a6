"""Chinese (translatable) labels for consultation codes, for templates only."""

from __future__ import annotations

from flask_babel import gettext as _

from kb.consultations.enums import InvitationState, RequestState
from kb.consultations.reasons import Reason


def state_label(state: str) -> str:
    s = RequestState
    return {s.DRAFT: _("草稿"), s.OPEN: _("已发布"), s.INVITED: _("已邀请专家"), s.IN_PROGRESS: _("进行中"),
            s.ANSWERED: _("已答复"), s.CLOSED: _("已结束"), s.CANCELLED: _("已取消")}.get(state, state)


def invitation_label(state: str | None) -> str:
    s = InvitationState
    return {s.INVITED: _("已邀请"), s.ACCEPTED: _("已接受"), s.DECLINED: _("已婉拒"), s.CONFLICT: _("申报回避"),
            s.ANSWERED: _("已提交意见")}.get(state or "", state or "")


def form_label(form: str) -> str:
    return {"written": _("书面意见"), "meeting": _("咨询会"), "panel": _("评审会")}.get(form, form)


def secrecy_label(level: str) -> str:
    return {"public": _("平台内公开"), "unit": _("仅本单位"), "confidential": _("保密")}.get(level, level)


def adoption_label(level: str | None) -> str:
    return {"full": _("全部采纳"), "partial": _("部分采纳"), "none": _("未采纳")}.get(level or "", _("未记录"))


def reason_label(reason: Reason) -> str:
    d = reason.detail
    texts = {
        "party_employer": lambda: _("回避：现任职于利益相关方“%(org)s”", org=d.get("organization", "")),
        "party_former_employer": lambda: _("回避：%(year)s 年前曾任职于利益相关方“%(org)s”（近三年内）",
                                           year=d.get("to_year", ""), org=d.get("organization", "")),
        "declared_conflict": lambda: _("回避：本人申报利益冲突（%(reason)s）", reason=d.get("reason", "")),
        "requester_unit": lambda: _("回避：任职于委托单位“%(org)s”", org=d.get("organization", "")),
        "unavailable": lambda: _("暂不接受咨询"),
        "workload": lambda: _("轮换：%(year)s 年已接受 %(count)s 次咨询（上限 %(cap)s）",
                              year=d.get("year", ""), count=d.get("count", ""), cap=d.get("cap", "")),
        "diversity": lambda: _("多样性：同一单位“%(org)s”已有 %(cap)s 位专家", org=d.get("organization", ""),
                               cap=d.get("cap", "")),
        "removed": lambda: _("已由 %(who)s 手动移除：%(reason)s", who=d.get("actor", ""), reason=d.get("reason", "")),
    }
    make = texts.get(reason.code)
    return make() if make else reason.text


LABELS = {
    "consult_state": state_label, "invitation_label": invitation_label, "consult_form": form_label,
    "secrecy_label": secrecy_label, "adoption_label": adoption_label, "reason_label": reason_label,
}
