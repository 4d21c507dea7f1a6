"""The codes of the consultation workflow, defined once.

The database, URLs, forms, the API's OpenAPI document, the labels and the
CLI all use these; a ``StrEnum`` member equals its stored string, so rows
and links written before stay valid.
"""

from __future__ import annotations

from enum import StrEnum


class RequestState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    INVITED = "invited"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class InvitationState(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONFLICT = "conflict"
    ANSWERED = "answered"


class InvitationResponse(StrEnum):
    """What an invited talent answers: take part, say no, or declare a conflict of interest (回避)."""

    ACCEPT = "accept"
    DECLINE = "decline"
    CONFLICT = "conflict"
