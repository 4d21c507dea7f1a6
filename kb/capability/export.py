"""The map's tables as CSV or XLSX, the same rows the page's table views show.

Each chart of the map has one table here; the export is built from
``service.map_view`` for the downloading viewer, so a file never holds more
than the page showed them (gap titles the viewer may not see are counted,
not named). Files are written by ``kb.tabular`` (formula-safe cells,
bilingual headers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.errors import PermissionDenied
from kb.permissions import ROLE_MATRIX, P
from kb.tabular import Column, headers, to_csv, to_xlsx
from kb.taxonomy import load_taxonomy

TABLES = ("topics", "gaps", "workload", "never_asked")
#: Tables made of consultation figures: they need ``consultation.stats`` like the page sections.
CONSULTATION_TABLES = frozenset({"gaps", "workload", "never_asked"})
FORMATS = ("csv", "xlsx")

Rows = list[list[Any]]


def _field(code: str) -> str:
    if not code:
        return "未分领域 no field"
    f = load_taxonomy().fields.get(code)
    return f"{f.zh} {f.en}" if f else code


def _topics(view: dict[str, Any]) -> tuple[list[Column], Rows]:
    cats = list(load_taxonomy().categories)
    cols = [Column("编号", "No."), Column("主题", "Topic"), Column("英文主题", "Topic (English)"),
            Column("关键词", "Key terms"), Column("英文关键词", "Key terms (English)"), Column("专家数", "Experts")]
    cols += [Column(f"{c}类", f"Category {c}") for c in cats]
    cols.append(Column("主要领域", "Main fields"))
    rows = [[t["id"], t["label_zh"], t["label_en"], "、".join(t["terms_zh"]), ", ".join(t["terms_en"]), t["experts"]]
            + [t["categories"].get(c, 0) for c in cats]
            + ["; ".join(f"{_field(f)} ({n})" for f, n in t["fields"].items())] for t in view.get("topics", [])]
    return cols, rows


def _gaps(view: dict[str, Any]) -> tuple[list[Column], Rows]:
    cols = [Column("领域", "Field"), Column("近12个月需求", "Needs (12 months)"), Column("匹配较弱的需求", "Weakly matched"),
            Column("需求（可见的）", "Needs (visible to you)"), Column("未显示标题的", "Not shown")]
    rows = [[_field(g["field"]), g["needs"], g["gaps"], "; ".join(f"#{i['id']} {i['title']}" for i in g["items"]),
             g["hidden"]] for g in view.get("gaps", [])]
    return cols, rows


def _workload(view: dict[str, Any]) -> tuple[list[Column], Rows]:
    cols = [Column("前百分比", "Top share of experts"), Column("专家数", "Experts"),
            Column("所占邀请比例", "Share of invitations")]
    w = view.get("workload") or {"deciles": []}
    rows = [[f"{d['decile'] * 10}%", d["experts"], round(d["share"], 4) if d["share"] is not None else None]
            for d in w["deciles"]]
    return cols, rows


def _never_asked(view: dict[str, Any]) -> tuple[list[Column], Rows]:
    cols = [Column("人才编号", "Talent ID"), Column("姓名", "Name"), Column("单位", "Organization"),
            Column("类别", "Category"), Column("强匹配需求数", "Needs matched strongly"),
            Column("部分匹配需求数", "Needs matched partially")]
    rows = [[r["talent_id"], r["name"], r["organization"], r["category"], r["strong"], r["partial"]]
            for r in view.get("never_asked", [])]
    return cols, rows


_BUILDERS: dict[str, Callable[[dict[str, Any]], tuple[list[Column], Rows]]] = {
    "topics": _topics, "gaps": _gaps, "workload": _workload, "never_asked": _never_asked,
}


def export_table(view: dict[str, Any], table: str, fmt: str) -> tuple[bytes, str]:
    """``(content, filename)`` of one table of ``view`` (a ``map_view``); ValueError for an unknown table or format."""
    if table not in _BUILDERS or fmt not in FORMATS:
        raise ValueError(f"unknown table or format: {table}.{fmt}")
    if table in CONSULTATION_TABLES and not view.get("consultations"):
        raise PermissionDenied("consultation figures need consultation.stats", code="permission.denied",
                               params={"action": "consultation.stats", "roles": sorted(ROLE_MATRIX[P.CONSULTATION_STATS])})
    cols, rows = _BUILDERS[table](view)
    filename = f"capability-{table}.{fmt}"
    if fmt == "csv":
        return to_csv(headers(cols), rows), filename
    return to_xlsx(headers(cols), rows, title=table), filename
