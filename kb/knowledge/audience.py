"""Who may see a knowledge item, as tokens the search backend filters on.

An item carries the tokens of the viewers who may see it; a viewer carries
its own tokens; the backend keeps items sharing at least one token with the
viewer. The rules are those of issue 17 on top of ``kb.visibility``:

- outputs and stage results are part of a talent's profile (``talent.view``:
  every account): ``all``;
- a request's questions follow ``consultation.view``: public requests for every
  account, the others for the owning unit's researchers, the talents invited
  and admins;
- advice of a public request is for all staff roles; advice of a unit-only or
  confidential request only for the owning unit's researchers and admins; the
  talent who wrote a piece of advice always sees it.
"""

from __future__ import annotations

from kb.actors import Actor
from kb.roles import Role

ALL = "all"
STAFF = "staff"
ADMIN = "admin"
#: Talent-profile knowledge (outputs, stage results): any account may see it.
PROFILE_KINDS = ("output", "stage_result")


def unit_token(unit: str) -> str:
    return f"unit:{unit}"


def talent_token(talent_id: int) -> str:
    return f"talent:{talent_id}"


def item_audience(kind: str, *, confidentiality: str = "", unit: str = "", talent_id: int | None = None,
                  invited: tuple[int, ...] = ()) -> tuple[str, ...]:
    """Tokens of the viewers who may see an item with these visibility attributes.

    ``talent_id`` is the author of a piece of advice; ``invited`` the talents invited to a request.
    """
    if kind in PROFILE_KINDS:
        return (ALL,)
    public = confidentiality == "public"
    owners = (ADMIN, unit_token(unit)) if unit else (ADMIN,)
    if kind == "question":
        return (ALL,) if public else owners + tuple(talent_token(t) for t in invited)
    if kind == "advice":
        author = (talent_token(talent_id),) if talent_id is not None else ()
        return ((STAFF,) if public else owners) + author
    raise ValueError(f"unknown knowledge kind {kind!r}")


def viewer_audience(actor: Actor) -> tuple[str, ...] | None:
    """The actor's tokens; ``None`` for the system (command line), which sees everything."""
    if actor.is_system:
        return None
    tokens = [ALL]
    if actor.role == Role.TALENT:
        if actor.talent_id is not None:
            tokens.append(talent_token(actor.talent_id))
        return tuple(tokens)
    tokens.append(STAFF)
    if actor.role == Role.ADMIN:
        tokens.append(ADMIN)
    if actor.role == Role.RESEARCHER and actor.unit:
        tokens.append(unit_token(actor.unit))
    return tuple(tokens)
