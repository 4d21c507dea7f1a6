"""A recorded draw as people read it: who was picked, their past load, and what the fair option changes.

Read from the draw row alone (what ``kb.consultations.draw`` stored), so the page,
the API and the dossier show the same figures as the audit entry, also years later
when the experts' loads have moved on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Talent
from kb.models.consultation import ConsultationDraw


@dataclass(frozen=True)
class PickedLoad:
    talent_id: str
    name: str
    past: int  # accepted consultations in the window before the draw
    chance: float  # chance of being picked with the fair option
    chance_without: float  # chance in the plain draw


@dataclass(frozen=True)
class DrawEffect:
    fair: bool
    strength: int
    window_days: int
    picked: list[PickedLoad]
    low_load: int  # pool members consulted less than the pool's average
    pool: int
    share_with: float  # expected part of the picks going to them, with the option
    share_without: float  # ... and in the plain draw


def draw_effect(draw: ConsultationDraw, names: Mapping[str, str] | None = None) -> DrawEffect | None:
    """None for a draw recorded before past loads were stored; ``names`` maps external id to name."""
    data = draw.fairness
    if not data:
        return None
    counts, chances, without = data["counts"], data["chances"], data["chances_without"]
    names = names or {}
    picked = [PickedLoad(t, names.get(t, t), int(counts[t]), float(chances[t]), float(without[t]))
              for t in draw.picked]
    share = data["low_load_share"]
    return DrawEffect(bool(draw.fair), int(data["strength"]), int(data["window_days"]), picked,
                      len(data["low_load"]), len(draw.pool), float(share["with"]), float(share["without"]))


def latest_effect(session: Session, draws: list[ConsultationDraw]) -> DrawEffect | None:
    """The effect of the latest of a request's draws, with the picked experts' names."""
    if not draws:
        return None
    draw = draws[-1]
    names: dict[str, str] = {}
    if draw.picked:
        names = {tid: name for tid, name in session.execute(
            select(Talent.external_id, Talent.name).where(Talent.external_id.in_(list(draw.picked))))}
    return draw_effect(draw, names)


def draw_dict(draw: ConsultationDraw) -> dict[str, Any]:
    """The draw in the API: seed, pool, picks, the option and its record."""
    return {"seed": draw.seed, "pool": list(draw.pool), "count": draw.count, "picked": list(draw.picked),
            "fair": bool(draw.fair), "fairness": draw.fairness,
            "at": draw.at.isoformat() + "Z" if draw.at else None}
