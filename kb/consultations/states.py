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
from kb.consultations.enums import RequestState
from kb.errors import Conflict
from kb.models.consultation import ConsultationRequest, ConsultationTransition

S = RequestState
TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    S.DRAFT: frozenset({S.OPEN, S.CANCELLED}),
    S.OPEN: frozenset({S.INVITED, S.CANCELLED}),
    S.INVITED: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ANSWERED, S.CANCELLED}),
    S.ANSWERED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Where experts may still be invited and may still respond.
INVITING = frozenset({S.OPEN, S.INVITED, S.IN_PROGRESS})
# Where the expert list may still be changed by hand (added, removed): a draft too.
SELECTING = INVITING | {S.DRAFT}
RESPONDING = frozenset({S.INVITED, S.IN_PROGRESS})


class IllegalTransition(Conflict):
    """A move the life cycle does not allow (a 409 on the web and the API)."""


def check(request: ConsultationRequest, to_state: RequestState) -> None:
    allowed = TRANSITIONS.get(RequestState(request.state), frozenset())
    if to_state not in allowed:
        nxt = ", ".join(sorted(allowed)) or "none (final state)"
        raise IllegalTransition(
            f"consultation #{request.id} is {request.state!r} and cannot become {to_state.value!r}; allowed next: {nxt}",
            code="consultation.transition")


def move(session: Session, actor: Actor, request: ConsultationRequest, to_state: RequestState,
         note: str = "") -> None:
    check(request, to_state)
    record(session, actor, request, request.state, to_state.value, note)
    request.state = to_state.value


def record(
    session: Session, actor: Actor, request: ConsultationRequest, from_state: str, to_state: str, note: str = ""
) -> None:
    request.transitions.append(ConsultationTransition(
        from_state=from_state, to_state=to_state, actor_user_id=actor.user_id, actor_label=actor.label, note=note,
    ))
    audit(session, actor, "consultation.transition", "consultation", request.id,
          {"from": from_state, "to": to_state, "note": note})
