"""Freshness figures per commissioner: the measurable part of their periodic assessment,
and the lists a commissioner works from (its talents with state, tasks and recent changes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import CommissionerAssignment, Revision, Talent, User
from kb.settings import FreshnessSettings
from kb.talents.freshness import STATES, Freshness, age_days, state_column, state_of
from kb.talents.tasks import Task, tasks_for_many


def by_commissioner(session: Session, now: datetime, settings: FreshnessSettings) -> list[dict[str, Any]]:
    """One row per commissioner with talents (and one for unassigned talents):
    ``{"commissioner", "talents", "current", "ageing", "stale", "current_share"}``, the least current first."""
    state = state_column(now, settings)
    rows = session.execute(
        select(User.username, state, func.count())
        .select_from(Talent)
        .outerjoin(CommissionerAssignment, (CommissionerAssignment.talent_id == Talent.id)
                   & CommissionerAssignment.ended_at.is_(None))
        .outerjoin(User, User.id == CommissionerAssignment.commissioner_user_id)
        .group_by(User.username, state)
    )
    table: dict[str | None, dict[str, Any]] = {}
    for username, s, n in rows:
        row = table.setdefault(username, {"commissioner": username, "talents": 0, **{x.value: 0 for x in STATES}})
        row[s] += int(n)
        row["talents"] += int(n)
    for row in table.values():
        row["current_share"] = round(row[Freshness.CURRENT] / row["talents"], 3) if row["talents"] else 0.0
    return sorted(table.values(), key=lambda r: (r["commissioner"] is None, r["current_share"], r["commissioner"] or ""))


@dataclass
class TalentLine:
    """One talent on a commissioner's page."""

    talent: Talent
    state: Freshness
    days: int
    tasks: list[Task] = field(default_factory=list)
    recent: list[Revision] = field(default_factory=list)


def talent_lines(
    session: Session, talents: list[Talent], now: datetime, settings: FreshnessSettings, recent: int = 3,
) -> list[TalentLine]:
    """The talents with their state, open tasks and last few applied changes, the stalest first."""
    tasks = tasks_for_many(session, talents, now, settings)
    changes: dict[int, list[Revision]] = {t.id: [] for t in talents}
    if talents:
        rank = func.row_number().over(partition_by=Revision.talent_id,
                                      order_by=(Revision.at.desc(), Revision.id.desc())).label("rank")
        ranked = (select(Revision.id, rank)
                  .where(Revision.talent_id.in_(list(changes)), Revision.status == "applied").subquery())
        for rev in session.scalars(
            select(Revision).join(ranked, ranked.c.id == Revision.id).where(ranked.c.rank <= recent)
            .order_by(Revision.at.desc(), Revision.id.desc())
        ):
            if rev.talent_id is not None:
                changes[rev.talent_id].append(rev)
    lines = [TalentLine(t, state_of(t, now, settings), age_days(t, now), tasks[t.id], changes[t.id]) for t in talents]
    return sorted(lines, key=lambda line: (-line.days, line.talent.external_id))
