"""What of each object an actor may see: one function per object kind.

The review found exports and the audit log deciding visibility on their own
and showing more than the page (an uninvited talent downloading the invitation
list of a public request). So the page, the API serializers, the CSV exports,
the dossier, notifications and the audit log all ask these functions instead;
they build on ``kb.permissions`` (the matrix) and add the field-level split
the pages make:

- a consultation request's *facts* (title, unit, need, deadline) are for
  everyone who may view it (``consultation.view``);
- its *parties* and *invitation list* (who was invited, their states, reasons,
  advice, attachments, ratings, adoption) are for those who manage it;
- one invitation and its advice are also for the talent invited;
- an event is for everyone once published; its registrations, replies and
  attendance are for those who manage events; a proposal for its author and
  event managers;
- a talent's contact data follows ``talent.view_contact``.
"""

from __future__ import annotations

from kb.actors import Actor
from kb.models import Event, Talent
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.models.consultation_invitation import ConsultationAdvice, ConsultationAttachment
from kb.models.event_extras import EventProposal
from kb.permissions import allowed
from kb.roles import Role


def request_visible(actor: Actor | None, request: ConsultationRequest | None) -> bool:
    """May see the request's facts: title, unit, need, questions, deadline, state."""
    return request is not None and allowed(actor, "consultation.view", request)


def request_managed(actor: Actor | None, request: ConsultationRequest | None) -> bool:
    """May see everything of the request: parties, invitees, reasons, advice, ratings, adoption."""
    return request_visible(actor, request) and allowed(actor, "consultation.manage", request)


def invitation_visible(actor: Actor | None, invitation: ConsultationInvitation | None) -> bool:
    """The invitation (state, reason) and its advice: the request's managers and the invited talent."""
    if invitation is None or not request_visible(actor, invitation.request):
        return False
    return allowed(actor, "consultation.manage", invitation.request) or allowed(
        actor, "consultation.respond", invitation)


def visible_invitations(actor: Actor | None, request: ConsultationRequest) -> list[ConsultationInvitation]:
    """The invitations of ``request`` the actor may see: all for a manager, one's own for a talent."""
    return [i for i in request.invitations if invitation_visible(actor, i)]


def advice_visible(actor: Actor | None, advice: ConsultationAdvice | None) -> bool:
    return advice is not None and invitation_visible(actor, advice.invitation)


def ledger_visible(actor: Actor | None, advice: ConsultationAdvice | None) -> bool:
    """The adoption ledger of one advice: whoever sees the advice, and commissioners
    (who follow what the think tank achieved) on every request they may view."""
    if advice is None or not allowed(actor, "consultation.ledger.view", advice.invitation.request):
        return False
    return advice_visible(actor, advice) or (actor is not None and actor.role == Role.COMMISSIONER)


def ledger_recordable(actor: Actor | None, advice: ConsultationAdvice | None) -> bool:
    """May add a step to the ledger: the requesting unit's researchers and admins."""
    return (advice is not None and advice_visible(actor, advice)
            and allowed(actor, "consultation.ledger.record", advice.invitation.request))


def attachment_visible(actor: Actor | None, attachment: ConsultationAttachment | None) -> bool:
    """An attachment's name and file go with its advice."""
    return attachment is not None and advice_visible(actor, attachment.advice)


def event_visible(actor: Actor | None, event: Event | None) -> bool:
    """Title, time, place, description and materials of an event."""
    return event is not None and allowed(actor, "event.view", event)


def event_attendance_visible(actor: Actor | None, event: Event | None) -> bool:
    """Who registered, declined, was invited, checked in or gave feedback."""
    return event_visible(actor, event) and allowed(actor, "event.manage", event)


def proposal_visible(actor: Actor | None, proposal: EventProposal | None) -> bool:
    """A talent's event proposal: its author and those who plan events."""
    if proposal is None or actor is None:
        return False
    if allowed(actor, "event.manage"):
        return True
    return actor.talent_id is not None and actor.talent_id == proposal.talent_id


def contact_visible(actor: Actor | None, talent: Talent | None) -> bool:
    return talent is not None and allowed(actor, "talent.view_contact", talent)
