"""The codes of the event workflow, defined once.

The database, URLs, forms, the API's OpenAPI document and the labels use
these; a ``StrEnum`` member equals its stored string, so rows and links
written before stay valid.
"""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class RegistrationStatus(StrEnum):
    """One talent's relation to one event: asked with no reply yet, holding a seat, waiting for one, or out."""

    INVITED = "invited"
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class AudienceAction(StrEnum):
    """An organizer's hand change to the suggested audience: put on, take off, or back to the ranking."""

    ADD = "add"
    REMOVE = "remove"
    RESET = "reset"
