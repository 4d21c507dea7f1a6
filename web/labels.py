"""Words for the codes kb writes into the audit trail, in the UI language.

The audit log, a consultation's trail and a talent's history show what was
done by whom; kb records it as codes (``consultation.transition``,
``{"from": "open", "to": "invited"}``, ``{"fields": ["aerospace"]}``). Every
page that shows an entry says it through here, so no page shows a code, a
Python list or an internal id. Enum labels (states, kinds) stay with their
module (web/consultations/labels.py, web/events/labels.py) and are used here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from kb.labels import SYSTEM_NOTES

#: Every audit action kb writes (tests/web/test_labels_everywhere.py scans kb for them).
AUDIT_ACTIONS: dict[str, LazyString] = {
    "user.create": _l("创建账号"), "user.invite": _l("邀请注册"), "user.enable": _l("启用账号"),
    "user.disable": _l("停用账号"), "user.password_reset": _l("重置密码"), "user.password_change": _l("修改密码"),
    "token.create": _l("创建 API 令牌"), "token.revoke": _l("撤销 API 令牌"),
    "contact.view": _l("查看联系方式"), "talent.export": _l("导出人才数据"),
    "talent.outputs.harvest": _l("自动收录成果"), "talent.outputs.claim": _l("认领收录的成果"),
    "talent.digest_frequency": _l("修改提醒频率"), "commissioner.assign": _l("指派服务专员"),
    "freshness.remind": _l("提醒人才更新档案"),
    "capability.build": _l("重新生成能力地图"),
    "talent.affiliations": _l("修改任职经历"), "talent.affiliations.add": _l("添加任职经历"),
    "talent.affiliations.remove": _l("删除任职经历"),
    "consultation.create": _l("创建咨询需求"), "consultation.edit": _l("修改咨询需求"),
    "consultation.transition": _l("咨询状态变更"), "consultation.include": _l("手动加入专家"),
    "consultation.exclude": _l("手动移除专家"), "consultation.draw": _l("随机抽取专家"),
    "consultation.invite": _l("邀请专家"), "consultation.accept": _l("专家接受邀请"),
    "consultation.decline": _l("专家婉拒邀请"), "consultation.conflict": _l("专家申报回避"),
    "consultation.advice": _l("专家提交意见"), "consultation.rate": _l("评价意见"),
    "consultation.adopt": _l("记录采纳情况"), "consultation.download": _l("下载附件"),
    "consultation.dossier": _l("导出咨询档案"), "consultation.export": _l("导出咨询数据"),
    "event.create": _l("创建活动"), "event.update": _l("修改活动"), "event.publish": _l("发布活动"),
    "event.cancel": _l("取消活动"), "event.finish": _l("结束活动"), "event.invite": _l("邀请参加活动"),
    "event.register": _l("报名活动"), "event.decline": _l("婉拒活动邀请"),
    "event.cancel_registration": _l("取消报名"), "event.promote": _l("候补转为报名"),
    "event.checkin": _l("签到"), "event.checkin_undo": _l("撤销签到"), "event.feedback": _l("活动评价"),
    "event.propose": _l("提交活动建议"), "event.proposal_review": _l("处理活动建议"),
    "event.material_add": _l("上传活动资料"), "event.material_remove": _l("删除活动资料"),
    "event.audience_add": _l("手动加入受邀名单"), "event.audience_remove": _l("从受邀名单移除"),
    "event.audience_reset": _l("恢复推荐名单"),
}

#: The keys of an entry's detail.
DETAIL_KEYS: dict[str, LazyString] = {
    "from": _l("原状态"), "to": _l("新状态"), "note": _l("备注"), "reason": _l("理由"), "talent": _l("人才"),
    "talents": _l("人才"), "username": _l("用户名"), "role": _l("角色"), "email": _l("电子邮箱"),
    "tokens_revoked": _l("撤销的令牌数"), "token": _l("令牌"), "label": _l("名称"), "kind": _l("类别"),
    "rows": _l("行数"), "format": _l("格式"), "include_contact": _l("含联系方式"), "title": _l("标题"),
    "status": _l("状态"), "rating": _l("评分"), "material": _l("资料"), "filename": _l("文件名"),
    "registration": _l("报名记录"), "method": _l("方式"), "fields": _l("产业领域"), "seed": _l("随机种子"),
    "picked": _l("抽中"), "pool": _l("候选池"), "count": _l("人数"), "adoption": _l("采纳情况"),
    "adopted_into": _l("采纳于"), "attachments": _l("附件"), "deadline": _l("截止日期"),
    "experts_wanted": _l("所需专家人数"), "form": _l("咨询形式"), "confidentiality": _l("保密级别"),
    "parties": _l("利益相关方"), "background": _l("背景"), "questions": _l("咨询问题"), "unit": _l("委托单位"),
    "organization": _l("单位"), "from_year": _l("起始年份"), "to_year": _l("结束年份"), "active": _l("启用"),
    "pool_size": _l("候选池人数"), "invitation": _l("邀请"), "notified": _l("已通知人数"),
    "text": _l("意见"), "secrecy": _l("保密级别"), "comment": _l("评语"), "version": _l("版本"),
    "tasks": _l("待办事项数"),
    "expires_at": _l("有效期至"), "step": _l("台账环节"), "leader_level": _l("批示层级"), "document": _l("文件"),
    "old": _l("原任职经历"), "new": _l("新任职经历"), "items": _l("条目数"), "failed": _l("未能识别的条目数"),
    "delegated": _l("代为操作"), "claimed": _l("认领条目数"), "rejected": _l("未认领条目数"),
    "skipped": _l("未处理"), "was": _l("原报名状态"), "invited": _l("已邀请"),
    "fair": _l("优先近期咨询较少的专家"), "fairness": _l("抽取公平性"), "picked_past": _l("抽中专家近期受咨询次数"),
}

#: Row numbers kb keeps for its own bookkeeping (an invitation, a piece of advice, a ledger row, an
#: upload, an import batch): "意见: 12" tells a reader nothing, and the entry already names the
#: talent and the file, so these keys are left out of what a page shows.
INTERNAL_KEYS = frozenset({"invitation", "advice", "ledger", "attachment", "material", "registration", "batch"})

#: Keys whose value names talents by external id (one, a list, or a {talent: reason} mapping).
TALENT_KEYS = ("talent", "talents", "picked", "pool", "invited", "skipped")

def note_text(note: str, names: Mapping[str, str] | None = None) -> str:
    """A transition's note: kb's own automatic notes in words (kb.labels.SYSTEM_NOTES), a person's as written."""
    from web.i18n import ui_lang

    for pattern, (zh, en) in SYSTEM_NOTES:
        m = pattern.match(note or "")
        if m:
            words = en if ui_lang() == "en" else zh
            return words.format(**{k: (names or {}).get(v, v) for k, v in m.groupdict().items()})
    return note


OBJECT_TYPES: dict[str, LazyString] = {
    "talent": _l("人才"), "consultation": _l("咨询需求"), "event": _l("活动"), "event_proposal": _l("活动建议"),
    "user": _l("账号"),
}


def object_type_label(code: str) -> str:
    label = OBJECT_TYPES.get(code)
    return str(label) if label is not None else _("其他")


def audit_action_label(code: str) -> str:
    label = AUDIT_ACTIONS.get(code)
    return str(label) if label is not None else _("其他操作")


def detail_key_label(key: str) -> str:
    label = DETAIL_KEYS.get(key)
    if label is not None:
        return str(label)
    from web.templating import change_label

    return change_label(key)


def _coded(key: str, action: str) -> Any:
    """The label function for the codes ``key`` holds in an entry of ``action``, if it holds codes."""
    from web.consultations.labels import adoption_label, form_label, secrecy_label
    from web.consultations.ledger_views import LEADER_LEVELS, LEDGER_STEPS
    from web.events.labels import proposal_kind_label, proposal_status_label, registration_label

    exports = {"requests": _l("咨询需求"), "invitations": _l("邀请与意见"), "quarterly": _l("季度报告")}
    methods = {"code": _l("签到码"), "list": _l("名单勾选")}
    by_key: dict[str, Any] = {
        "form": form_label, "confidentiality": secrecy_label, "secrecy": secrecy_label, "adoption": adoption_label,
        "step": lambda c: LEDGER_STEPS.get(c, c), "leader_level": lambda c: LEADER_LEVELS.get(c, c),
        "was": registration_label, "method": lambda c: methods.get(c, c),
    }
    if action.startswith("event.proposal") or action == "event.propose":
        by_key.update(status=proposal_status_label, kind=proposal_kind_label)
    elif action.startswith("event."):
        by_key["status"] = registration_label
    elif action == "consultation.export":
        by_key["kind"] = lambda c: exports.get(c, c)
    return by_key.get(key)


def _affiliation(row: Any) -> str:
    """An employment row ``[organization, from_year, to_year]`` as "单位（2019–2022）"."""
    from web.templating import show_value

    if not isinstance(row, list | tuple) or not row:
        return show_value(row)
    org, years = str(row[0]), [str(y) for y in row[1:] if y not in (None, "")]
    return org + (_("（%(years)s）", years="–".join(years)) if years else "")


def detail_value(key: str, value: Any, names: Mapping[str, str] | None = None, action: str = "") -> str:
    """One detail value in words: states and kinds by their labels, field codes by the taxonomy,
    talent ids by the talent's name (``names``: external id → name), times in local wall time,
    lists joined."""
    from web.consultations.labels import state_label
    from web.templating import field_label, fmt_time, role_label, show_value

    if key in ("old", "new") and isinstance(value, list | tuple):
        return _("、").join(_affiliation(r) for r in value) or "—"
    if key == "skipped" and isinstance(value, dict):  # {talent: why he was not invited}
        from web.events.labels import skip_label

        return _("、").join(_("%(name)s（%(why)s）", name=(names or {}).get(t, t), why=skip_label(str(r)))
                           for t, r in value.items())
    if key == "picked_past" and isinstance(value, dict):  # {talent: accepted consultations before a draw}
        return _("、").join(_("%(name)s（%(n)s 次）", name=(names or {}).get(t, t), n=n) for t, n in value.items())
    if key == "fairness" and isinstance(value, dict) and "low_load_share" in value:  # kb.consultations.fairness
        share = value["low_load_share"]
        return _("权重 1/(1+次数)^%(s)s，近 %(days)s 天；低负荷专家预计占抽中人数：启用 %(on)s%%，不启用 %(off)s%%",
                 s=value["strength"], days=value["window_days"], on=round(share["with"] * 100),
                 off=round(share["without"] * 100))
    if key in ("claimed", "rejected", "skipped") and isinstance(value, list | tuple):  # item positions
        return str(len(value))
    if key == "expires_at" and isinstance(value, str):
        try:
            return fmt_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        parts = [detail_value(key, v, names, action) for v in value]
        return _("、").join(parts) if parts else "—"
    if key in ("from", "to") and isinstance(value, str):
        return state_label(value) if value else "—"
    if key == "fields" and isinstance(value, str):
        return field_label(value)
    if key == "role" and isinstance(value, str):
        return str(role_label(value))
    coded = _coded(key, action)
    if coded is not None and isinstance(value, str) and value:
        return str(coded(value))
    if key == "note" and isinstance(value, str):
        return note_text(value, names)
    if key in TALENT_KEYS and isinstance(value, str) and names:
        return names.get(value, value)
    return show_value(value)


def detail_items(detail: Mapping[str, Any] | None, names: Mapping[str, str] | None = None,
                 action: str = "") -> list[tuple[str, str]]:
    """(label, words) for each non-empty detail of an entry, bookkeeping row numbers left out.

    ``action`` (the entry's audit action) tells apart the codes two actions share a key for:
    an event registration's ``status`` and an event proposal's.
    """
    return [(detail_key_label(k), detail_value(k, v, names, action)) for k, v in (detail or {}).items()
            if v not in (None, "", [], {}) and k not in INTERNAL_KEYS]


def output_titles(talents: Any) -> dict[str, str]:
    """output id → title for the stage results of ``talents``, so a change names the result, not its number."""
    return {str(o.id): o.title for t in talents if t is not None for o in t.outputs}


def talents_by_id(session: Any, external_ids: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from kb.models import Talent

    ids = {i for i in external_ids if i}
    if not ids:
        return {}
    return {t.external_id: t for t in session.scalars(select(Talent).where(Talent.external_id.in_(ids)))}


def talent_names(session: Any, entries: Any) -> dict[str, str]:
    """external id → name for the talents the entries are about or their details mention, in one query."""
    from sqlalchemy import select

    from kb.models import Talent

    ids: set[str] = set()
    for e in entries:
        if getattr(e, "object_type", None) == "talent" and e.object_id:
            ids.add(e.object_id)
        for key in TALENT_KEYS:
            v = (e.detail or {}).get(key)
            ids.update(x for x in (v if isinstance(v, list | dict) else [v]) if isinstance(x, str) and x)
        accepted = re.match(r"^(\S+) accepted$", str((e.detail or {}).get("note") or ""))
        if accepted:
            ids.add(accepted.group(1))
    if not ids:
        return {}
    return dict(session.execute(select(Talent.external_id, Talent.name).where(Talent.external_id.in_(ids))).all())


