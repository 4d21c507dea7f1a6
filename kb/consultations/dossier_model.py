"""The consultation dossier's content, assembled once for both of its formats.

The PDF (a record to file and print, ``kb.consultations.dossier``) and the
DOCX (a draft people edit into their own report, ``kb.consultations.dossier_docx``)
must say the same thing: the cover, the need, the experts and why they were
chosen, their advice, and the adoption ledger. So the content — what is shown
to whom, in Chinese, in the reader's wall time — is decided here, and the two
renderers only lay it out.

Why an expert was chosen comes from the request's own record (added by hand
with a reason, picked in the seeded draw) and, when the caller passes the
current recommendation, from the search evidence that makes the expert fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kb import labels
from kb.actors import Actor
from kb.consultations.ledger import LEVEL_ZH, STEP_ZH, adoption_status, ledger_detail
from kb.consultations.requests import requester_name
from kb.localtime import DEFAULT_TIMEZONE, wall_time
from kb.models import utcnow
from kb.models.consultation import ConsultationDraw, ConsultationRequest
from kb.permissions import require
from kb.taxonomy import load_taxonomy
from kb.visibility import ledger_visible, visible_invitations

MATCH_ZH = {"strong": "高度匹配", "partial": "部分匹配", "weak": "弱匹配"}
SECRET_NOTICE = "【保密】本材料仅限本单位及受邀专家查阅，不得外传。"


@dataclass(frozen=True)
class Line:
    """A labelled value: 委托单位：罗湖区发展和改革局."""

    label: str
    value: str


@dataclass(frozen=True)
class LedgerLine:
    when: str
    step: str
    actor: str
    detail: str


@dataclass(frozen=True)
class ExpertPart:
    heading: str  # 姓名（单位）— 状态
    facts: list[Line]
    why: list[str]  # why the expert was chosen: the evidence
    advice: str | None  # None: no advice given
    advice_facts: list[Line] = field(default_factory=list)
    ledger: list[LedgerLine] = field(default_factory=list)
    adoption: str = ""  # one line: the level it counts at, or why it does not


@dataclass(frozen=True)
class Dossier:
    request_id: int
    title: str
    secret: bool
    cover: list[Line]
    background: str
    questions: str
    experts: list[ExpertPart]
    trail: list[str]
    footer: str

    @property
    def heading(self) -> str:
        return f"专家咨询档案 #{self.request_id}：{self.title}"


def _adoption_line(advice: Any) -> str:
    status = adoption_status(advice)
    if status.level is not None:
        return f"计为采纳：{LEVEL_ZH[status.level]}" + ("，已落实" if status.implemented else "") + (
            "，已评估" if status.evaluated else "")
    if status.acknowledged:
        return "领导圈阅/同意，未计为采纳"
    return "尚无采纳记录"


def _fair_note(draw: ConsultationDraw, talent_id: str) -> str:
    """The fair-draw option and the expert's past load, for the reason he was drawn."""
    if not draw.fair or not draw.fairness:
        return ""
    return (f"，已启用“优先近期咨询较少的专家”，近 {draw.fairness['window_days']} 天受咨询 "
            f"{draw.fairness['counts'].get(talent_id, 0)} 次")


def _why(inv: Any, request: ConsultationRequest, evidence: Mapping[str, Any]) -> list[str]:
    """The reasons on record, then the search evidence (at most three passages)."""
    talent = inv.talent
    reasons: list[str] = []
    for sel in request.selections:
        if sel.talent_id == talent.id and sel.action == "include":
            reasons.append(f"研究员手动加入：{sel.reason}（{sel.actor_label}）")
    for draw in request.draws:
        if talent.external_id in draw.picked:
            reasons.append(f"随机抽取选中（种子 {draw.seed}，候选 {len(draw.pool)} 人{_fair_note(draw, talent.external_id)}）")
    hit = evidence.get(talent.external_id)
    if hit is not None:
        match = MATCH_ZH.get(getattr(hit, "match", None) or "", "")
        if match:
            reasons.append(f"检索匹配度：{match}")
        for ev in list(getattr(hit, "evidence", []) or [])[:3]:
            text = ev.get("text") if isinstance(ev, dict) else getattr(ev, "text", "")
            if text:
                reasons.append(f"依据：{text}")
    return reasons or ["（无记录的选择依据）"]


def build_dossier(
    session: Session, actor: Actor, request: ConsultationRequest, *, tz: str = DEFAULT_TIMEZONE,
    evidence: Mapping[str, Any] | None = None, now: datetime | None = None,
) -> Dossier:
    """The dossier as ``actor`` may read it; ``evidence``: recommendation candidates by talent id."""
    require(actor, "consultation.manage", request)
    evidence = evidence or {}

    def when(value: datetime | None) -> str:
        return wall_time(value, tz) or "—"

    taxonomy = load_taxonomy()
    cover = [
        Line("委托单位", request.unit),
        Line("经办研究员", requester_name(session, request)),
        Line("状态", labels.zh(labels.REQUEST_STATES, request.state)),
        Line("咨询形式", labels.zh(labels.FORMS, request.form)),
        Line("保密级别", labels.zh(labels.SECRECY, request.confidentiality)),
        Line("领域", "、".join(taxonomy.field_label(f) for f in request.fields)),
        Line("截止日期", request.deadline.isoformat() if request.deadline else ""),
        Line("所需专家人数", str(request.experts_wanted)),
        Line("利益相关方", "、".join(request.parties)),
    ]
    if request.draws:
        d = request.draws[-1]
        cover.append(Line("随机抽取", f"种子 {d.seed}，候选 {len(d.pool)} 人中抽取 {d.count} 人：{'、'.join(d.picked)}"
                                  + ("；已启用“优先近期咨询较少的专家”" if d.fair else "")))

    experts: list[ExpertPart] = []
    for inv in visible_invitations(actor, request):
        t = inv.talent
        facts = [Line("邀请时间", f"{when(inv.invited_at)}，答复时间 {when(inv.responded_at)}")]
        if inv.reason:
            facts.append(Line("说明", inv.reason))
        advice = inv.advice
        part_advice: str | None = None
        advice_facts: list[Line] = []
        ledger: list[LedgerLine] = []
        adoption = ""
        if advice is not None:
            part_advice = advice.text
            advice_facts.append(Line("意见提交时间", when(advice.submitted_at)))
            if advice.attachments:
                advice_facts.append(Line("附件", "、".join(f"{a.filename}（{a.size // 1024 + 1} KB）"
                                                         for a in advice.attachments)))
            rating = f"{advice.rating}/5" if advice.rating else "未评价"
            advice_facts.append(Line("评价", f"{rating}{'，' + advice.rating_comment if advice.rating_comment else ''}"))
            if ledger_visible(actor, advice):
                ledger = [LedgerLine(when(e.at), STEP_ZH.get(e.step, e.step), e.actor_label, ledger_detail(e))
                          for e in advice.ledger]
                adoption = _adoption_line(advice)
        experts.append(ExpertPart(
            heading=f"{t.name}（{t.organization or '—'}）— {labels.zh(labels.INVITATION_STATES, inv.state)}",
            facts=facts, why=_why(inv, request, evidence), advice=part_advice, advice_facts=advice_facts,
            ledger=ledger, adoption=adoption,
        ))

    names = {inv.talent.external_id: inv.talent.name for inv in request.invitations}  # "web-001 accepted"
    trail = []
    for tr in request.transitions:
        frm = labels.zh(labels.REQUEST_STATES, tr.from_state) or "—"
        note = labels.note_zh(tr.note, names)
        trail.append(f"{when(tr.at)}  {tr.actor_label}：{frm} → {labels.zh(labels.REQUEST_STATES, tr.to_state)}"
                     f"{'（' + note + '）' if note else ''}")
    return Dossier(
        request_id=request.id, title=request.title, secret=request.confidentiality == "confidential", cover=cover,
        background=request.background, questions=request.questions, experts=experts, trail=trail,
        footer=f"导出时间 {when(now or utcnow())}（{tz}），导出人 {actor.label}",
    )
