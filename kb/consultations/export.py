"""CSV listings of requests and of invitations with their advice.

Only rows the actor may see are written; the content of unit-only and
confidential requests therefore never reaches someone outside the unit by
way of an export. UTF-8 with a BOM so spreadsheet programs read the Chinese.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.requests import list_requests, requester_name
from kb.models.consultation import ConsultationRequest
from kb.permissions import allowed

REQUEST_COLUMNS = ["id", "title", "unit", "requester", "state", "form", "confidentiality", "fields", "deadline",
                   "experts_wanted", "parties", "invited", "answered", "created_at"]
INVITATION_COLUMNS = ["request_id", "request_title", "talent_id", "talent_name", "organization", "state",
                      "invited_at", "responded_at", "reason", "advice_submitted_at", "advice", "attachments",
                      "rating", "rating_comment", "adoption", "adopted_into"]


def _csv(columns: list[str], rows: Iterable[list[object]]) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""


def requests_csv(session: Session, actor: Actor, scope: str = "visible") -> str:
    requests = list_requests(session, actor, scope)
    audit(session, actor, "consultation.export", "consultation", "", {"kind": "requests", "rows": len(requests)})
    return _csv(REQUEST_COLUMNS, ([
        r.id, r.title, r.unit, requester_name(session, r), r.state, r.form, r.confidentiality, " ".join(r.fields),
        _iso(r.deadline), r.experts_wanted, "；".join(r.parties), len(r.invitations),
        sum(1 for i in r.invitations if i.state == "answered"), _iso(r.created_at),
    ] for r in requests))


def invitations_csv(session: Session, actor: Actor, requests: Iterable[ConsultationRequest] | None = None,
                    scope: str = "visible") -> str:
    """Invitations and advice of the given requests (default: all the actor may see).

    Advice text and ratings appear only where the actor manages the request;
    otherwise the row shows the invitation's progress alone.
    """
    requests = list(requests) if requests is not None else list_requests(session, actor, scope)
    rows = []
    for r in requests:
        if not allowed(actor, "consultation.view", r):
            continue
        full = allowed(actor, "consultation.manage", r)
        for i in r.invitations:
            a = i.advice if full else None
            rows.append([
                r.id, r.title, i.talent.external_id, i.talent.name, i.talent.organization, i.state,
                _iso(i.invited_at), _iso(i.responded_at), i.reason if full else "",
                _iso(a.submitted_at) if a else "", a.text if a else "",
                "；".join(x.filename for x in a.attachments) if a else "",
                a.rating if a else "", a.rating_comment if a else "", a.adoption if a else "",
                a.adopted_into if a else "",
            ])
    audit(session, actor, "consultation.export", "consultation", "", {"kind": "invitations", "rows": len(rows)})
    return _csv(INVITATION_COLUMNS, rows)
