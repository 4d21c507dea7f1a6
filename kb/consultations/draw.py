"""The random draw (随机抽取) among the top qualified candidates, repeatable.

The pool (the top N qualified, not yet invited search candidates) is sorted by
talent id before drawing, so the outcome depends on the pool's members and the
seed only, never on score ties or float noise. Pool, seed and picks are stored:
anyone can re-run ``replay`` and get the same experts, and every redraw is a
new row, so a changed result is on record with both seeds.

With ``fair=True`` the same pool is drawn with chances that favour experts with
fewer accepted consultations in the window (``kb.consultations.fairness``). Each
member's past count is stored with every draw (fair or not), so ``replay`` repeats
a fair draw from the row alone and the page shows what the option changes.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.fairness import FairnessReport, fair_pick
from kb.consultations.recommend import Recommendation, recommend
from kb.consultations.screening import accepted_between
from kb.consultations.settings import ConsultationSettings
from kb.consultations.states import INVITING
from kb.errors import Conflict, ValidationError
from kb.models import utcnow
from kb.models.consultation import ConsultationDraw, ConsultationRequest
from kb.permissions import require


def pick(seed: str, pool: list[str], count: int) -> list[str]:
    """``count`` members of ``pool`` chosen by ``random.Random(seed)``; pure and repeatable."""
    ordered = sorted(pool)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))


def replay(draw: ConsultationDraw) -> list[str]:
    """The draw's picks again, from what the row stores (seed, pool, count, and for a fair draw the counts)."""
    if draw.fair:
        if not draw.fairness:
            raise ValueError(f"fair draw #{draw.id} has no stored counts")
        report = FairnessReport.from_dict(draw.fairness, draw.count)
        return fair_pick(draw.seed, list(draw.pool), report.counts, report.strength, draw.count)
    return pick(draw.seed, list(draw.pool), draw.count)


def pool_load(session: Session, request: ConsultationRequest, pool: dict[str, int], settings: ConsultationSettings,
              count: int, now: datetime) -> FairnessReport:
    """Past accepted consultations (other requests, the last ``fair_draw_window_days``) of each pool member.

    ``pool`` maps external id to talent pk.
    """
    since = now - timedelta(days=settings.fair_draw_window_days)
    load = accepted_between(session, pool.values(), since, now, exclude_request=request.id)
    counts = {tid: load.get(pk, 0) for tid, pk in pool.items()}
    return FairnessReport(settings.fair_draw_strength, settings.fair_draw_window_days, since.date().isoformat(),
                          counts, count)


def draw_experts(
    kb: Any, session: Session, actor: Actor, request: ConsultationRequest, *, pool_size: int, count: int,
    seed: str | None = None, fair: bool = False, recommendation: Recommendation | None = None,
    settings: ConsultationSettings | None = None, now: datetime | None = None, **recommend_args: Any,
) -> ConsultationDraw:
    """Draw ``count`` of the top ``pool_size`` qualified, not yet invited search candidates.

    ``fair`` favours those with fewer past consultations; off, the picks are exactly
    those of the plain seeded draw.
    """
    require(actor, "consultation.manage", request)
    if request.state not in INVITING:
        raise Conflict(f"consultation #{request.id} is {request.state!r}: no draw is possible now",
                       code="draw.state")
    if not (1 <= count <= pool_size <= 200):
        raise ValidationError("draw: need 1 <= count <= pool size <= 200",
                              {"count": "1 to pool size", "pool_size": "count to 200"}, code="draw.sizes")
    settings = settings or (kb.settings.consultations if kb is not None else ConsultationSettings())
    now = now or utcnow()
    rec = recommendation or recommend(kb, session, actor, request, settings=settings, now=now, **recommend_args)
    eligible = [c for c in rec.candidates if c.source == "search" and c.invitation_state is None][:pool_size]
    pool = sorted(c.talent_id for c in eligible)
    if not pool:
        raise Conflict("no qualified candidate to draw from", code="draw.no_candidates")
    report = pool_load(session, request, {c.talent_id: c.pk for c in eligible}, settings, count, now)
    seed = (seed or "").strip() or secrets.token_hex(8)
    picked = fair_pick(seed, pool, report.counts, report.strength, count) if fair else pick(seed, pool, count)
    fairness = report.as_dict()
    previous = request.draws[-1] if request.draws else None
    row = ConsultationDraw(seed=seed, pool=pool, count=count, picked=picked, fair=fair, fairness=fairness,
                           actor_label=actor.label)
    request.draws.append(row)
    request.draw_seed = seed
    detail: dict[str, Any] = {"seed": seed, "pool": pool, "count": count, "picked": picked, "fair": fair,
                              "fairness": fairness,
                              "picked_past": {t: report.counts[t] for t in picked}}
    if previous is not None:
        detail["previous"] = {"seed": previous.seed, "picked": list(previous.picked), "fair": previous.fair}
        detail["added"] = [t for t in picked if t not in previous.picked]
        detail["dropped"] = [t for t in previous.picked if t not in picked]
    audit(session, actor, "consultation.draw", "consultation", request.id, detail)
    session.flush()
    return row
