"""CSV listings of requests and of invitations with their advice.

What each row and cell shows is decided by ``kb.visibility``, the same rule as
the request's page: a request's facts go to everyone who may view it, its
parties and its invitation counts only to those who manage it; an invitation
(who was invited, state, reason, advice, attachments, rating, adoption) only
to the request's managers and to the talent invited. An export therefore never
shows more than the pages would. The file itself is written by ``kb.tabular``
(formula neutralisation, BOM, bilingual headers).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.requests import list_requests, requester_name
from kb.labels import ADOPTION, FORMS, INVITATION_STATES, REQUEST_STATES, SECRECY, both, fields_both
from kb.localtime import DEFAULT_TIMEZONE
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.tabular import Column, headers, to_csv
from kb.visibility import advice_visible, request_managed, request_visible, visible_invitations

REQUEST_COLUMNS = (
    Column("编号", "ID"), Column("标题", "Title"), Column("委托单位", "Unit"), Column("经办人", "Requester"),
    Column("状态", "State"), Column("咨询形式", "Form"), Column("保密级别", "Confidentiality"),
    Column("领域", "Fields"), Column("截止日期", "Deadline"), Column("所需专家人数", "Experts wanted"),
    Column("利益相关方", "Parties"), Column("已邀请", "Invited"), Column("已答复", "Answered"),
    Column("创建时间", "Created"),
)
INVITATION_COLUMNS = (
    Column("咨询编号", "Request ID"), Column("咨询标题", "Request title"), Column("人才编号", "Talent ID"),
    Column("姓名", "Name"), Column("单位", "Organization"), Column("邀请状态", "State"),
    Column("邀请时间", "Invited"), Column("答复时间", "Responded"), Column("说明", "Reason"),
    Column("意见提交时间", "Advice submitted"), Column("意见", "Advice"), Column("附件", "Attachments"),
    Column("评分", "Rating"), Column("评语", "Rating comment"), Column("采纳情况", "Adoption"),
    Column("采纳于", "Adopted into"),
)


def _request_row(session: Session, actor: Actor, r: ConsultationRequest) -> list[object]:
    managed = request_managed(actor, r)
    return [
        r.id, r.title, r.unit, requester_name(session, r), both(REQUEST_STATES, r.state), both(FORMS, r.form),
        both(SECRECY, r.confidentiality), fields_both(r.fields),
        r.deadline, r.experts_wanted,
        "；".join(r.parties) if managed else "",
        len(r.invitations) if managed else "",
        sum(1 for i in r.invitations if i.state == "answered") if managed else "",
        r.created_at,
    ]


def _invitation_row(actor: Actor, r: ConsultationRequest, i: ConsultationInvitation) -> list[object]:
    a = i.advice if advice_visible(actor, i.advice) else None
    return [
        r.id, r.title, i.talent.external_id, i.talent.name, i.talent.organization, both(INVITATION_STATES, i.state),
        i.invited_at, i.responded_at, i.reason,
        a.submitted_at if a else "", a.text if a else "",
        "；".join(x.filename for x in a.attachments) if a else "",
        (a.rating or "") if a else "", a.rating_comment if a else "", both(ADOPTION, a.adoption) if a else "",
        a.adopted_into if a else "",
    ]


def request_rows(session: Session, actor: Actor, scope: str = "visible") -> list[list[object]]:
    return [_request_row(session, actor, r) for r in list_requests(session, actor, scope)]


def invitation_rows(session: Session, actor: Actor, requests: Iterable[ConsultationRequest] | None = None,
                    scope: str = "visible") -> list[list[object]]:
    """The invitations of the given requests (default: all the actor may see) that the actor may see."""
    requests = list(requests) if requests is not None else list_requests(session, actor, scope)
    return [_invitation_row(actor, r, i) for r in requests if request_visible(actor, r)
            for i in visible_invitations(actor, r)]


def requests_csv(session: Session, actor: Actor, scope: str = "visible", *, tz: str = DEFAULT_TIMEZONE) -> bytes:
    """``tz``: the locale.timezone setting, the zone of every time in the file."""
    rows = request_rows(session, actor, scope)
    audit(session, actor, "consultation.export", "consultation", "", {"kind": "requests", "rows": len(rows)})
    return to_csv(headers(REQUEST_COLUMNS), rows, tz=tz)


def invitations_csv(session: Session, actor: Actor, requests: Iterable[ConsultationRequest] | None = None,
                    scope: str = "visible", *, tz: str = DEFAULT_TIMEZONE) -> bytes:
    rows = invitation_rows(session, actor, requests, scope)
    audit(session, actor, "consultation.export", "consultation", "", {"kind": "invitations", "rows": len(rows)})
    return to_csv(headers(INVITATION_COLUMNS), rows, tz=tz)
