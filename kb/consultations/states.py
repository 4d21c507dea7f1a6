"""The request's life cycle, as a table of allowed moves.

draft -> open -> invited -> in_progress -> answered -> closed, and cancelled
from any state before answered. ``move`` is the only code that changes
``request.state``: it refuses anything not in ``TRANSITIONS`` and records the
move twice, as a transition row (the request's own history) and in the audit
trail (the platform-wide record).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict
from kb.models.consultation import ConsultationRequest, ConsultationTransition

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"open", "cancelled"}),
    "open": frozenset({"invited", "cancelled"}),
    "invited": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"answered", "cancelled"}),
    "answered": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
# Where experts may still be invited and may still respond.
INVITING = frozenset({"open", "invited", "in_progress"})
RESPONDING = frozenset({"invited", "in_progress"})


class IllegalTransition(Conflict):
    """A move the life cycle does not allow (a 409 on the web and the API)."""


def check(request: ConsultationRequest, to_state: str) -> None:
    allowed = TRANSITIONS.get(request.state, frozenset())
    if to_state not in allowed:
        nxt = ", ".join(sorted(allowed)) or "none (final state)"
        raise IllegalTransition(
            f"consultation #{request.id} is {request.state!r} and cannot become {to_state!r}; allowed next: {nxt}"
        )


def move(session: Session, actor: Actor, request: ConsultationRequest, to_state: str, note: str = "") -> None:
    check(request, to_state)
    record(session, actor, request, request.state, to_state, note)
    request.state = to_state


def record(
    session: Session, actor: Actor, request: ConsultationRequest, from_state: str, to_state: str, note: str = ""
) -> None:
    request.transitions.append(ConsultationTransition(
        from_state=from_state, to_state=to_state, actor_user_id=actor.user_id, actor_label=actor.label, note=note,
    ))
    audit(session, actor, "consultation.transition", "consultation", request.id,
          {"from": from_state, "to": to_state, "note": note})
