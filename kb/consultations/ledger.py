"""The adoption ledger of a piece of advice: recording its steps and reading where it got.

submitted → leader's 批示 (its text and level) → adopted into a named document →
implemented → evaluated about a year later. Each step is a row with its
evidence, the account that recorded it and the time it happened
(``kb.models.consultation_ledger``). Two judgements are made here, once, for
the pages, the API, the reports and the dashboard alike:

- a 批示 that only says 同意/圈阅 is *acknowledged*, not adopted
  (``kb.consultations.instructions``);
- the level an advice counts at is that of the highest leader whose 批示
  instructed something; advice adopted into a document without any 批示 counts
  at the ``document`` level.

Only the requesting unit's researchers and admins record steps
(``consultation.ledger.record``); an adoption schedules the one-year
evaluation reminder on the durable queue (``kb.consultations.evaluation``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.choices import choice
from kb.consultations import notices
from kb.consultations.attachments import Upload, attachments_dir, check_upload, store
from kb.consultations.enums import AdoptionExtent, LeaderLevel, LedgerStep, RequestState
from kb.consultations.instructions import classify_instruction
from kb.consultations.settings import ConsultationSettings
from kb.errors import Conflict, Message, NotFound, PermissionDenied, ValidationError
from kb.filenames import display_name
from kb.localtime import DEFAULT_TIMEZONE, to_local, utc_midnight
from kb.models import utcnow
from kb.models.consultation_invitation import ConsultationAdvice
from kb.models.consultation_ledger import AdviceLedgerEntry
from kb.permissions import require
from kb.urls import url_problem
from kb.visibility import ledger_recordable, ledger_visible

#: The level of advice adopted into a document with no leader's 批示 recorded.
DOCUMENT_LEVEL = "document"
#: Levels as the counts report them, highest first.
COUNTED_LEVELS = (LeaderLevel.PROVINCIAL.value, LeaderLevel.CITY.value, LeaderLevel.DISTRICT.value, DOCUMENT_LEVEL)
LEVEL_RANK = {level: rank for rank, level in enumerate(LeaderLevel)}
#: Steps people record (``submitted`` is written when the advice is).
RECORDABLE = (LedgerStep.INSTRUCTED, LedgerStep.ACKNOWLEDGED, LedgerStep.ADOPTED, LedgerStep.NOT_ADOPTED,
              LedgerStep.IMPLEMENTED, LedgerStep.EVALUATED)
#: Request states in which what became of the advice can be recorded.
RECORDING_STATES = (RequestState.IN_PROGRESS, RequestState.ANSWERED, RequestState.CLOSED)
MAX_EVIDENCE = 4000
MAX_ASSESSMENT = 1000

LEVEL_ZH = {"district": "区领导", "city": "市领导", "provincial": "省部级", DOCUMENT_LEVEL: "采纳入文件（无批示）"}
STEP_ZH = {"submitted": "提交意见", "acknowledged": "领导圈阅（未计为采纳）", "instructed": "领导批示",
           "adopted": "采纳入文件", "not_adopted": "未采纳", "implemented": "落实", "evaluated": "效果评估"}
EXTENT_ZH = {"full": "全部采纳", "partial": "部分采纳"}


@dataclass(frozen=True)
class StepInput:
    """One step as a form or a JSON body gives it, checked."""

    step: LedgerStep
    at: datetime | date | None = None  # a date alone: that day of the reader's calendar (locale.timezone)
    evidence: str = ""
    leader: str = ""
    leader_level: LeaderLevel | None = None
    extent: AdoptionExtent | None = None
    doc_title: str = ""
    doc_number: str = ""
    doc_date: date | None = None
    doc_url: str = ""

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> StepInput:
        """From form fields or JSON: empty strings are absent values; bad ones raise ValidationError."""
        def text(key: str, limit: int) -> str:
            value = str(values.get(key) or "").strip()
            if len(value) > limit:
                raise ValidationError(f"{key}: at most {limit} characters", {key: f"at most {limit}"},
                                      code="record.max_length", params={"n": limit})
            return value

        step = choice(LedgerStep, values.get("step"), "step", RECORDABLE)
        level = values.get("leader_level") or None
        extent = values.get("extent") or None
        return cls(
            step=step,
            at=_parse_time(values.get("at"), "at"),
            evidence=text("evidence", MAX_EVIDENCE),
            leader=text("leader", 200),
            leader_level=choice(LeaderLevel, level, "leader_level") if level else None,
            extent=choice(AdoptionExtent, extent, "extent") if extent else None,
            doc_title=text("doc_title", 300),
            doc_number=text("doc_number", 100),
            doc_date=_parse_date(values.get("doc_date"), "doc_date"),
            doc_url=text("doc_url", 1000),
        )


def _parse_date(value: Any, key: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError(f"{key}: a date as YYYY-MM-DD", {key: "YYYY-MM-DD"}, code="date.format") from None


def _parse_time(value: Any, key: str) -> datetime | date | None:
    """When the step happened: a date-time (naive: UTC, as stored), or a date alone (a calendar day,
    placed in the reader's zone by ``record_step``)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    day = _parse_date(value, key) if len(str(value).strip()) <= 10 else None
    if day is not None:
        return day
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{key}: a date as YYYY-MM-DD or a date and time",
                              {key: "YYYY-MM-DD[THH:MM]"}, code="date.format") from None
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)


def open_ledger(advice: ConsultationAdvice, actor: Actor, at: datetime) -> None:
    """The first row, written with the advice: who submitted it and when."""
    advice.ledger.append(AdviceLedgerEntry(step=LedgerStep.SUBMITTED.value, at=at, recorded_at=at,
                                           actor_user_id=actor.user_id, actor_label=actor.label))


def _has(advice: ConsultationAdvice, *kinds: LedgerStep) -> bool:
    return any(e.step in kinds for e in advice.ledger)


def _check_order(advice: ConsultationAdvice, step: LedgerStep) -> None:
    """Steps that need an earlier one: nothing is implemented or evaluated before it is adopted."""
    adopted = _has(advice, LedgerStep.ADOPTED)
    if step in (LedgerStep.IMPLEMENTED, LedgerStep.EVALUATED) and not adopted:
        raise Conflict(f"record the document the advice was adopted into before {step.value}",
                       code="ledger.order", params={"step": step.value})
    if step is LedgerStep.NOT_ADOPTED and adopted:
        raise Conflict("the advice is recorded as adopted: record a later step instead of not adopted",
                       code="ledger.order", params={"step": step.value})


def _require_fields(data: StepInput, step: LedgerStep) -> None:
    missing: dict[str, str] = {}
    if step in (LedgerStep.INSTRUCTED, LedgerStep.ACKNOWLEDGED) and data.leader_level is None:
        missing["leader_level"] = Message("whose 批示: district, city or provincial", "ledger.leader_level.required")
    if step is LedgerStep.ADOPTED and not data.doc_title:
        missing["doc_title"] = Message("the title of the document the advice went into", "ledger.doc_title.required")
    if step in (LedgerStep.IMPLEMENTED, LedgerStep.EVALUATED) and not data.evidence:
        missing["evidence"] = (Message("what was implemented", "ledger.evidence.implemented") if step is LedgerStep.IMPLEMENTED
                               else Message("the assessment", "ledger.evidence.evaluated"))
    if step is LedgerStep.EVALUATED and len(data.evidence) > MAX_ASSESSMENT:
        missing["evidence"] = Message(f"a short assessment: at most {MAX_ASSESSMENT} characters", "record.max_length",
                                      n=MAX_ASSESSMENT)
    problem = url_problem(data.doc_url)
    if problem:
        missing["doc_url"] = Message(problem, "record.url")
    if missing:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in missing.items()), missing, code="ledger.missing")


def record_step(
    session: Session, actor: Actor, advice: ConsultationAdvice, data: StepInput, upload: Upload | None = None, *,
    data_dir: Path | None = None, settings: ConsultationSettings | None = None, now: datetime | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> AdviceLedgerEntry:
    """Add one step; a 批示 is classified by its text (a bare 同意/圈阅 becomes ``acknowledged``).

    ``tz`` (locale.timezone) is the calendar of a step dated by day: 3 March means
    3 March in Luohu, so a step of today is never "in the future" before 08:00,
    and "before the advice" compares the days a person reads.

    An uploaded copy of the document (adoption only) is checked and stored as
    advice attachments are, with the same size limit.
    """
    request = advice.invitation.request
    require(actor, "consultation.ledger.record", request)
    if not ledger_recordable(actor, advice):
        raise PermissionDenied(f"{actor.label} may not record the ledger of this advice",
                               code="permission.denied", params={"action": "consultation.ledger.record"})
    if request.state not in RECORDING_STATES:
        raise Conflict(f"consultation #{request.id} is {request.state!r}: its advice's ledger cannot be recorded",
                       code="ledger.state", params={"state": request.state})
    settings = settings or ConsultationSettings()
    now = now or utcnow()
    step = data.step
    if step in (LedgerStep.INSTRUCTED, LedgerStep.ACKNOWLEDGED):
        step = classify_instruction(data.evidence, data.leader)
    _require_fields(data, step)
    has_file = upload is not None and bool(upload.filename or upload.data)
    if has_file and step is not LedgerStep.ADOPTED:
        raise ValidationError("a file goes with the document of an adoption", field="file",
                              code="ledger.file_needs_document")
    _check_order(advice, step)
    if data.at is None:
        at = now
    elif isinstance(data.at, datetime):
        at = data.at
    else:
        at = utc_midnight(data.at, tz)
    if at > now:
        raise ValidationError("a step cannot be recorded as happening in the future", {"at": "not after now"},
                              code="ledger.at.future")
    if to_local(at, tz).date() < to_local(advice.submitted_at, tz).date():
        raise ValidationError("a step cannot happen before the advice was submitted", {"at": "after submission"},
                              code="ledger.at.before_submission")
    at = max(at, advice.submitted_at)  # a step dated the day of submission follows it in the ledger
    entry = AdviceLedgerEntry(
        step=step.value, at=at, recorded_at=now, actor_user_id=actor.user_id, actor_label=actor.label,
        evidence=data.evidence, leader=data.leader,
        leader_level=data.leader_level.value if data.leader_level else None,
        extent=(data.extent or AdoptionExtent.FULL).value if step is LedgerStep.ADOPTED else None,
        doc_title=data.doc_title, doc_number=data.doc_number, doc_date=data.doc_date, doc_url=data.doc_url,
    )
    if upload is not None and has_file:
        if data_dir is None:
            raise ValidationError("files cannot be stored here", field="file", code="upload.no_storage")
        entry.content_type = check_upload(upload, settings.attachment_max_bytes)
        entry.stored_name, entry.sha256 = store(data_dir, upload)
        entry.file_name = display_name(upload.filename, "document")
        entry.file_size = len(upload.data)
    advice.ledger.append(entry)
    session.flush()
    audit(session, actor, "consultation.adopt", "consultation", request.id, {
        "advice": advice.id, "talent": advice.invitation.talent.external_id, "step": step.value,
        "leader_level": entry.leader_level, "document": " ".join(p for p in (entry.doc_title, entry.doc_number) if p),
    })
    _tell_talent(session, advice, entry)
    if step is LedgerStep.ADOPTED:
        from kb.consultations.evaluation import schedule_evaluation

        schedule_evaluation(session, advice, datetime.combine(entry.doc_date, datetime.min.time())
                            if entry.doc_date else at, now=now)
    return entry


def _tell_talent(session: Session, advice: ConsultationAdvice, entry: AdviceLedgerEntry) -> None:
    """The expert hears what became of the advice, except of a bare acknowledgement."""
    if entry.step == LedgerStep.INSTRUCTED:
        text = f"您的意见获{LEVEL_ZH.get(entry.leader_level or '', '')}批示。"
    elif entry.step == LedgerStep.ADOPTED:
        text = f"您的意见已{EXTENT_ZH.get(entry.extent or 'full')}，采纳于：{entry.doc_title} {entry.doc_number}".strip()
    elif entry.step == LedgerStep.NOT_ADOPTED:
        text = "您的意见未被采纳。"
    elif entry.step == LedgerStep.IMPLEMENTED:
        text = "采纳您意见的政策已落实。"
    elif entry.step == LedgerStep.EVALUATED:
        text = "采纳您意见的政策已完成效果评估。"
    else:
        return
    notices.tell_talent(session, advice.invitation, "adopted", text)


@dataclass(frozen=True)
class AdoptionStatus:
    """Where an advice got: the furthest step, and the level its adoption counts at (None: not adopted)."""

    stage: LedgerStep
    level: str | None
    acknowledged: bool
    implemented: bool
    evaluated: bool

    @property
    def adopted(self) -> bool:
        return self.level is not None


def adoption_status(advice: ConsultationAdvice) -> AdoptionStatus:
    entries = list(advice.ledger)
    kinds = {e.step for e in entries}
    levels = [e.leader_level for e in entries if e.step == LedgerStep.INSTRUCTED and e.leader_level]
    level: str | None = max(levels, key=lambda lv: LEVEL_RANK.get(LeaderLevel(lv), -1)) if levels else None
    if level is None and LedgerStep.ADOPTED in kinds:
        level = DOCUMENT_LEVEL
    order = [LedgerStep.SUBMITTED, LedgerStep.ACKNOWLEDGED, LedgerStep.NOT_ADOPTED, LedgerStep.INSTRUCTED,
             LedgerStep.ADOPTED, LedgerStep.IMPLEMENTED, LedgerStep.EVALUATED]
    stage = max((LedgerStep(k) for k in kinds if k in set(order)), key=order.index, default=LedgerStep.SUBMITTED)
    return AdoptionStatus(stage=stage, level=level, acknowledged=LedgerStep.ACKNOWLEDGED in kinds,
                          implemented=LedgerStep.IMPLEMENTED in kinds, evaluated=LedgerStep.EVALUATED in kinds)


def counts_by_level(advices: Iterable[ConsultationAdvice]) -> dict[str, int]:
    """How many pieces of advice were adopted at each level, with the totals people ask next.

    Keys: each of ``COUNTED_LEVELS``, ``adopted`` (their sum), ``acknowledged_only``
    (圈阅/同意 and nothing more: read, not adopted), ``implemented``, ``evaluated``, ``advice``.
    """
    counts: Counter[str] = Counter({level: 0 for level in COUNTED_LEVELS})
    total = 0
    for advice in advices:
        total += 1
        status = adoption_status(advice)
        if status.level is not None:
            counts[status.level] += 1
            counts["adopted"] += 1
        elif status.acknowledged:
            counts["acknowledged_only"] += 1
        counts["implemented"] += status.implemented
        counts["evaluated"] += status.evaluated
    result = {level: counts[level] for level in COUNTED_LEVELS}
    result.update(adopted=counts["adopted"], acknowledged_only=counts["acknowledged_only"],
                  implemented=counts["implemented"], evaluated=counts["evaluated"], advice=total)
    return result


def ledger_detail(entry: AdviceLedgerEntry) -> str:
    """What one ledger row says, as a sentence: the 批示's level and text, the document, the assessment."""
    parts: list[str] = []
    if entry.leader_level or entry.leader:
        parts.append("".join(p for p in (LEVEL_ZH.get(entry.leader_level or "", ""), entry.leader) if p))
    if entry.doc_title:
        doc = "，".join(p for p in (f"《{entry.doc_title.strip('《》')}》", entry.doc_number,
                                    entry.doc_date.isoformat() if entry.doc_date else "") if p)
        parts.append(f"{EXTENT_ZH.get(entry.extent or '', '')}：{doc}" if entry.extent else doc)
    if entry.evidence:
        parts.append(entry.evidence)
    if entry.doc_url:
        parts.append(entry.doc_url)
    if entry.file_name:
        parts.append(f"附文件 {entry.file_name}")
    return "；".join(parts)


def entry_dict(entry: AdviceLedgerEntry) -> dict[str, Any]:
    """One row as the API and the reports give it."""
    return {
        "id": entry.id, "step": entry.step, "at": entry.at.isoformat(), "actor": entry.actor_label,
        "evidence": entry.evidence, "leader": entry.leader, "leader_level": entry.leader_level,
        "extent": entry.extent, "doc_title": entry.doc_title, "doc_number": entry.doc_number,
        "doc_date": entry.doc_date.isoformat() if entry.doc_date else None, "doc_url": entry.doc_url,
        "file": ({"name": entry.file_name, "size": entry.file_size, "sha256": entry.sha256}
                 if entry.stored_name else None),
    }


def ledger_dict(advice: ConsultationAdvice) -> dict[str, Any]:
    status = adoption_status(advice)
    return {"advice_id": advice.id, "level": status.level, "stage": status.stage.value,
            "acknowledged": status.acknowledged, "implemented": status.implemented, "evaluated": status.evaluated,
            "steps": [entry_dict(e) for e in advice.ledger]}


def readable_ledger(session: Session, actor: Actor, advice_id: int) -> ConsultationAdvice:
    """The advice whose ledger ``actor`` may read (404 for none, 403 for someone else's)."""
    advice = session.get(ConsultationAdvice, advice_id)
    if advice is None:
        raise NotFound(f"no advice #{advice_id}", code="advice.not_found")
    if not ledger_visible(actor, advice):
        raise PermissionDenied(f"{actor.label} may not read the ledger of advice #{advice_id}",
                               code="permission.denied", params={"action": "consultation.ledger.view"})
    return advice


def ledger_document(session: Session, actor: Actor, entry_id: int, data_dir: Path) -> tuple[AdviceLedgerEntry, Path]:
    """The uploaded copy of an adopting document, for those who may read the ledger; audited."""
    entry = session.get(AdviceLedgerEntry, entry_id)
    if entry is None or not entry.stored_name:
        raise NotFound(f"no document in ledger row #{entry_id}", code="ledger.document.not_found")
    readable_ledger(session, actor, entry.advice_id)
    path = attachments_dir(data_dir) / entry.stored_name
    if not path.is_file():
        raise NotFound(f"the file of ledger row #{entry_id} is missing from the data directory", code="file.missing")
    audit(session, actor, "consultation.download", "consultation", entry.advice.invitation.request_id,
          {"ledger": entry.id, "filename": entry.file_name})
    return entry, path
