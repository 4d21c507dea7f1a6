"""Figures for the programme dashboard, as one plain dict.

The dashboard answers the questions the talent bureau reports on: how far
each category is from its target, which fields and sectors are covered, how
the registry grew, how fresh profiles are and how much work is waiting, and
how the consultation and event programmes are doing.

Consultation and event figures come from their own modules
(``kb.consultations.stats``, ``kb.events.stats``) so the dashboard, the stats
pages and the API can never disagree. Each keeps its own permission: event
figures are aggregates without names, for every dashboard role; consultation
figures name the most consulted talents and the requesting units, so an
account without ``consultation.stats`` (an event organizer) gets ``None``
there instead of a 403 for the whole dashboard.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.consultations.stats import consultation_stats
from kb.events.stats import event_stats
from kb.models import Revision, Talent, utcnow
from kb.permissions import allowed, require
from kb.queue import pending_count
from kb.settings import FreshnessSettings
from kb.talents import freshness, freshness_report
from kb.talents.changes import SEARCH_TOPIC
from kb.taxonomy import load_taxonomy

# Days since a profile was last updated → bucket; profiles are meant to be
# reviewed yearly, so the last bucket is "older than a year".
FRESHNESS_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30", 30), ("31-90", 90), ("91-180", 180), ("181-365", 365), ("365+", None),
)


#: Days of freshness history the dashboard shows.
HISTORY_DAYS = 365


def _month(value: datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def _freshness_bucket(days: int) -> str:
    for label, limit in FRESHNESS_BUCKETS:
        if limit is None or days <= limit:
            return label
    return FRESHNESS_BUCKETS[-1][0]


def figures(
    session: Session, actor: Actor, now: datetime | None = None, freshness_settings: FreshnessSettings | None = None,
) -> dict[str, Any]:
    """Every dashboard figure; raises PermissionDenied without ``dashboard.view``.

    ``consultations`` is ``consultation_stats`` or ``None`` for an actor not
    allowed ``consultation.stats``; ``events`` is ``event_stats`` over all time.
    ``freshness_states`` counts talents per freshness state now (thresholds of
    ``freshness_settings``), ``freshness_by_commissioner`` the same per
    commissioner, ``freshness_history`` the daily snapshots of the last year.

    One pass over a few talent columns: field codes live in a JSON list, so
    counting them in Python keeps the query the same on SQLite and PostgreSQL.
    """
    require(actor, "dashboard.view")
    now = now or utcnow()
    tax = load_taxonomy()
    by_category: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    by_sector: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    available = 0
    total = 0
    rows = session.execute(select(
        Talent.category, Talent.fields, Talent.created_at, Talent.updated_at, Talent.available_for_consultation,
    ))
    for category, fields, created_at, updated_at, is_available in rows:
        total += 1
        by_category[category] += 1
        available += bool(is_available)
        sectors = set()
        for code in fields or []:
            by_field[code] += 1
            f = tax.fields.get(code)
            if f is not None:
                sectors.add(f.sector)
        for s in sectors:
            by_sector[s] += 1  # a talent counts once per sector, however many of its fields are there
        if created_at is not None:
            by_month[_month(created_at)] += 1
        if updated_at is not None:
            ages[_freshness_bucket(max(0, (now - updated_at).days))] += 1

    growth = []
    cumulative = 0
    for month in sorted(by_month):
        cumulative += by_month[month]
        growth.append({"month": month, "new": by_month[month], "total": cumulative})

    by_commissioner = freshness_report.by_commissioner(session, now, freshness_settings or FreshnessSettings())
    pending = session.scalar(select(func.count()).select_from(Revision).where(Revision.status == "pending"))
    return {
        "total": total,
        "available": available,
        "categories": [
            {"code": code, "count": by_category.get(code, 0), "target": cat.target}
            for code, cat in tax.categories.items()
        ],
        "fields": [{"code": code, "sector": f.sector, "count": by_field.get(code, 0)} for code, f in tax.fields.items()],
        "sectors": [{"code": code, "count": by_sector.get(code, 0)} for code in tax.sectors],
        "growth": growth,
        "freshness": [{"bucket": label, "count": ages.get(label, 0)} for label, _ in FRESHNESS_BUCKETS],
        # Every talent is in one row of by_commissioner (unassigned ones in the last): their sum is the whole.
        "freshness_states": {s.value: sum(row[s.value] for row in by_commissioner) for s in freshness.STATES},
        "freshness_by_commissioner": by_commissioner,
        "freshness_history": freshness.history(session, (now - timedelta(days=HISTORY_DAYS)).date()),
        "pending_proposals": int(pending or 0),
        "search_backlog": pending_count(session, SEARCH_TOPIC),
        "consultations": consultation_stats(session, actor) if allowed(actor, "consultation.stats") else None,
        "events": event_stats(session, actor),
    }
