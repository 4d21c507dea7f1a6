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


class LedgerStep(StrEnum):
    """A step of an advice's adoption ledger, in the order policy usually takes them.

    ``acknowledged`` is a leader's bare 同意/圈阅: the advice was read, which is
    not adoption; ``instructed`` is a 批示 that says what to do with it.
    """

    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    INSTRUCTED = "instructed"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    IMPLEMENTED = "implemented"
    EVALUATED = "evaluated"


class LeaderLevel(StrEnum):
    """Whose 批示: the level of the leader who wrote it, lowest first (the order ranks them)."""

    DISTRICT = "district"
    CITY = "city"
    PROVINCIAL = "provincial"


class AdoptionExtent(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
