"""Build, store and show the capability map.

``build_map`` does the expensive part (clustering every passage vector,
searching every recent need) and stores the result (``store``);
``map_view`` reads it for one viewer on each dashboard view and adds the
workload figures, which are cheap and always current. Builds are asked for
with ``request_build`` (queued, so a slow build never holds a web request)
and run by ``kb worker`` (``build_handler``) or ``kb capability-map build``.

What a viewer sees follows the dashboard's rule: topics are aggregates for
every dashboard role; gaps, workload and the never-asked list are
consultation figures (``consultation.stats``). Within the gaps, a need's
title is shown only to viewers who may see that request
(``kb.visibility.request_visible``); the others count it without its title.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.capability import store
from kb.capability.gaps import NeedMatch, gaps_by_field, match_needs
from kb.capability.topics import build_topics
from kb.capability.workload import concentration, never_asked
from kb.db import unit_of_work
from kb.models import utcnow
from kb.models.consultation import ConsultationRequest
from kb.permissions import allowed, require
from kb.queue import DrainReport, drain, enqueue, pending_count
from kb.visibility import request_visible

log = logging.getLogger(__name__)
#: Queue topic of a requested build.
TOPIC = "capability.build"
FORMAT = 1


def build_map(kb: Any, session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Compute the map from the search index and the database, store it and return it."""
    now = now or utcnow()
    started = time.perf_counter()
    topics = build_topics(kb.search.backend)
    topics_s = time.perf_counter() - started
    needs = match_needs(session, kb.search, now, kb.settings.consultations.overfetch)
    payload = {
        "format": FORMAT,
        "built_at": now.isoformat(),
        "seconds": round(time.perf_counter() - started, 2),
        "topics_seconds": round(topics_s, 2),
        "talents": sum(t.experts for t in topics),
        "topics": [t.as_dict() for t in topics],
        "needs": [n.as_dict() for n in needs],
    }
    store.save(kb.settings.data_dir, payload)
    return payload


def request_build(session: Session, actor: Actor) -> bool:
    """Queue a rebuild (audited); False when one is already waiting."""
    require(actor, "capability.build")
    if pending_count(session, TOPIC):
        return False
    enqueue(session, TOPIC, {"by": actor.label})
    audit(session, actor, "capability.build", "capability_map", "", {})
    return True


def build_pending(session: Session) -> bool:
    return pending_count(session, TOPIC) > 0


def build_handler(kb: Any) -> Callable[[], DrainReport]:
    """A worker handler: one build for however many requests are queued."""

    def handle(_items: list[Any]) -> None:
        with unit_of_work(kb.sessions) as session:
            payload = build_map(kb, session)
        log.info("capability map built in %.1f s: %d topics", payload["seconds"], len(payload["topics"]))

    return lambda: drain(kb.sessions, TOPIC, handle, batch=1000)


def _gap_rows(session: Session, actor: Actor, needs: list[NeedMatch]) -> tuple[list[dict[str, Any]], int]:
    """Gaps by field with the titles this viewer may see; and the number of gap needs in all."""
    gap_ids = sorted({n.request_id for n in needs if n.is_gap})
    requests = {r.id: r for r in session.scalars(
        select(ConsultationRequest).where(ConsultationRequest.id.in_(gap_ids)))} if gap_ids else {}
    rows = []
    for row in gaps_by_field(needs):
        shown = [requests[i] for i in row["gap_ids"] if i in requests and request_visible(actor, requests[i])]
        rows.append({
            "field": row["field"], "needs": row["needs"], "gaps": row["gaps"],
            "items": [{"id": r.id, "title": r.title, "unit": r.unit} for r in shown],
            "hidden": row["gaps"] - len(shown),
        })
    return rows, len(gap_ids)


def map_view(data_dir: Path, session: Session, actor: Actor, now: datetime | None = None) -> dict[str, Any]:
    """What the dashboard shows of the map to ``actor`` (PermissionDenied without ``dashboard.view``).

    ``built`` is False (and the rest empty) until a map was built.
    """
    require(actor, "dashboard.view")
    now = now or utcnow()
    stored = store.load(data_dir)
    view: dict[str, Any] = {
        "built": stored is not None and stored.get("format") == FORMAT,
        "can_build": allowed(actor, "capability.build"),
        "build_pending": build_pending(session),
        "consultations": allowed(actor, "consultation.stats"),
    }
    if not view["built"] or stored is None:
        return view
    view.update({
        "built_at": datetime.fromisoformat(stored["built_at"]), "seconds": stored["seconds"], "talents": stored["talents"],
        "topics": [{k: v for k, v in t.items() if k != "talent_ids"} for t in stored["topics"]],
    })
    if view["consultations"]:
        needs = [NeedMatch.from_dict(n) for n in stored["needs"]]
        gaps, gap_total = _gap_rows(session, actor, needs)
        view.update({
            "needs": len(needs), "gap_total": gap_total, "gaps": gaps,
            "workload": concentration(session, now).as_dict(),
            "never_asked": never_asked(session, needs),
        })
    return view
