"""The quarterly summary for the district leadership: consultations and their adoption.

One report model (``build_quarterly``) rendered as an editable Word document
and as a workbook (``kb.tabular``). What it contains follows the same rules as
the pages (``kb.visibility``): a request appears only to those who may view
it, its experts, advice and ledger only to those who manage it. An admin (or
the ``kb report`` command, which runs as the system) sees everything, which is
what the leadership's report needs; a researcher's report is the same report
restricted to what that researcher may see.

A quarter is a period of the reader's calendar (``locale.timezone``): 2026Q3 is
1 July 00:00 to 1 October 00:00 in Luohu, not in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import labels
from kb.actors import Actor
from kb.audit import audit
from kb.consultations.enums import LedgerStep, RequestState
from kb.consultations.ledger import (
    COUNTED_LEVELS,
    LEVEL_ZH,
    STEP_ZH,
    adoption_status,
    counts_by_level,
    ledger_detail,
)
from kb.docx_support import new_document, to_bytes
from kb.errors import ValidationError
from kb.localtime import DEFAULT_TIMEZONE, utc_midnight, wall_time
from kb.models.consultation import ConsultationRequest
from kb.models.consultation_invitation import ConsultationAdvice
from kb.models.consultation_ledger import AdviceLedgerEntry
from kb.permissions import require
from kb.tabular import Column, headers, to_xlsx_sheets
from kb.visibility import ledger_visible, request_managed, request_visible

if TYPE_CHECKING:  # python-docx is imported when a document is made
    from docx.document import Document

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
FORMATS = ("docx", "xlsx")
#: Years a report can cover: the think tank's records start long after 1990, and 9999Q4 has no next quarter.
MIN_YEAR, MAX_YEAR = 1990, 9998


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match((text or "").strip())
        if not match or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
            raise ValidationError(f"a quarter is written like 2026Q3 (years {MIN_YEAR}-{MAX_YEAR}), not {text!r}",
                                  {"quarter": "YYYYQn"},
                                  code="quarter.format", params={"min": MIN_YEAR, "max": MAX_YEAR})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter ``day`` (a day of the reader's calendar) falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)

    def utc_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC, the way times are stored."""
        return utc_midnight(self.first_day, tz), utc_midnight(self.next_first_day, tz)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: str
    unit: str
    form: str
    confidentiality: str
    state: str
    filed: str
    detail: bool  # False: the reader may see the request's facts only
    invited: int | None
    advice: int | None
    adopted: int | None
    highest_level: str  # in words
    implemented: int | None
    evaluated: int | None


@dataclass(frozen=True)
class StepRow:
    when: str
    request_id: int
    request_title: str
    expert: str
    step: str
    detail: str
    actor: str


@dataclass(frozen=True)
class QuarterlyReport:
    quarter: Quarter
    complete: bool  # True: the reader sees everything (the leadership's report)
    requests: list[RequestRow]
    counts: dict[str, int]  # adoption by level of the advice given on this quarter's requests
    steps: list[StepRow]  # ledger steps that happened in the quarter, whatever the request's age
    generated: str

    @property
    def title(self) -> str:
        return f"罗湖区人才智库专家咨询季度报告（{self.quarter.label_zh}）"


_LEVEL_ORDER = {level: rank for rank, level in enumerate(COUNTED_LEVELS)}


def _complete(actor: Actor) -> bool:
    return actor.is_system or actor.role == "admin"


def build_quarterly(session: Session, actor: Actor, quarter: Quarter, *, tz: str = DEFAULT_TIMEZONE,
                    now: datetime | None = None) -> QuarterlyReport:
    require(actor, "consultation.report")
    start, end = quarter.utc_bounds(tz)
    requests = session.scalars(
        select(ConsultationRequest)
        .where(ConsultationRequest.created_at >= start, ConsultationRequest.created_at < end,
               ConsultationRequest.state != RequestState.DRAFT.value)
        .order_by(ConsultationRequest.created_at, ConsultationRequest.id)
    ).all()
    rows: list[RequestRow] = []
    counted: list[ConsultationAdvice] = []
    for req in requests:
        if not request_visible(actor, req):
            continue
        facts: dict[str, Any] = dict(id=req.id, title=req.title, unit=req.unit, form=labels.zh(labels.FORMS, req.form),
                     confidentiality=labels.zh(labels.SECRECY, req.confidentiality),
                     state=labels.zh(labels.REQUEST_STATES, req.state), filed=wall_time(req.created_at, tz))
        if not request_managed(actor, req):
            rows.append(RequestRow(**facts, detail=False, invited=None, advice=None, adopted=None,
                                   highest_level="", implemented=None, evaluated=None))
            continue
        advices = [i.advice for i in req.invitations if i.advice is not None]
        counted += advices
        statuses = [adoption_status(a) for a in advices]
        levels = sorted((s.level for s in statuses if s.level), key=_LEVEL_ORDER.__getitem__)
        rows.append(RequestRow(
            **facts, detail=True, invited=len(req.invitations), advice=len(advices),
            adopted=sum(s.adopted for s in statuses), highest_level=LEVEL_ZH[levels[0]] if levels else "",
            implemented=sum(s.implemented for s in statuses), evaluated=sum(s.evaluated for s in statuses)))

    steps: list[StepRow] = []
    for entry in session.scalars(
        select(AdviceLedgerEntry)
        .where(AdviceLedgerEntry.at >= start, AdviceLedgerEntry.at < end,
               AdviceLedgerEntry.step != LedgerStep.SUBMITTED.value)
        .order_by(AdviceLedgerEntry.at, AdviceLedgerEntry.id)
    ):
        advice = entry.advice
        request = advice.invitation.request
        if not (request_managed(actor, request) and ledger_visible(actor, advice)):
            continue
        steps.append(StepRow(wall_time(entry.at, tz), request.id, request.title, advice.invitation.talent.name,
                             STEP_ZH.get(entry.step, entry.step), ledger_detail(entry), entry.actor_label))
    report = QuarterlyReport(quarter=quarter, complete=_complete(actor), requests=rows,
                             counts=counts_by_level(counted), steps=steps,
                             generated=f"生成时间 {wall_time(now or datetime.now(UTC).replace(tzinfo=None), tz)}"
                                       f"（{tz}），生成人 {actor.label}")
    return report


REQUEST_COLUMNS = [
    Column("编号", "ID"), Column("咨询事项", "Consultation"), Column("委托单位", "Unit"), Column("形式", "Form"),
    Column("保密级别", "Confidentiality"), Column("状态", "State"), Column("发起时间", "Filed"),
    Column("邀请专家", "Experts invited"), Column("收到意见", "Advice"), Column("计为采纳", "Adopted"),
    Column("最高批示层级", "Highest level"), Column("已落实", "Implemented"), Column("已评估", "Evaluated"),
]
LEVEL_COLUMNS = [Column("层级", "Level"), Column("条数", "Advice")]
STEP_COLUMNS = [Column("时间", "When"), Column("咨询编号", "Consultation ID"), Column("咨询事项", "Consultation"),
                Column("专家", "Expert"), Column("环节", "Step"), Column("依据", "Evidence"), Column("记录人", "Recorded by")]


def _request_cells(row: RequestRow) -> list[object]:
    shown = (lambda v: v) if row.detail else (lambda v: "—")
    return [row.id, row.title, row.unit, row.form, row.confidentiality, row.state, row.filed,
            shown(row.invited), shown(row.advice), shown(row.adopted), shown(row.highest_level) or "—",
            shown(row.implemented), shown(row.evaluated)]


def _level_rows(report: QuarterlyReport) -> list[list[object]]:
    rows: list[list[object]] = [[LEVEL_ZH[level], report.counts[level]] for level in COUNTED_LEVELS]
    rows += [["计为采纳合计", report.counts["adopted"]],
             ["仅圈阅/同意（未计为采纳）", report.counts["acknowledged_only"]],
             ["已落实", report.counts["implemented"]], ["已评估", report.counts["evaluated"]],
             ["意见总数", report.counts["advice"]]]
    return rows


def _step_rows(report: QuarterlyReport) -> list[list[object]]:
    return [[s.when, s.request_id, s.request_title, s.expert, s.step, s.detail, s.actor] for s in report.steps]


def render_xlsx(report: QuarterlyReport, tz: str = DEFAULT_TIMEZONE) -> bytes:
    return to_xlsx_sheets([
        (f"咨询 {report.quarter.label}", headers(REQUEST_COLUMNS), [_request_cells(r) for r in report.requests]),
        ("采纳层级 Levels", headers(LEVEL_COLUMNS), _level_rows(report)),
        ("台账 Ledger", headers(STEP_COLUMNS), _step_rows(report)),
    ], tz=tz)


def render_docx(report: QuarterlyReport) -> bytes:
    document = new_document(report.title)
    document.add_heading(report.title, level=0)
    c = report.counts
    scope = "全部咨询事项" if report.complete else "本账号可查阅的咨询事项"
    document.add_paragraph(
        f"本季度（{report.quarter.first_day.isoformat()} 至 {report.quarter.next_first_day.isoformat()} 前）"
        f"共发起{scope} {len(report.requests)} 项，收到专家意见 {c['advice']} 条，"
        f"其中计为采纳 {c['adopted']} 条（省部级批示 {c['provincial']} 条、市领导批示 {c['city']} 条、"
        f"区领导批示 {c['district']} 条、无批示直接采纳入文件 {c['document']} 条），"
        f"领导仅圈阅或同意、未计为采纳 {c['acknowledged_only']} 条；已落实 {c['implemented']} 条，"
        f"已完成一年期效果评估 {c['evaluated']} 条。")

    document.add_heading("一、采纳情况（按批示层级）", level=1)
    _table(document, [col.zh for col in LEVEL_COLUMNS], _level_rows(report))
    document.add_heading("二、本季度咨询事项", level=1)
    if report.requests:
        _table(document, [col.zh for col in REQUEST_COLUMNS], [_request_cells(r) for r in report.requests])
    else:
        document.add_paragraph("本季度无咨询事项。")
    document.add_heading("三、本季度采纳台账记录", level=1)
    if report.steps:
        _table(document, [col.zh for col in STEP_COLUMNS], _step_rows(report))
    else:
        document.add_paragraph("本季度无新的批示、采纳、落实或评估记录。")
    document.add_paragraph(report.generated)
    return to_bytes(document)


def _table(document: Document, header: list[str], rows: list[list[object]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = "" if value is None else str(value)


def quarterly_report(session: Session, actor: Actor, quarter: str, fmt: str, *,
                     tz: str = DEFAULT_TIMEZONE) -> bytes:
    """The report as ``fmt`` (docx or xlsx), audited."""
    if fmt not in FORMATS:
        raise ValidationError(f"format is one of {', '.join(FORMATS)}", {"format": " or ".join(FORMATS)},
                              code="record.enum")
    report = build_quarterly(session, actor, Quarter.parse(quarter), tz=tz)
    data = render_docx(report) if fmt == "docx" else render_xlsx(report, tz)
    audit(session, actor, "consultation.export", "consultation", "", {
        "format": fmt, "kind": "quarterly", "rows": len(report.requests)})
    return data
