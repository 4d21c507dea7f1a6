"""Who may call each route, derived from kb.permissions — the table the matrix test walks.

``RULES`` maps every endpoint of the app to a predicate over (actor, objects):
the objects the URL's ids point at are loaded from the database and handed to
``kb.permissions.allowed``, so the expectation comes from ``ROLE_MATRIX`` and
``OBJECT_RULES`` rather than from what the views happen to do today. An
endpoint missing here fails ``test_every_route_has_a_rule``: a new route cannot
ship without someone deciding who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.actors import Actor
from kb.models import ApiToken, Event, Output, Talent
from kb.models.consultation import AdviceLedgerEntry, ConsultationInvitation, ConsultationRequest
from kb.models.consultation_invitation import ConsultationAdvice, ConsultationAttachment
from kb.models.event_extras import EventMaterial
from kb.permissions import STAFF, allowed
from kb.roles import Role

Pred = Callable[[Actor, "Objects"], bool]


@dataclass
class Objects:
    """The objects one variant ("own" / "other") of a URL refers to."""

    talent: Talent | None = None
    output: Output | None = None
    request: ConsultationRequest | None = None
    invitation: ConsultationInvitation | None = None
    event: Event | None = None
    material: EventMaterial | None = None
    token_owner: int | None = None  # the user id of the API token the URL names


def load(session: Any, ids: dict[str, Any]) -> Objects:
    """Resolve a variant's ids; advice and attachments stand for their invitation and request."""
    talent = session.query(Talent).filter_by(external_id=ids["talent"]).one()
    invitation = session.get(ConsultationInvitation, ids["invitation"])
    advice = session.get(ConsultationAdvice, ids["advice"])
    attachment = session.get(ConsultationAttachment, ids["attachment"])
    assert advice.invitation_id == invitation.id and attachment.advice_id == advice.id
    assert session.get(AdviceLedgerEntry, ids["ledger_entry"]).advice_id == advice.id
    material = session.get(EventMaterial, ids["material"])
    event = session.get(Event, ids["event"])
    assert material.event_id == event.id
    token = session.query(ApiToken).filter_by(public_id=ids["token"]).one()
    return Objects(talent=talent, output=session.get(Output, ids["output"]), request=invitation.request,
                   invitation=invitation, event=event, material=material, token_owner=token.user_id)


def can(action: str, attr: str | None = None) -> Pred:
    return lambda actor, o: allowed(actor, action, getattr(o, attr) if attr else None)


def both(*preds: Pred) -> Pred:
    return lambda actor, o: all(p(actor, o) for p in preds)


def either(*preds: Pred) -> Pred:
    return lambda actor, o: any(p(actor, o) for p in preds)


def own_talent(action: str) -> Pred:
    """Actions a talent takes for itself when the form names nobody (register, feedback, propose)."""
    return lambda actor, o: actor.talent_id is not None and allowed(actor, action, _actor_talent(actor, o))


def _actor_talent(actor: Actor, o: Objects) -> Any:
    class _Own:  # the permission rules compare ids only
        id = actor.talent_id

    return _Own()


ANY_ACCOUNT: Pred = lambda actor, o: True  # noqa: E731
TOKEN_HOLDER: Pred = lambda actor, o: actor.user_id == o.token_owner or allowed(actor, "users.manage")  # noqa: E731
STAFF_ONLY: Pred = lambda actor, o: actor.role in STAFF  # noqa: E731
PUBLIC = "public"  # no login needed (login page, invitation by token, language switch, static, OpenAPI, ops)

view_req = can("consultation.view", "request")
manage_req = both(view_req, can("consultation.manage", "request"))
see_invitation = both(view_req, either(can("consultation.respond", "invitation"), can("consultation.manage", "request")))
respond = both(view_req, can("consultation.respond", "invitation"))
view_event = can("event.view", "event")
manage_event = both(view_event, can("event.manage", "event"))
trail = both(view_req, either(can("audit.view"), can("consultation.manage", "request")))
attachment = both(view_req, either(can("consultation.manage", "request"), can("consultation.respond", "invitation")))
# The adoption ledger: read with the advice, or as a commissioner; recorded by the requesting unit.
read_ledger = both(can("consultation.ledger.view", "request"),
                   either(see_invitation, lambda actor, o: actor.role == Role.COMMISSIONER))
record_ledger = both(view_req, can("consultation.ledger.record", "request"))

RULES: dict[str, Pred | str] = {
    # core pages
    "search.home": can("search"), "search.search": can("search"), "search.similar": can("search"), "search.knowledge": can("search"),
    "talents.profile": can("talent.view", "talent"),
    "talents.history": can("talent.history", "talent"),
    "talents.edit": can("talent.edit", "talent"),
    "talents.new_output": can("talent.edit", "talent"),
    "talents.edit_output": can("talent.edit", "talent"),
    "talents.delete_output": can("talent.edit", "talent"),
    "talents.add_affiliation": can("talent.edit", "talent"),
    "talents.import_outputs": can("talent.harvest", "talent"), "talents.claim_outputs": can("talent.harvest", "talent"),
    "talents.remove_affiliation": can("talent.affiliations.remove", "talent"),
    "dashboard.index": can("dashboard.view"), "dashboard.data": can("dashboard.view"),
    "dashboard.capability_build": can("capability.build"), "dashboard.capability_export": can("dashboard.view"),
    # living profiles: freshness for staff, reminders to one's assigned talents, assignment by admins
    "freshness.home": can("freshness.view"), "freshness.send_reminder": can("freshness.remind", "talent"),
    "freshness.assignments": can("commissioner.assign"), "freshness.assign": can("commissioner.assign"),
    "freshness.digest_frequency": can("talent.edit", "talent"),
    "admin.index": STAFF_ONLY,
    "admin.users": can("users.manage"), "admin.create_user": can("users.manage"),
    "admin.set_active": can("users.manage"), "admin.reset_password": can("users.manage"),
    "admin.invite": can("users.invite"),
    "admin.talents": can("talent.create"), "admin.new_talent": can("talent.create"),
    "admin.delete_talent": can("talent.delete"),
    "admin.reviews": can("talent.review"), "admin.decide": can("talent.review"),
    "admin.import_page": can("talent.import"), "admin.export": can("talent.export"),
    "admin.audit_log": can("audit.view"),
    "admin.system_status": can("users.manage"),
    "auth.account": ANY_ACCOUNT, "auth.password": ANY_ACCOUNT, "auth.new_token": ANY_ACCOUNT,
    "auth.logout": ANY_ACCOUNT, "auth.tokens": ANY_ACCOUNT, "auth.revoke_token": TOKEN_HOLDER,
    "admin.user_tokens": can("users.manage"), "admin.revoke_token": can("users.manage"),
    "api.list_tokens": ANY_ACCOUNT, "api.revoke_token": TOKEN_HOLDER,
    "auth.login": PUBLIC, "auth.invitation": PUBLIC, "i18n.switch": PUBLIC, "static": PUBLIC,
    # operations, for load balancers and monitoring: no login; who may read /metrics (this machine
    # or ops.metrics_token) is decided by address, not role: tests/ops/test_metrics.py
    "ops.healthz": PUBLIC, "ops.readyz": PUBLIC, "ops.metrics": PUBLIC,
    # core API
    "api.openapi": PUBLIC, "api.me": ANY_ACCOUNT, "api.search": can("search"), "api.knowledge": can("search"),
    "api.get_talent": can("talent.view", "talent"), "api.list_outputs": can("talent.view", "talent"),
    "api.patch_talent": can("talent.edit", "talent"), "api.create_output": can("talent.edit", "talent"),
    "api.update_output": can("talent.edit", "talent"), "api.delete_output": can("talent.edit", "talent"),
    "api.import_outputs": can("talent.harvest", "talent"),
    # consultations: pages and API
    "consultations.index": can("consultation.list"),
    "consultations.new": can("consultation.create"),
    "consultations.detail": view_req,
    "consultations.dossier": manage_req, "consultations.dossier_docx_page": manage_req,
    "consultations.record_ledger_step": record_ledger, "consultations.ledger_document": read_ledger,
    "consultations.reports": can("consultation.report"),
    "consultations.quarterly_docx": can("consultation.report"), "consultations.quarterly_xlsx": can("consultation.report"),
    "consultations.draw": manage_req, "consultations.invite": manage_req, "consultations.select": manage_req,
    "consultations.change_state": manage_req,
    "consultations.lookup": manage_req, "consultations.add_from_profile": can("consultation.create"),
    "notifications.index": ANY_ACCOUNT, "notifications.read": ANY_ACCOUNT,
    "consultations.request_invitations_csv": view_req,
    "consultations.trail": trail,
    "consultations.invitation": see_invitation,
    "consultations.respond": respond, "consultations.advice": respond,
    "consultations.rate": manage_req, "consultations.adopt": manage_req,
    "consultations.attachment": attachment,
    "consultations.requests_csv": can("consultation.list"),
    "consultations.invitations_csv": can("consultation.list"),
    "consultations.stats": can("consultation.stats"),
    "consultations_api.list_consultations": can("consultation.list"),
    "consultations_api.create_consultation": can("consultation.create"),
    "consultations_api.get_consultation": view_req,
    "consultations_api.draw": manage_req, "consultations_api.invite": manage_req,
    "consultations_api.recommendation": manage_req, "consultations_api.select": manage_req,
    "consultations_api.transition": manage_req,
    "consultations_api.trail": trail,
    "consultations_api.adopt": manage_req, "consultations_api.rate": manage_req,
    "consultations_api.get_invitation": see_invitation,
    "consultations_api.advise": respond, "consultations_api.respond": respond,
    "consultations_api.stats": can("consultation.stats"),
    "consultations_api.dossier_pdf_api": manage_req, "consultations_api.dossier_docx_api": manage_req,
    "consultations_api.get_ledger": read_ledger, "consultations_api.post_ledger_step": record_ledger,
    "consultations_api.quarterly_docx_api": can("consultation.report"),
    "consultations_api.quarterly_xlsx_api": can("consultation.report"),
    # events: pages and API
    "events.index": can("event.view"), "events.detail": view_event, "events.calendar": view_event,
    "events.new": can("event.manage"), "events.edit": manage_event, "events.change_state": manage_event,
    "events.attendees": manage_event, "events.audience_page": manage_event, "events.audience_change": manage_event,
    "events.audience_lookup": manage_event, "events.audience_add": manage_event,
    "events.checkin_page": manage_event, "events.checkin_tick": manage_event, "events.invite": manage_event,
    "events.replies_page": manage_event, "events.upload_material": manage_event,
    "events.delete_material": manage_event, "events.download_material": view_event,
    "events.register": both(view_event, own_talent("event.register")),
    "events.reply": both(view_event, own_talent("event.register")),
    "events.unregister": both(view_event, own_talent("event.register")),
    "events.give_feedback": both(view_event, own_talent("event.feedback")),
    "events.mine": own_talent("event.history"),
    "events.history": can("event.history", "talent"),
    "events.proposals_page": can("event.manage"), "events.propose": own_talent("event.propose"),
    "events.review": can("event.manage"),
    "events.stats": can("dashboard.view"),
    "events_api.list_events": can("event.view"), "events_api.get_event": view_event,
    "events_api.calendar": view_event,
    "events_api.create_event": can("event.manage"), "events_api.update_event": manage_event,
    "events_api.transition": manage_event, "events_api.attendees": manage_event,
    "events_api.get_audience": manage_event, "events_api.change_audience": manage_event,
    "events_api.check_in": manage_event, "events_api.invite": manage_event,
    "events_api.registrations": manage_event, "events_api.feedback_summary": manage_event,
    "events_api.upload_material": manage_event,
    "events_api.list_materials": view_event, "events_api.download_material": view_event,
    "events_api.my_registration": both(view_event, own_talent("event.history")),
    "events_api.register": both(view_event, own_talent("event.register")),
    "events_api.unregister": both(view_event, own_talent("event.register")),
    "events_api.reply": both(view_event, own_talent("event.register")),
    "events_api.give_feedback": both(view_event, own_talent("event.feedback")),
    "events_api.mine": own_talent("event.history"),
    "events_api.list_proposals": can("event.manage"), "events_api.propose": own_talent("event.propose"),
    "events_api.review": can("event.manage"),
    "events_api.stats": can("dashboard.view"),
}

# URL variable -> the key of the object id in a variant (tests/security/conftest.py World.ids)
PARAMS = {
    "external_id": "talent", "talent_id": "talent", "output_id": "output", "rid": "request",
    "iid": "invitation", "aid": "advice", "att_id": "attachment", "event_id": "event",
    "material_id": "material", "proposal_id": "proposal", "revision_id": "revision", "user_id": "user",
    "affiliation_id": "affiliation", "token_id": "token", "entry_id": "ledger_entry",
}
# Query strings a GET needs to reach its permission check rather than a validation error.
QUERY = {"search.search": "?q=跨境", "api.search": "?q=跨境", "search.knowledge": "?q=跨境", "api.knowledge": "?q=跨境", "consultations.add_from_profile": "?talent=web-003",
         "consultations.lookup": "?q=林", "events.audience_lookup": "?q=林"}
FIXED = {"fmt": "csv", "token": "no-such-invitation", "code": "en", "filename": "css/app.css", "quarter": "2026Q3"}

# Bodies that pass validation, so a refusal has to come from the permission check.
# The same keys serve as form fields (pages) and JSON (API); FILE marks a multipart upload.
FILE = "file"
BODIES: dict[str, dict[str, Any]] = {
    # destructive page actions ask first (web/confirm.py); confirmed, they reach the permission check
    **{endpoint: {"confirmed": "1"} for endpoint in (
        "admin.set_active", "admin.revoke_token", "auth.revoke_token", "talents.delete_output",
        "talents.remove_affiliation", "events.unregister", "events.delete_material")},
    "consultations.change_state": {"to": "closed"}, "consultations_api.transition": {"to": "closed"},
    "consultations.respond": {"action": "accept"}, "consultations_api.respond": {"action": "accept"},
    "events.change_state": {"to": "cancelled", "confirmed": "1"}, "events_api.transition": {"to": "cancelled"},
    "events.invite": {"talent_ids": "web-002"}, "events.audience_add": {"expert": "web-002"}, "events_api.invite": {"talent_ids": ["web-002"]},
    "events_api.check_in": {"code": "ABCD-EFGH"},
    "events_api.reply": {"accept": True}, "events_api.review": {"accept": True},
    "events.upload_material": {FILE: True}, "events_api.upload_material": {FILE: True},
    "talents.import_outputs": {FILE: True}, "api.import_outputs": {FILE: True},
    "talents.claim_outputs": {"batch": "0123456789abcdef", "claim": "1"},
    "talents.add_affiliation": {"affiliation-organization": "前海管理局", "affiliation-from_year": "2015"},
    "freshness.digest_frequency": {"frequency": "weekly"}, "freshness.assign": {"talents": "web-002"},
    # API bodies that match the OpenAPI document: the request checks (web/api/validation.py) run
    # before the view, so only a well-formed request reaches the permission check tested here.
    "api.create_output": {"type": "paper", "title": "路由矩阵"}, "api.update_output": {"type": "paper", "title": "路由矩阵"},
    "consultations_api.create_consultation": {"title": "路由矩阵"},
    "consultations_api.select": {"talent_id": "web-002", "action": "include", "reason": "路由矩阵"},
    "consultations_api.invite": {"talent_ids": ["web-002"]}, "consultations_api.rate": {"rating": 5},
    # adopted needs the document it went into (kb.consultations.outcome.record_adoption)
    **dict.fromkeys(("consultations.adopt", "consultations_api.adopt"), {"adoption": "full", "adopted_into": "路由矩阵"}),
    **dict.fromkeys(("consultations.record_ledger_step", "consultations_api.post_ledger_step"),
                    {"step": "implemented", "evidence": "路由矩阵"}),
    "events_api.create_event": {"title": "路由矩阵", "start_at": "2027-01-01T14:00", "end_at": "2027-01-01T16:00",
                                "capacity": 10},
    "events_api.change_audience": {"talent_id": "web-002", "action": "add"},
    "events_api.give_feedback": {"rating": 5}, "events_api.propose": {"kind": "topic", "title": "路由矩阵"},
}
