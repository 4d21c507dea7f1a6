"""Files attached to an event (slides, handouts, photos).

Uploads are checked by size and by content (``filetypes.sniff``), then stored
under ``KB_DATA_DIR/attachments`` with a random name, so the name a user gave
is only ever shown, never used as a path. Everyone who may see the event may
download its materials; organizers and admins add and remove them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import NotFound, ValidationError
from kb.events.filetypes import ALLOWED_EXTENSIONS, sniff
from kb.filenames import display_name
from kb.models import Event
from kb.models.event import EventMaterial
from kb.permissions import require

ATTACHMENTS = "attachments"


def attachments_dir(data_dir: Path) -> Path:
    return Path(data_dir) / ATTACHMENTS


def add_material(session: Session, actor: Actor, event: Event, filename: str, data: bytes,
                 data_dir: Path, *, max_bytes: int) -> EventMaterial:
    """Store an uploaded file of the event; ``max_bytes``: events.material_max_bytes (web.max_upload_mb)."""
    require(actor, "event.manage", event)
    name = display_name(filename)
    if not data:
        raise ValidationError("the file is empty", {"file": "empty file"}, code="upload.empty")
    if len(data) > max_bytes:
        raise ValidationError(f"the file is larger than {max_bytes // (1024 * 1024)} MB",
                              {"file": "file too large"},
                              code="upload.too_large", params={"mb": max_bytes // (1024 * 1024)})
    ftype = sniff(data, name)
    if ftype is None:
        raise ValidationError(
            f"{name}: not an allowed file type ({', '.join(ALLOWED_EXTENSIONS)}), judged by its content",
            {"file": "type not allowed"}, code="upload.type", params={"kinds": ", ".join(ALLOWED_EXTENSIONS)})
    stored = f"{secrets.token_hex(16)}.{ftype.ext}"
    folder = attachments_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{stored}.part"
    tmp.write_bytes(data)
    os.replace(tmp, folder / stored)
    if not name.lower().endswith(f".{ftype.ext}") and not (ftype.ext == "jpg" and name.lower().endswith(".jpeg")):
        name = f"{name}.{ftype.ext}"
    material = EventMaterial(event_id=event.id, filename=name, stored_name=stored, content_type=ftype.content_type,
                             size=len(data), uploaded_by_id=actor.user_id)
    session.add(material)
    session.flush()
    audit(session, actor, "event.material_add", "event", event.id, {"material": material.id, "filename": name})
    return material


def list_materials(session: Session, actor: Actor, event: Event) -> list[EventMaterial]:
    require(actor, "event.view", event)
    return list(session.scalars(
        select(EventMaterial).where(EventMaterial.event_id == event.id).order_by(EventMaterial.id)))


def open_material(session: Session, actor: Actor, event: Event, material_id: int,
                  data_dir: Path) -> tuple[EventMaterial, Path]:
    """The material and the path of its file, for download."""
    require(actor, "event.view", event)
    material = session.get(EventMaterial, material_id)
    if material is None or material.event_id != event.id:
        raise NotFound(f"no material #{material_id} for this event", code="material.not_found")
    path = attachments_dir(data_dir) / material.stored_name
    if not path.is_file():
        raise NotFound("the file of this material is missing", code="file.missing")
    return material, path


def remove_material(session: Session, actor: Actor, event: Event, material_id: int, data_dir: Path) -> None:
    require(actor, "event.manage", event)
    material = session.get(EventMaterial, material_id)
    if material is None or material.event_id != event.id:
        raise NotFound(f"no material #{material_id} for this event", code="material.not_found")
    session.delete(material)
    session.flush()
    # The file goes after the row; if the transaction later rolls back, the
    # file is gone but the row is back: the download then says "missing"
    # rather than serving a file nobody can delete.
    (attachments_dir(data_dir) / material.stored_name).unlink(missing_ok=True)
    audit(session, actor, "event.material_remove", "event", event.id, {"material": material_id})
