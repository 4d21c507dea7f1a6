"""Queue a knowledge-index sync in the transaction of every change to an indexed row.

Outputs are written by the talents' write path, requests and advice by the
consultation paths — several modules, some of them changing now. Rather than
ask each of them to remember a second sync call, one flush hook sees every
output, request and advice that a transaction inserts, changes or deletes and
queues ``{"knowledge": "<kind>:<id>"}`` in that same transaction (the outbox
rule: the item commits with the change or not at all; the commit's flush loop
writes the queue items the hook adds).

A request's confidentiality or unit decides who sees its advice, so a changed
request queues its question and every piece of its advice. This module imports
no search code: every session of the product loads it (``kb.db``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from kb.models import Output
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.models.consultation_invitation import ConsultationAdvice
from kb.queue import enqueue

KNOWLEDGE_TOPIC = "knowledge.sync"
_PENDING = "kb.knowledge.pending"
#: What the documents (``kb.knowledge.documents``) read of a request and of an invitation:
#: an update touching none of these (a state transition, a reply, a reminder) changes no document.
_READ: dict[type, tuple[str, ...]] = {
    ConsultationRequest: ("title", "background", "questions", "confidentiality", "unit"),
    ConsultationInvitation: ("request_id", "talent_id"),
}


def keys_of(obj: Any, *, deleted: bool = False) -> set[str]:
    """Index keys an inserted, changed or deleted row touches.

    A deleted request's advice goes with its invitations (deleted rows of their own).
    """
    if isinstance(obj, Output) and obj.id is not None:
        # Its kind follows its type, which may just have changed: the sync touches both kinds.
        return {_key("output", obj.id)}
    if isinstance(obj, ConsultationInvitation) and obj.request_id is not None:
        return {_key("question", obj.request_id)}  # who may read the request's questions changed
    if isinstance(obj, ConsultationAdvice) and obj.id is not None:
        return {_key("advice", obj.id)}
    if isinstance(obj, ConsultationRequest) and obj.id is not None:
        keys = {_key("question", obj.id)}
        if deleted:
            return keys
        for invitation in obj.invitations:
            if invitation.advice is not None and invitation.advice.id is not None:
                keys.add(_key("advice", invitation.advice.id))
        return keys
    return set()


def queue_knowledge_sync(session: Session, keys: Iterable[str]) -> None:
    for key in sorted(set(keys)):
        enqueue(session, KNOWLEDGE_TOPIC, {"knowledge": key})


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _ctx: Any) -> None:
    """After a flush ids are known and ``new``/``dirty``/``deleted`` still list what was written."""
    keys: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Output | ConsultationAdvice | ConsultationRequest | ConsultationInvitation):
            if obj in session.dirty and not _changes_documents(session, obj):
                continue
            keys |= keys_of(obj, deleted=obj in session.deleted)
    if keys:
        session.info.setdefault(_PENDING, set()).update(keys)


def _changes_documents(session: Session, obj: Any) -> bool:
    """Whether an update changed what a knowledge document reads of ``obj`` (history outlives the flush)."""
    read = _READ.get(type(obj))
    if read is None:
        return session.is_modified(obj, include_collections=False)
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in read)


@event.listens_for(Session, "after_flush_postexec")
def _enqueue(session: Session, _ctx: Any) -> None:
    """Queue what the flush touched; the commit's flush loop writes the queue items."""
    keys = session.info.pop(_PENDING, None)
    if keys:
        queue_knowledge_sync(session, keys)



def _key(kind: str, item_id: int) -> str:
    """``kind:id``, the item key of ``indexer.knowledge``."""
    return f"{kind}:{item_id}"
