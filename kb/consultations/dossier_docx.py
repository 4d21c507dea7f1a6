"""The request's dossier as a Word document people edit into their own report.

Same content as the PDF (``kb.consultations.dossier_model``); laid out with
Word's own heading and table styles so that a researcher can restructure it,
and with the Chinese font set in the styles (``kb.docx_support``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.dossier_model import SECRET_NOTICE, Dossier, Line, build_dossier
from kb.docx_support import new_document, to_bytes
from kb.localtime import DEFAULT_TIMEZONE
from kb.models.consultation import ConsultationRequest

if TYPE_CHECKING:
    from docx.document import Document

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def dossier_docx(session: Session, actor: Actor, request: ConsultationRequest, *, tz: str = DEFAULT_TIMEZONE,
                 evidence: Mapping[str, Any] | None = None) -> bytes:
    """The dossier as ``actor`` may read it, as a .docx; audited like the PDF."""
    dossier = build_dossier(session, actor, request, tz=tz, evidence=evidence)
    data = render_docx(dossier)
    audit(session, actor, "consultation.dossier", "consultation", request.id, {"format": "docx"})
    return data


def _lines(document: Document, lines: list[Line]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for item in lines:
        cells = table.add_row().cells
        cells[0].text = item.label
        cells[1].text = item.value or "—"


def render_docx(dossier: Dossier) -> bytes:
    from docx.shared import RGBColor

    document = new_document(dossier.heading)
    if dossier.secret:
        run = document.add_paragraph().add_run(SECRET_NOTICE)
        run.font.color.rgb = RGBColor(0xB4, 0, 0)
        run.bold = True
    document.add_heading(dossier.heading, level=0)
    _lines(document, dossier.cover)

    document.add_heading("一、咨询需求", level=1)
    document.add_heading("背景", level=2)
    document.add_paragraph(dossier.background or "—")
    document.add_heading("咨询问题", level=2)
    document.add_paragraph(dossier.questions or "—")

    document.add_heading("二、专家、选择依据与答复", level=1)
    for expert in dossier.experts:
        document.add_heading(expert.heading, level=2)
        _lines(document, expert.facts)
        document.add_paragraph("选择依据").runs[0].bold = True
        for reason in expert.why:
            document.add_paragraph(reason, style="List Bullet")
        if expert.advice is not None:
            document.add_paragraph("咨询意见").runs[0].bold = True
            for paragraph in expert.advice.splitlines() or [""]:
                document.add_paragraph(paragraph)
            _lines(document, expert.advice_facts)
        if expert.ledger:
            document.add_paragraph(f"采纳台账（{expert.adoption}）").runs[0].bold = True
            table = document.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("时间", "环节", "记录人", "依据"), strict=True):
                cell.text = text
            for row in expert.ledger:
                for cell, text in zip(table.add_row().cells, (row.when, row.step, row.actor, row.detail or "—"),
                                      strict=True):
                    cell.text = text

    document.add_heading("三、流程记录", level=1)
    for text in dossier.trail:
        document.add_paragraph(text)
    document.add_paragraph(dossier.footer)
    return to_bytes(document)
