"""The request's dossier as a printable PDF: need, experts, advice, ratings, adoption ledger.

The content comes from ``kb.consultations.dossier_model`` (shared with the
editable DOCX, ``kb.consultations.dossier_docx``); this module lays it out.

PDF (fpdf2) rather than DOCX: the dossier is a record to file and print, and
must look the same everywhere and not be edited by accident. fpdf2 embeds only
the glyphs used, but needs a CJK font on the machine: Debian's
``fonts-noto-cjk`` (or ``fonts-wqy-microhei``), or any .ttf/.ttc named by
``KB_CJK_FONT``. Without one we fail with a message saying what to install,
rather than printing empty boxes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.dossier_model import SECRET_NOTICE, Dossier, build_dossier
from kb.errors import KbError
from kb.localtime import DEFAULT_TIMEZONE
from kb.models.consultation import ConsultationRequest

if TYPE_CHECKING:  # fpdf is imported when a dossier is made
    from fpdf import FPDF

FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSerifCJK-Regular.ttc",
              "wqy-microhei.ttc", "wqy-zenhei.ttc")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))


class FontMissing(KbError):
    """No CJK font is installed, so a Chinese dossier cannot be printed."""


@lru_cache(maxsize=1)
def find_cjk_font(named: Path | None = None) -> tuple[str, int]:
    """(path, face index in a collection) of a CJK font, preferring Simplified Chinese faces.

    ``named`` is the consultations.cjk_font setting; without it, the system font folders are searched.
    """
    candidates = [named] if named else []
    for folder in FONT_DIRS:
        root = Path(folder)
        if root.is_dir():
            for name in FONT_FILES:
                candidates += sorted(root.rglob(name))
    for path in candidates:
        if path.is_file():
            return str(path), _sc_face(path)
    raise FontMissing(
        "no CJK font found for the PDF dossier: install the Debian package fonts-noto-cjk "
        "(or fonts-wqy-microhei), or set consultations.cjk_font (KB_CJK_FONT) to a .ttf/.ttc file",
        code="dossier.font_missing")


def _sc_face(path: Path) -> int:
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as collection:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith(" SC") or "microhei" in family.lower():
                return index
    return 0


def _pdf(font: Path | None) -> FPDF:
    from fpdf import FPDF

    path, index = find_cjk_font(font)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_font("cjk", size=10)
    return pdf


def dossier_pdf(session: Session, actor: Actor, request: ConsultationRequest, *, font: Path | None = None,
                tz: str = DEFAULT_TIMEZONE, evidence: Mapping[str, Any] | None = None) -> bytes:
    """The request's dossier as a PDF; ``font``: the consultations.cjk_font setting, ``tz``: locale.timezone.

    Every time in it is the reader's wall time (a printed dossier is read in Luohu, not in UTC).
    """
    dossier = build_dossier(session, actor, request, tz=tz, evidence=evidence)
    data = render_pdf(dossier, font)
    audit(session, actor, "consultation.dossier", "consultation", request.id, {"format": "pdf"})
    return data


def render_pdf(dossier: Dossier, font: Path | None = None) -> bytes:
    """Lay the dossier out on A4 pages."""
    pdf = _pdf(font)

    def heading(text: str, size: int = 13) -> None:
        pdf.ln(2)
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10)

    def line(label: str, value: str) -> None:
        pdf.multi_cell(0, 6, f"{label}：{value or '—'}", new_x="LMARGIN", new_y="NEXT")

    def para(text: str) -> None:
        pdf.multi_cell(0, 6, text or "—", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    if dossier.secret:
        pdf.set_text_color(180, 0, 0)
        para(SECRET_NOTICE)
        pdf.set_text_color(0, 0, 0)
    heading(dossier.heading, 15)
    for item in dossier.cover:
        line(item.label, item.value)

    heading("一、咨询需求")
    line("背景", "")
    para(dossier.background)
    line("咨询问题", "")
    para(dossier.questions)

    heading("二、专家、选择依据与答复")
    for expert in dossier.experts:
        pdf.set_font("cjk", size=11)
        para(expert.heading)
        pdf.set_font("cjk", size=10)
        for item in expert.facts:
            line(item.label, item.value)
        line("选择依据", "；".join(expert.why))
        if expert.advice is not None:
            line(expert.advice_facts[0].label, expert.advice_facts[0].value)
            para(expert.advice)
            for item in expert.advice_facts[1:]:
                line(item.label, item.value)
        if expert.ledger:
            line("采纳台账", expert.adoption)
            for row in expert.ledger:
                para(f"  {row.when}  {row.step}（{row.actor}）{('：' + row.detail) if row.detail else ''}")
        pdf.ln(2)

    heading("三、流程记录")
    for text in dossier.trail:
        para(text)
    pdf.ln(4)
    para(dossier.footer)
    return bytes(pdf.output())
