"""Harvesting as the product does it: read a file into pending items (the preview),
then save the claimed ones through the normal write path and mark the rest rejected.

The preview is kept in ``harvested_items`` rather than handed back to the
client: confirm names item ids only (nothing the client sends becomes an output
except by reference to what the server parsed), a reload shows the same
preview, and unclaimed items stay listed for the talent's digest.

A commissioner or administrator importing into someone else's profile acts on
the talent's behalf: the revision (action ``harvest``) is marked delegated by
kb.talents.revisions, the one rule for delegated edits, and the audit entries
and the harvested items say so too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict, NotFound, ValidationError
from kb.filenames import display_name
from kb.models import HarvestedItem, Talent, utcnow
from kb.permissions import require
from kb.talents import changes as kt
from kb.talents import revisions
from kb.talents.harvest.detect import parse_file
from kb.talents.harvest.duplicates import Known, find_duplicate
from kb.talents.harvest.items import ItemError
from kb.talents.harvest.mapping import to_output
from kb.talents.limits import DEFAULT_LIMITS, ImportFileError, ImportLimits

PENDING, CLAIMED, REJECTED, FAILED = "pending", "claimed", "rejected", "failed"
HARVEST = "harvest"  # the revision action of claimed outputs


def is_delegated(actor: Actor, talent: Talent) -> bool:
    """Someone other than the talent itself (a commissioner, an admin) is acting; a command is not."""
    return revisions.is_delegated(actor, talent, HARVEST)


@dataclass
class Preview:
    talent: str
    batch: str
    format: str
    items: list[HarvestedItem]

    @property
    def parsed(self) -> int:
        return sum(1 for i in self.items if i.state != FAILED)

    @property
    def duplicates(self) -> int:
        return sum(1 for i in self.items if i.duplicate and i.state != FAILED)

    @property
    def failed(self) -> list[HarvestedItem]:
        return [i for i in self.items if i.state == FAILED]


@dataclass
class Claimed:
    talent: str
    batch: str
    created: list[HarvestedItem] = field(default_factory=list)
    rejected: list[HarvestedItem] = field(default_factory=list)
    skipped: list[HarvestedItem] = field(default_factory=list)
    """Selected items that became duplicates of an output added after the preview."""


def _existing(talent: Talent) -> list[Known]:
    return [Known.of("existing", o.id, {"title": o.title, "doi": o.doi, "number": o.number})
            for o in talent.outputs]


def preview(session: Session, actor: Actor, talent: Talent, raw: bytes, filename: str = "",
            fmt: str = "auto", limits: ImportLimits = DEFAULT_LIMITS) -> Preview:
    """Parse ``raw`` into pending items of a new batch (nothing on the profile changes).

    A file that cannot be read at all raises ValidationError; a record that cannot
    be read or mapped is a failed item with its reason, the others carry on.
    """
    require(actor, "talent.harvest", talent)
    try:
        fmt, parsed = parse_file(raw, fmt, limits)
    except ImportFileError as exc:
        raise ValidationError(str(exc), {"file": str(exc)}, code="harvest.file") from None
    filename = display_name(filename, default="")  # shown on the page and in the audit log
    batch = secrets.token_hex(8)
    existing = _existing(talent)
    earlier: list[Known] = []
    delegated = is_delegated(actor, talent)
    items: list[HarvestedItem] = []
    for position, record in enumerate(parsed, start=1):
        item = HarvestedItem(
            talent_id=talent.id, batch=batch, position=position, source_format=fmt, filename=filename,
            values={}, notes=[], error="", state=PENDING, uploaded_by_user_id=actor.user_id,
            uploaded_by_label=actor.label, delegated=delegated, decided_by_label="",
        )
        if isinstance(record, ItemError):
            item.error, item.state = record.message, FAILED
        else:
            mapped = to_output(record)
            item.values, item.notes = mapped.values, mapped.notes
            if mapped.error:
                item.error, item.state = mapped.error, FAILED
            else:
                item.duplicate = find_duplicate(mapped.values, existing + earlier)
                earlier.append(Known.of("file", position, mapped.values))
        items.append(item)
    session.add_all(items)
    audit(session, actor, "talent.outputs.harvest", "talent", talent.external_id, {
        "batch": batch, "format": fmt, "filename": filename, "items": len(items),
        "failed": sum(1 for i in items if i.state == FAILED), "delegated": delegated,
    })
    session.flush()
    return Preview(talent.external_id, batch, fmt, items)


def batch_items(session: Session, actor: Actor, talent: Talent, batch: str) -> list[HarvestedItem]:
    require(actor, "talent.harvest", talent)
    items = list(session.scalars(
        select(HarvestedItem).where(HarvestedItem.talent_id == talent.id, HarvestedItem.batch == batch)
        .order_by(HarvestedItem.position)
    ))
    if not items:
        raise NotFound(f"no harvested file {batch!r} for talent {talent.external_id}", code="harvest.batch.not_found")
    return items


def pending_items(session: Session, talent: Talent) -> list[HarvestedItem]:
    """Unclaimed harvested items of a talent (for its digest and its outputs page)."""
    return list(session.scalars(
        select(HarvestedItem).where(HarvestedItem.talent_id == talent.id, HarvestedItem.state == PENDING)
        .order_by(HarvestedItem.created_at, HarvestedItem.position)
    ))


def confirm(session: Session, actor: Actor, talent: Talent, batch: str, claim: Iterable[int]) -> Claimed:
    """Claim the pending items of ``batch`` whose ids are in ``claim``; reject its other pending items.

    Claimed outputs are added by kb.talents.changes.add_outputs: one revision, one
    index sync. A selected item is skipped (and stays pending) when it duplicates an
    output added to the profile after the preview, which the user has not seen.
    """
    require(actor, "talent.harvest", talent)
    items = batch_items(session, actor, talent, batch)
    wanted = set(claim)
    unknown = wanted - {i.id for i in items}
    if unknown:
        raise ValidationError(f"not items of this file: {sorted(unknown)}", {"claim": "unknown item"},
                              code="harvest.unknown_items")
    decided = [i for i in items if i.id in wanted and i.state != PENDING]
    if decided:
        raise Conflict(f"items already decided: {sorted(i.id for i in decided)}", code="harvest.already_decided")
    pending = [i for i in items if i.state == PENDING]
    if not pending:
        raise Conflict("every item of this file was already claimed or rejected", code="harvest.all_decided")
    result = Claimed(talent.external_id, batch)
    existing = _existing(talent)
    to_create: list[HarvestedItem] = []
    for item in pending:
        if item.id not in wanted:
            result.rejected.append(item)
            continue
        shown = item.duplicate if item.duplicate and item.duplicate.get("kind") == "existing" else None
        now_duplicate = find_duplicate(item.values, existing)
        if now_duplicate is not None and shown is None:
            item.duplicate = now_duplicate
            result.skipped.append(item)
            continue
        to_create.append(item)
    now = utcnow()
    if to_create:
        outputs = kt.add_outputs(session, actor, talent, [dict(i.values) for i in to_create], None, action=HARVEST)
        for item, output in zip(to_create, outputs, strict=True):
            item.state, item.output_id = CLAIMED, output.id
        result.created = to_create
    for item in result.rejected:
        item.state = REJECTED
    for item in to_create + result.rejected:
        item.decided_at, item.decided_by_label = now, actor.label
    audit(session, actor, "talent.outputs.claim", "talent", talent.external_id, {
        "batch": batch, "claimed": [i.position for i in result.created],
        "rejected": [i.position for i in result.rejected], "skipped": [i.position for i in result.skipped],
        "delegated": is_delegated(actor, talent),
    })
    session.flush()
    return result


def item_dict(item: HarvestedItem) -> dict[str, Any]:
    """The JSON form of one previewed item (API and CLI)."""
    return {
        "id": item.id, "item": item.position, "state": item.state, "values": dict(item.values),
        "duplicate": item.duplicate, "notes": list(item.notes), "error": item.error or None,
    }
