"""Freshness: how current a talent's profile is, measured rather than guessed.

The state comes from the age of the last *substantive* change: one to the
research directions or to the outputs (papers, patents, reports — the stage
results). Contact data, availability or a new job title do not make a registry
of expertise current. ``Talent.last_changed_at`` is kept by the write path
(``kb.talents.revisions.record``), so a state is a comparison of one indexed
column with two cut-off times, the same in Python and in SQL.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kb.models import FreshnessSnapshot, Revision, Talent, utcnow
from kb.settings import FreshnessSettings

#: Revision fields (and prefixes: ``outputs[12].title``) whose change counts as substantive.
SUBSTANTIVE_PREFIXES = ("research_directions", "outputs")


class Freshness(StrEnum):
    CURRENT = "current"
    AGEING = "ageing"
    STALE = "stale"


STATES = tuple(Freshness)


def is_substantive(changes: Iterable[dict[str, Any]]) -> bool:
    return any(str(c.get("field", "")).startswith(SUBSTANTIVE_PREFIXES) for c in changes)


def last_change(talent: Talent) -> datetime:
    """When the profile last changed substantively; a talent never edited counts from its creation."""
    return talent.last_changed_at or talent.created_at or utcnow()


def state_for_age(days: int, settings: FreshnessSettings) -> Freshness:
    if days >= settings.stale_days:
        return Freshness.STALE
    if days >= settings.ageing_days:
        return Freshness.AGEING
    return Freshness.CURRENT


def age_days(talent: Talent, now: datetime) -> int:
    return max(0, (now - last_change(talent)).days)


def state_of(talent: Talent, now: datetime, settings: FreshnessSettings) -> Freshness:
    return state_for_age(age_days(talent, now), settings)


def _changed_column() -> ColumnElement[datetime]:
    return func.coalesce(Talent.last_changed_at, Talent.created_at)


def state_column(now: datetime, settings: FreshnessSettings) -> ColumnElement[str]:
    """The state as an SQL expression, agreeing with ``state_for_age`` to the day.

    An age of ``d`` whole days means ``last <= now - d days``; comparing the
    timestamp with the cut-off keeps the index usable and the rule identical.
    """
    changed = _changed_column()
    return case(
        (changed <= now - timedelta(days=settings.stale_days), Freshness.STALE.value),
        (changed <= now - timedelta(days=settings.ageing_days), Freshness.AGEING.value),
        else_=Freshness.CURRENT.value,
    )


def counts(
    session: Session, now: datetime, settings: FreshnessSettings, talent_ids: Iterable[int] | None = None,
) -> dict[Freshness, int]:
    """How many talents (of ``talent_ids``, or all) are in each state now."""
    state = state_column(now, settings)
    stmt = select(state, func.count()).select_from(Talent).group_by(state)
    if talent_ids is not None:
        stmt = stmt.where(Talent.id.in_(list(talent_ids)))
    found = {Freshness(s): int(n) for s, n in session.execute(stmt)}
    return {s: found.get(s, 0) for s in STATES}


# --- freshness over time ---------------------------------------------------------------------------

def write_snapshot(session: Session, now: datetime, settings: FreshnessSettings) -> bool:
    """Record today's counts once; returns whether this call wrote them.

    The worker calls this every tick. ``INSERT .. ON CONFLICT DO NOTHING`` on the
    (day, state) key makes a second call, or a second worker, a no-op without
    aborting the caller's transaction (a failed plain INSERT would, on PostgreSQL).
    The day is the UTC date: a snapshot describes the end of the previous run.
    """
    day = now.date()
    if session.scalar(select(func.count()).select_from(FreshnessSnapshot).where(FreshnessSnapshot.day == day)):
        return False
    rows = [{"day": day, "state": s.value, "count": n} for s, n in counts(session, now, settings).items()]
    return _insert_snapshots(session, rows) > 0


def _insert_snapshots(session: Session, rows: list[dict[str, Any]]) -> int:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    written = 0
    for i in range(0, len(rows), 500):  # bounded statements: SQLite limits bound parameters
        # The returned ids count the rows written (rowcount is -1 for this statement under psycopg).
        result = session.execute(insert(FreshnessSnapshot).values(rows[i:i + 500]).on_conflict_do_nothing(
            index_elements=["day", "state"]).returning(FreshnessSnapshot.id))
        written += len(result.all())
    return written


def backfill_snapshots(session: Session, start: date, end: date, settings: FreshnessSettings) -> int:
    """Fill the days from ``start`` to ``end`` that have no snapshot, reconstructed from revisions.

    For days before the worker ran (a new deployment, the demo), the state each
    talent had at the start of a day follows from its creation time and the
    times of its applied substantive revisions. Days already recorded are kept:
    a snapshot is what was measured then, under the thresholds of then.
    Returns the number of rows written.
    """
    changes: dict[int, list[datetime]] = {}
    created: dict[int, datetime] = {}
    for pk, created_at in session.execute(select(Talent.id, Talent.created_at)):
        created[pk] = created_at
        changes[pk] = []
    for pk, at, revision_changes in session.execute(
        select(Revision.talent_id, Revision.at, Revision.changes)
        .where(Revision.talent_id.is_not(None), Revision.status.in_(("applied", "approved")))
    ):
        if pk in changes and is_substantive(revision_changes or []):
            changes[pk].append(at)
    for times in changes.values():
        times.sort()
    rows: list[dict[str, Any]] = []
    day = start
    while day <= end:
        moment = datetime(day.year, day.month, day.day)
        tally = dict.fromkeys(STATES, 0)
        for pk, born in created.items():
            if born > moment:
                continue
            times = changes[pk]
            i = bisect_right(times, moment)
            last = times[i - 1] if i else born
            tally[state_for_age(max(0, (moment - last).days), settings)] += 1
        rows += [{"day": day, "state": s.value, "count": n} for s, n in tally.items()]
        day += timedelta(days=1)
    return _insert_snapshots(session, rows)


def history(session: Session, since: date) -> list[dict[str, Any]]:
    """Daily counts per state from ``since`` on, oldest first: ``[{"day", "current", "ageing", "stale"}]``."""
    by_day: dict[date, dict[str, Any]] = {}
    for day, state, count in session.execute(
        select(FreshnessSnapshot.day, FreshnessSnapshot.state, FreshnessSnapshot.count)
        .where(FreshnessSnapshot.day >= since).order_by(FreshnessSnapshot.day)
    ):
        by_day.setdefault(day, {"day": day.isoformat(), **{s.value: 0 for s in STATES}})[state] = count
    return [by_day[d] for d in sorted(by_day)]
