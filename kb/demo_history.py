"""A plausible past for the demo registry, so the freshness figures show something real on first run.

The demo talents are imported in one go, which would make every profile
created and updated "today". This gives each one, deterministically from its
id, a creation date over the last four years and a history of substantive
edits (revisions dated in the past, some made by a commissioner on the
talent's behalf, hence delegated), with a mix of current, ageing and stale
profiles; assigns most talents to three commissioners (the demo
``commissioner`` account gets the largest share, and some talents were
reassigned once); and rebuilds a year of daily freshness counts from those
revisions (``kb.talents.freshness.backfill_snapshots``).

It runs once: a database that already has commissioner assignments is left alone.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import CommissionerAssignment, Revision, Talent, User, utcnow
from kb.roles import Role
from kb.settings import FreshnessSettings
from kb.talents.freshness import backfill_snapshots

#: The extra commissioner accounts of the demo, beside ``commissioner``: (user name, display name).
DEMO_COMMISSIONERS = (("commissioner2", "服务专员（金融与法律）"), ("commissioner3", "服务专员（未来产业）"))
#: Share of demo talents per freshness state, in per cent: mostly kept up, some slipping, a few stale.
MIX = (("current", 62), ("ageing", 24), ("stale", 14))
HISTORY_DAYS = 365


def _draw(external_id: str, salt: str) -> float:
    """A number in [0, 1) that depends only on the talent and the purpose: the same on every run."""
    digest = hashlib.sha256(f"{external_id}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _state(external_id: str) -> str:
    x = _draw(external_id, "state") * 100
    for state, share in MIX:
        if x < share:
            return state
        x -= share
    return MIX[-1][0]


def _last_change_age(external_id: str, settings: FreshnessSettings) -> int:
    """Days since the last substantive edit, inside the band of the talent's drawn state."""
    state = "ageing" if external_id == "demo-001" else _state(external_id)  # the demo talent has tasks
    x = _draw(external_id, "age")
    if state == "current":
        return int(3 + x * (settings.ageing_days - 10))
    if state == "ageing":
        return int(settings.ageing_days + 5 + x * (settings.stale_days - settings.ageing_days - 10))
    return int(settings.stale_days + 10 + x * 500)


def apply_demo_history(session: Session, settings: FreshnessSettings | None = None,
                       now: datetime | None = None) -> bool:
    """Date the demo talents' history and assign commissioners; returns False when already done."""
    settings = settings or FreshnessSettings()
    now = now or utcnow()
    if session.scalar(select(func.count()).select_from(CommissionerAssignment)):
        return False
    talents = list(session.scalars(select(Talent).where(Talent.external_id.like("demo-%")).order_by(Talent.id)))
    if not talents:
        return False
    accounts = {u.username: u for u in session.scalars(select(User).where(User.role.in_((Role.COMMISSIONER,
                                                                                         Role.ADMIN))))}
    commissioners = [accounts[name] for name in ("commissioner", *(n for n, _ in DEMO_COMMISSIONERS))
                     if name in accounts]
    admin = accounts.get("admin")
    for talent in talents:
        ext = talent.external_id
        last_age = _last_change_age(ext, settings)
        created = now - timedelta(days=last_age + int(30 + _draw(ext, "created") * 1000),
                                  hours=int(_draw(ext, "hour") * 10))
        last = now - timedelta(days=last_age, hours=int(_draw(ext, "last-hour") * 8))
        talent.created_at = created
        for rev in session.scalars(select(Revision).where(Revision.talent_id == talent.id,
                                                          Revision.action == "create")):
            rev.at = created
        # Edits between creation and the last one: directions gained one by one, then the last edit.
        directions = list(talent.research_directions)
        edits = 1 + int(_draw(ext, "edits") * 3)
        span = (last - created) / edits
        for i in range(edits):
            at = last if i == edits - 1 else created + span * (i + 1)
            delegated = commissioners and _draw(ext, f"delegated-{i}") < 0.15
            actor = commissioners[0] if delegated else None
            kept = max(1, len(directions) - (edits - 1 - i))
            session.add(Revision(
                talent_id=talent.id, talent_external_id=ext, at=at, action="edit", status="applied",
                actor_user_id=actor.id if actor else None, actor_label=actor.username if actor else talent.name,
                delegated=bool(actor),
                changes=[{"field": "research_directions", "old": directions[:max(1, kept - 1)],
                          "new": directions[:kept]}],
            ))
        talent.last_changed_at = last
        talent.updated_at = last
        # Commissioners: the demo commissioner the largest share, about a tenth of talents unassigned.
        pick = _draw(ext, "commissioner")
        if commissioners and pick < 0.9:
            who = commissioners[0] if pick < 0.45 or len(commissioners) == 1 else \
                commissioners[1 + int((pick - 0.45) / 0.45 * (len(commissioners) - 1))]
            start = created + timedelta(days=7)
            if _draw(ext, "reassigned") < 0.15 and len(commissioners) > 1:
                before = commissioners[-1] if who is not commissioners[-1] else commissioners[0]
                moved = start + (now - start) / 2
                session.add(CommissionerAssignment(
                    talent_id=talent.id, commissioner_user_id=before.id, commissioner_label=before.username,
                    assigned_by_user_id=admin.id if admin else None, assigned_by_label=admin.username if admin else "",
                    started_at=start, ended_at=moved, ended_by_label=admin.username if admin else ""))
                start = moved
            session.add(CommissionerAssignment(
                talent_id=talent.id, commissioner_user_id=who.id, commissioner_label=who.username,
                assigned_by_user_id=admin.id if admin else None, assigned_by_label=admin.username if admin else "",
                started_at=start))
    session.flush()
    backfill_snapshots(session, (now - timedelta(days=HISTORY_DAYS)).date(), (now - timedelta(days=1)).date(),
                       settings)
    return True
