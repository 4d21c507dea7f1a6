"""All models, imported here so metadata is complete wherever one is used."""

from kb.models.api_token import ApiToken
from kb.models.audit import AuditEvent
from kb.models.base import Base, utcnow
from kb.models.consultation import ConsultationRequest, TalentAffiliation
from kb.models.event import Event, EventRegistration, EventSpeaker
from kb.models.freshness import CommissionerAssignment, FreshnessDigest, FreshnessSnapshot
from kb.models.harvested_item import HarvestedItem
from kb.models.invitation import AccountInvitation
from kb.models.notification import Notification
from kb.models.output import Output
from kb.models.queue import QueueItem
from kb.models.revision import Revision
from kb.models.talent import Talent
from kb.models.user import ROLES, User

__all__ = [
    "ROLES",
    "AccountInvitation",
    "ApiToken",
    "AuditEvent",
    "Base",
    "CommissionerAssignment",
    "ConsultationRequest",
    "Event",
    "EventRegistration",
    "EventSpeaker",
    "FreshnessDigest",
    "FreshnessSnapshot",
    "HarvestedItem",
    "Notification",
    "Output",
    "QueueItem",
    "Revision",
    "Talent",
    "TalentAffiliation",
    "User",
    "utcnow",
]
