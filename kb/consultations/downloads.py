"""Handing out advice attachments to those allowed to read the advice.

The file is read back only through its stored random name; who may download
it is ``kb.visibility.attachment_visible`` (the request's managers and the
talent who uploaded it), and each download is audited, since advice can be
confidential.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.attachments import attachments_dir
from kb.errors import NotFound, PermissionDenied
from kb.models.consultation import ConsultationAttachment
from kb.visibility import attachment_visible


def attachment_for(session: Session, actor: Actor, attachment_id: int, data_dir: Path) -> tuple[ConsultationAttachment, Path]:
    att = session.get(ConsultationAttachment, attachment_id)
    if att is None:
        raise NotFound(f"no attachment #{attachment_id}", code="attachment.not_found")
    request = att.advice.invitation.request
    if not attachment_visible(actor, att):
        raise PermissionDenied(f"{actor.label} may not read the advice attachment #{attachment_id}",
                               code="permission.attachment")
    path = attachments_dir(data_dir) / att.stored_name
    if not path.is_file():
        raise NotFound(f"the file of attachment #{attachment_id} is missing from the data directory",
                       code="file.missing")
    audit(session, actor, "consultation.download", "consultation", request.id,
          {"attachment": att.id, "filename": att.filename})
    return att, path
