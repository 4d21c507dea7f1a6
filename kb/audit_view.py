"""Reading the audit trail back, showing each entry only as far as its object is visible.

The trail records everything (titles, invitees, decline reasons, attachment
names, rating comments, adoption text), and staff reading it are not thereby
entitled to objects the pages keep from them: a commissioner may not open a
unit-only or confidential consultation, nor see who registered for an event.
So every entry is shown through ``kb.visibility``, decided per field:

- the object is not visible at all: the entry keeps its time, action and
  object kind with the request's confidentiality ("a confidential
  consultation"), but not the object id, the detail, or who acted when the
  actor was an invitee or attendee (which would tell who was invited);
- the object is visible but its participants are not (a public request one
  does not manage, a published event one does not organise): the entry keeps
  the fields the page shows (title, need, state changes) and drops the rest;
- otherwise the entry is shown whole.

Used by the administration audit log and by each consultation's trail (page
and API), so there is one answer to "what of this entry may I read".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import recent
from kb.models import AuditEvent, Event
from kb.models.consultation import ConsultationRequest
from kb.models.event_extras import EventProposal
from kb.permissions import require
from kb.visibility import (
    event_attendance_visible,
    event_visible,
    proposal_visible,
    request_managed,
    request_visible,
)

# What a viewer who is not a request's manager sees on its page, as audit detail keys. Not a
# transition's note: it can name an invitee ("web-003 accepted") or give a cancellation reason.
REQUEST_FACTS = frozenset({"title", "background", "questions", "fields", "deadline", "experts_wanted", "form",
                           "confidentiality", "from", "to", "format", "kind", "rows"})
# Consultation actions done by the invited talent: their actor names an invitee.
INVITEE_ACTIONS = frozenset({"consultation.accept", "consultation.decline", "consultation.conflict",
                             "consultation.advice", "consultation.download"})
# Actions about the request's participants: nothing of them is on the page of a non-manager.
PARTICIPANT_ACTIONS = INVITEE_ACTIONS | frozenset({
    "consultation.invite", "consultation.rate", "consultation.adopt", "consultation.include",
    "consultation.exclude", "consultation.draw", "consultation.dossier"})
# What a viewer who does not organise an event sees of it, as audit detail keys.
EVENT_FACTS = frozenset({"title", "reason", "material", "filename", "fields"})
# Event actions a talent does for itself: their actor names an attendee.
ATTENDEE_ACTORS = frozenset({"event.register", "event.decline", "event.cancel_registration", "event.feedback"})
# Event actions about attendees: nothing of them is on the page of someone who does not organise it.
ATTENDEE_ACTIONS = ATTENDEE_ACTORS | frozenset({"event.promote", "event.checkin", "event.checkin_undo",
                                                "event.invite"})

WITHHELD_OBJECT = "object"  # the object is not visible: only the kind of object is shown
WITHHELD_FIELDS = "fields"  # some fields of the detail are not shown


@dataclass(frozen=True)
class ShownEntry:
    """An audit entry as one viewer may read it (same attribute names as ``AuditEvent``)."""

    id: int
    at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any] = field(default_factory=dict)
    withheld: str = ""  # "", WITHHELD_FIELDS or WITHHELD_OBJECT
    actor_withheld: bool = False
    secrecy: str = ""  # a hidden consultation's confidentiality, to name it without its title


def _whole(e: AuditEvent) -> ShownEntry:
    return ShownEntry(e.id, e.at, e.actor_label, e.action, e.object_type, e.object_id, dict(e.detail or {}))


def _hidden(e: AuditEvent, *, actor_withheld: bool, secrecy: str = "") -> ShownEntry:
    return ShownEntry(e.id, e.at, "" if actor_withheld else e.actor_label, e.action, e.object_type, "", {},
                      WITHHELD_OBJECT, actor_withheld, secrecy)


def _facts(e: AuditEvent, keys: frozenset[str], *, drop_all: bool, actor_withheld: bool) -> ShownEntry:
    detail = {} if drop_all else {k: v for k, v in (e.detail or {}).items() if k in keys}
    cut = detail != (e.detail or {})
    return ShownEntry(e.id, e.at, "" if actor_withheld else e.actor_label, e.action, e.object_type, e.object_id,
                      detail, WITHHELD_FIELDS if cut or actor_withheld else "", actor_withheld)


class _Lookup:
    """Loads each object an entry names once per listing."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[type, int], Any] = {}

    def get(self, model: type, object_id: str) -> Any:
        try:
            key = (model, int(object_id))
        except ValueError:
            return None
        if key not in self.cache:
            self.cache[key] = self.session.get(model, key[1])
        return self.cache[key]


def _consultation(actor: Actor, e: AuditEvent, lookup: _Lookup) -> ShownEntry:
    if not e.object_id:
        return _whole(e)  # an export across requests: the detail is a kind and a row count
    request = lookup.get(ConsultationRequest, e.object_id)
    invitee = e.action in INVITEE_ACTIONS
    if not request_visible(actor, request):
        return _hidden(e, actor_withheld=invitee, secrecy=getattr(request, "confidentiality", ""))
    if request_managed(actor, request):
        return _whole(e)
    return _facts(e, REQUEST_FACTS, drop_all=e.action in PARTICIPANT_ACTIONS, actor_withheld=invitee)


def _event(actor: Actor, e: AuditEvent, lookup: _Lookup) -> ShownEntry:
    event = lookup.get(Event, e.object_id)
    attendee = e.action in ATTENDEE_ACTORS
    if not event_visible(actor, event):
        return _hidden(e, actor_withheld=attendee)
    if event_attendance_visible(actor, event):
        return _whole(e)
    return _facts(e, EVENT_FACTS, drop_all=e.action in ATTENDEE_ACTIONS or e.action.startswith("event.audience"),
                  actor_withheld=attendee)


def _proposal(actor: Actor, e: AuditEvent, lookup: _Lookup) -> ShownEntry:
    if proposal_visible(actor, lookup.get(EventProposal, e.object_id)):
        return _whole(e)
    return _hidden(e, actor_withheld=True)


RULES = {"consultation": _consultation, "event": _event, "event_proposal": _proposal}


def shown(session: Session, actor: Actor, entries: Iterable[AuditEvent]) -> list[ShownEntry]:
    """Each entry as ``actor`` may read it (talent, user and account entries are staff business: whole)."""
    lookup = _Lookup(session)
    out = []
    for e in entries:
        rule = RULES.get(e.object_type)
        out.append(rule(actor, e, lookup) if rule and not actor.is_system else _whole(e))
    return out


def audit_log(session: Session, actor: Actor, *, limit: int = 300, action_prefix: str = "",
              object_id: str = "") -> list[ShownEntry]:
    """The newest entries of the whole trail, for those allowed to read it (``audit.view``)."""
    require(actor, "audit.view")
    return shown(session, actor, recent(session, limit=limit, action_prefix=action_prefix, object_id=object_id))
