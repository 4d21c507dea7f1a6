"""Rows → knowledge documents: the text search reads and the visibility attributes it filters on.

Outputs of the think-tank kinds (research reports, policy advice, projects) are
*stage results*; every other output (papers, patents, books, ...) is an *output*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from indexer.knowledge import KnowledgeDoc, split_item_key
from kb.knowledge.audience import item_audience
from kb.models import Output
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.models.consultation_invitation import ConsultationAdvice

STAGE_RESULT_TYPES = frozenset({"report", "policy_advice", "project"})


def output_kind(output: Output) -> str:
    return "stage_result" if output.type in STAGE_RESULT_TYPES else "output"


def output_doc(output: Output) -> KnowledgeDoc:
    body = "\n".join(p for p in (output.venue or "", output.abstract or "", "; ".join(output.keywords or [])) if p)
    return KnowledgeDoc(
        kind=output_kind(output), item_id=str(output.id), title=output.title, text=body,
        talent_id=output.talent.external_id, request_id="", audience=item_audience(output_kind(output)),
    )


def question_doc(request: ConsultationRequest) -> KnowledgeDoc:
    """A request's need: its title, background and questions (what was asked before)."""
    body = "\n".join(p for p in (request.background or "", request.questions or "") if p)
    return KnowledgeDoc(
        kind="question", item_id=str(request.id), title=request.title, text=body, request_id=str(request.id),
        audience=item_audience("question", confidentiality=request.confidentiality, unit=request.unit,
                               invited=tuple(i.talent_id for i in request.invitations)),
    )


def advice_doc(advice: ConsultationAdvice) -> KnowledgeDoc:
    """The advice under its request's title, so a hit names the need it answered."""
    invitation = advice.invitation
    request = invitation.request
    return KnowledgeDoc(
        kind="advice", item_id=str(advice.id), title=request.title, text=advice.text,
        talent_id=invitation.talent.external_id, request_id=str(request.id),
        audience=item_audience("advice", confidentiality=request.confidentiality, unit=request.unit,
                               talent_id=invitation.talent_id),
    )


# What each kind's document reads, loaded with the rows (by id or in chunks).
def _output_query() -> Select[Output]:
    return select(Output).options(selectinload(Output.talent))


def _request_query() -> Select[ConsultationRequest]:
    return select(ConsultationRequest).options(selectinload(ConsultationRequest.invitations))


def _advice_query() -> Select[ConsultationAdvice]:
    return select(ConsultationAdvice).options(
        selectinload(ConsultationAdvice.invitation).selectinload(ConsultationInvitation.request),
        selectinload(ConsultationAdvice.invitation).selectinload(ConsultationInvitation.talent),
    )


def load_docs(session: Session, keys: Iterable[str]) -> dict[str, KnowledgeDoc]:
    """Current documents of the given item keys; a key whose row is gone is absent."""
    wanted: dict[str, set[int]] = {}
    for key in keys:
        kind, item_id = split_item_key(key)
        if item_id.isdigit():
            wanted.setdefault("output" if kind in ("output", "stage_result") else kind, set()).add(int(item_id))
    docs: list[KnowledgeDoc] = []
    if wanted.get("output"):
        docs += [output_doc(o) for o in session.scalars(
            _output_query().where(Output.id.in_(wanted["output"])))]
    if wanted.get("question"):
        docs += [question_doc(r) for r in session.scalars(
            _request_query().where(ConsultationRequest.id.in_(wanted["question"])))]
    if wanted.get("advice"):
        docs += [advice_doc(a) for a in session.scalars(
            _advice_query().where(ConsultationAdvice.id.in_(wanted["advice"])))]
    return {d.key: d for d in docs}


def iter_all_docs(factory: sessionmaker[Session], chunk: int = 500) -> Iterator[KnowledgeDoc]:
    """Every item, read in chunks (a rebuild of many outputs stays small in memory)."""
    yield from _in_chunks(factory, chunk, output_doc, lambda last: (
        _output_query().where(Output.id > last).order_by(Output.id)))
    yield from _in_chunks(factory, chunk, question_doc, lambda last: (
        _request_query().where(ConsultationRequest.id > last).order_by(ConsultationRequest.id)))
    yield from _in_chunks(factory, chunk, advice_doc, lambda last: (
        _advice_query().where(ConsultationAdvice.id > last).order_by(ConsultationAdvice.id)))


Row = TypeVar("Row", Output, ConsultationRequest, ConsultationAdvice)


def _in_chunks(
    factory: sessionmaker[Session], chunk: int, make: Callable[[Row], KnowledgeDoc],
    after: Callable[[int], Select[Row]],
) -> Iterator[KnowledgeDoc]:
    """The documents of one kind, ``chunk`` rows per session, in id order (``after(last id)``)."""
    last = 0
    while True:
        with factory() as session:
            rows = list(session.scalars(after(last).limit(chunk)))
            docs = [make(r) for r in rows]
        if not rows:
            return
        last = rows[-1].id
        yield from docs
