"""What every template may use: bilingual taxonomy labels and ``can()``.

``can`` asks ``kb.permissions.allowed`` so a template hides a button exactly
when the domain would refuse the action; templates never test roles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from kb import localtime
from kb.models import ROLES, Talent
from kb.permissions import allowed
from kb.talents.changes import CERTIFICATION_STATUSES
from kb.taxonomy import load_taxonomy
from kb.urls import url_problem
from web.i18n import ui_lang
from web.labels import audit_action_label, detail_items, object_type_label
from web.messages import field_message
from web.sessions import current_actor

LANGUAGE_NAMES = {"zh": ("中文", "Chinese"), "en": ("英语", "English"), "yue": ("粤语", "Cantonese"),
                  "ja": ("日语", "Japanese"), "ko": ("韩语", "Korean"), "fr": ("法语", "French"),
                  "de": ("德语", "German"), "es": ("西班牙语", "Spanish"), "ru": ("俄语", "Russian"),
                  "pt": ("葡萄牙语", "Portuguese"), "it": ("意大利语", "Italian"), "ar": ("阿拉伯语", "Arabic"),
                  "hi": ("印地语", "Hindi"), "ms": ("马来语", "Malay"), "id": ("印尼语", "Indonesian"),
                  "th": ("泰语", "Thai"), "vi": ("越南语", "Vietnamese"), "sv": ("瑞典语", "Swedish"),
                  "nl": ("荷兰语", "Dutch")}


def field_label(code: str) -> str:
    return load_taxonomy().field_label(code, ui_lang())


def category_label(code: str) -> str:
    return load_taxonomy().category_label(code, ui_lang())


def output_type_label(code: str) -> str:
    return load_taxonomy().output_type_label(code, ui_lang())


def sector_label(code: str) -> str:
    s = load_taxonomy().sectors.get(code)
    return s.label(ui_lang()) if s else code


def language_label(code: str) -> str:
    """A working language's name in the UI language, from Babel's locale data ("pl" → 波兰语 / Polish).

    ``LANGUAGE_NAMES`` only lists the languages offered as checkboxes; any
    other code a talent record carries still gets its name.
    """
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(str(get_locale() or "zh_CN")).languages.get(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        name = None
    if name:
        return str(name)
    names = LANGUAGE_NAMES.get(code)
    if not names:
        return code
    return names[1] if ui_lang() == "en" else names[0]


def second_name(name: str | None, name_en: str | None) -> str:
    """The English name to show after the name, or "" when it would repeat it (an English-only talent)."""
    if not name_en or name_en.strip().casefold() == (name or "").strip().casefold():
        return ""
    return name_en


def evidence_label(kind: str) -> str:
    return {
        "direction": _("研究方向"), "profile": _("基本信息"), "bio": _("个人简介"), "output": _("阶段成果"),
    }.get(kind, kind)


def match_label(level: str) -> str:
    """How well an expert fits the need (``indexer.retrieval.match``)."""
    return {"strong": _("高度匹配"), "partial": _("部分匹配"), "weak": _("匹配度低")}.get(level, level)


def role_label(role: str) -> str:
    return {
        "talent": _("人才"), "researcher": _("政策研究员"), "organizer": _("活动组织者"),
        "commissioner": _("人才服务专员"), "admin": _("系统管理员"), "system": _("系统"),
    }.get(role, role)


def account_caption(display_name: str | None, username: str, role: str) -> str:
    """The header's "name · role", the role left out when the name already says it ("政策研究员")."""
    name, label = display_name or username, str(role_label(role))
    return name if name.strip().casefold() == label.casefold() else f"{name} · {label}"


def status_label(status: str) -> str:
    return {
        "certified": _("已认定"), "pending": _("待认定"), "expired": _("已过期"), "revoked": _("已撤销"),
        "applied": _("已生效"), "approved": _("已通过"), "rejected": _("已驳回"),
    }.get(status, status)


def change_label(path: str, outputs: Mapping[str, str] | None = None) -> str:
    """A revision's field path in words: ``outputs[12].title`` → "阶段成果“跨境资金池” · 成果名称".

    ``outputs`` (output id → title) names the stage result; without it, or for
    one since deleted, it is just "阶段成果" — never its internal number.
    """
    names = {
        "name": _("姓名"), "name_en": _("英文名"), "category": _("人才类别"), "certification_status": _("认定状态"),
        "certified_on": _("认定日期"), "title": _("职务职称"), "organization": _("工作单位"),
        "fields": _("产业领域"), "research_directions": _("研究方向"), "bio": _("个人简介"),
        "languages": _("工作语言"), "available_for_consultation": _("接受政策咨询"),
        "accepts_event_invitations": _("接受活动邀请"), "email": _("电子邮箱"), "phone": _("联系电话"),
        "type": _("成果类型"), "year": _("年份"), "venue": _("发表载体 / 委托方 / 授权机构"), "abstract": _("摘要"),
        "url": _("链接"), "proposal": _("审核"), "outputs": _("阶段成果"), "contact": _("联系方式"),
    }
    if path.startswith("outputs["):
        number, _sep, rest = path[len("outputs["):].partition("]")
        title = (outputs or {}).get(number)
        label = _("阶段成果“%(title)s”", title=title) if title else _("阶段成果")
        rest = rest.lstrip(".")
        return f"{label} · {names.get(rest, rest)}" if rest else label
    base = path.split("[", 1)[0].split(".")[-1]
    return str(names.get(path) or names.get(base, path))


def change_value(path: str, value: Any) -> str:
    """A revision's value in words: codes by their labels (``['aerospace']`` → 航空航天), records by title."""
    base = re.sub(r"\[\d*\]", "", path).split(".")[-1]
    coded: dict[str, Any] = {
        "fields": field_label, "category": category_label, "languages": language_label,
        "certification_status": status_label, "type": output_type_label,
    }
    label = coded.get(base)
    if label is not None and value not in (None, ""):
        items = value if isinstance(value, list) else [value]
        return _("、").join(str(label(v)) for v in items) if items else "—"
    return show_value(value)


def fmt_time(value: datetime | date | None, fmt: str = localtime.MINUTES) -> str:
    """The ``time`` filter: a stored time as the wall time of the ``locale.timezone`` setting."""
    return localtime.wall_time(value, current_app.config["TIMEZONE"], fmt)


def show_value(value: Any, limit: int = 200) -> str:
    """A revision value in one short line: lists joined, records summarised."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        text = "; ".join(show_value(v, limit) for v in value)
    elif isinstance(value, dict):
        text = value.get("title") or "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dict_of(codes: Any, label: Any) -> dict[str, str]:
    """{code: label} for the browser, so charts show the same bilingual labels as tables."""
    return {code: label(code) for code in codes}


def can(action: str, obj: Any = None) -> bool:
    return allowed(current_actor(), action, obj)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        field_label=field_label, category_label=category_label, output_type_label=output_type_label,
        sector_label=sector_label, language_label=language_label, evidence_label=evidence_label,
        second_name=second_name, account_caption=account_caption, change_value=change_value,
        audit_action_label=audit_action_label, detail_items=detail_items, object_type_label=object_type_label,
        match_label=match_label,
        role_label=role_label, status_label=status_label, change_label=change_label, can=can, taxonomy=load_taxonomy,
        dict_of=dict_of, ROLES=ROLES, CERTIFICATION_STATUSES=CERTIFICATION_STATUSES,
        max_upload_mb=app.extensions["kb"].settings.web.max_upload_mb,  # the one upload limit, for the hints
    )
    app.jinja_env.filters["time"] = fmt_time
    app.jinja_env.filters["show_value"] = show_value
    app.jinja_env.filters["message"] = field_message  # a kb error message in the UI language
    # Links stored before kb.urls existed are shown as text, never as a javascript:/data: href.
    app.jinja_env.tests["safe_url"] = lambda value: bool(value) and url_problem(str(value)) is None

    @app.context_processor
    def navigation() -> dict[str, Any]:
        from web.admin.sections import visible_sections
        from web.sessions import current_account, db

        account = current_account()
        my_talent_id = None
        if account is not None and account.talent_id:
            talent = db().get(Talent, account.talent_id)
            my_talent_id = talent.external_id if talent else None
        return {"my_talent_id": my_talent_id, "admin_sections": visible_sections() if account else []}
