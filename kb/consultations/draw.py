"""The random draw (随机抽取) among the top qualified candidates, repeatable.

The pool (the top N qualified, not yet invited search candidates) is sorted by
talent id before drawing, so the outcome depends on the pool's members and the
seed only, never on score ties or float noise. Pool, seed and picks are stored:
anyone can re-run ``replay`` and get the same experts, and every redraw is a
new row, so a changed result is on record with both seeds.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.recommend import Recommendation, recommend
from kb.consultations.states import INVITING
from kb.errors import Conflict, ValidationError
from kb.models.consultation import ConsultationDraw, ConsultationRequest
from kb.permissions import require


def pick(seed: str, pool: list[str], count: int) -> list[str]:
    """``count`` members of ``pool`` chosen by ``random.Random(seed)``; pure and repeatable."""
    ordered = sorted(pool)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))


def replay(draw: ConsultationDraw) -> list[str]:
    return pick(draw.seed, list(draw.pool), draw.count)


def draw_experts(
    kb: Any, session: Session, actor: Actor, request: ConsultationRequest, *, pool_size: int, count: int,
    seed: str | None = None, recommendation: Recommendation | None = None, **recommend_args: Any,
) -> ConsultationDraw:
    require(actor, "consultation.manage", request)
    if request.state not in INVITING:
        raise Conflict(f"consultation #{request.id} is {request.state!r}: no draw is possible now")
    if not (1 <= count <= pool_size <= 200):
        raise ValidationError("draw: need 1 <= count <= pool size <= 200",
                              {"count": "1 to pool size", "pool_size": "count to 200"})
    rec = recommendation or recommend(kb, session, actor, request, **recommend_args)
    eligible = [c.talent_id for c in rec.candidates if c.source == "search" and c.invitation_state is None]
    pool = sorted(eligible[:pool_size])
    if not pool:
        raise Conflict("no qualified candidate to draw from")
    seed = (seed or "").strip() or secrets.token_hex(8)
    picked = pick(seed, pool, count)
    previous = request.draws[-1] if request.draws else None
    row = ConsultationDraw(seed=seed, pool=pool, count=count, picked=picked, actor_label=actor.label)
    request.draws.append(row)
    request.draw_seed = seed
    detail: dict[str, Any] = {"seed": seed, "pool": pool, "count": count, "picked": picked}
    if previous is not None:
        detail["previous"] = {"seed": previous.seed, "picked": list(previous.picked)}
        detail["added"] = [t for t in picked if t not in previous.picked]
        detail["dropped"] = [t for t in previous.picked if t not in picked]
    audit(session, actor, "consultation.draw", "consultation", request.id, detail)
    session.flush()
    return row
