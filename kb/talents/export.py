"""Export talents as JSON Lines that ``kb import`` reads back unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.actors import Actor
from kb.audit import audit
from kb.models import Talent
from kb.permissions import require
from kb.talents.changes import talent_to_record


def iter_records(session: Session, include_contact: bool = False) -> Iterator[dict[str, Any]]:
    stmt = select(Talent).options(selectinload(Talent.outputs)).order_by(Talent.external_id)
    for talent in session.scalars(stmt):
        yield talent_to_record(talent, include_contact=include_contact)


def authorize_export(session: Session, actor: Actor, include_contact: bool) -> None:
    """Check the permission and leave an audit entry: exports carry personal data in bulk."""
    require(actor, "talent.export")
    audit(session, actor, "talent.export", "talent", "", {"include_contact": include_contact})


def export_jsonl(session: Session, out: IO[str], actor: Actor, include_contact: bool = False) -> int:
    authorize_export(session, actor, include_contact)
    session.commit()
    n = 0
    for rec in iter_records(session, include_contact):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n
