"""The request's dossier as a printable PDF: need, experts, advice, ratings, adoption.

PDF (fpdf2) rather than DOCX: the dossier is a record to file and print, and
must look the same everywhere and not be edited by accident. fpdf2 embeds only
the glyphs used, but needs a CJK font on the machine: Debian's
``fonts-noto-cjk`` (or ``fonts-wqy-microhei``), or any .ttf/.ttc named by
``KB_CJK_FONT``. Without one we fail with a message saying what to install,
rather than printing empty boxes.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from kb import labels
from kb.actors import Actor
from kb.audit import audit
from kb.consultations.requests import requester_name
from kb.errors import KbError
from kb.localtime import DEFAULT_TIMEZONE, wall_time
from kb.models import utcnow
from kb.models.consultation import ConsultationRequest
from kb.permissions import require
from kb.taxonomy import load_taxonomy
from kb.visibility import visible_invitations

if TYPE_CHECKING:  # fpdf is imported when a dossier is made
    from fpdf import FPDF

FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSerifCJK-Regular.ttc",
              "wqy-microhei.ttc", "wqy-zenhei.ttc")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))

STATE_ZH = {code: words[0] for code, words in labels.REQUEST_STATES.items()}
INVITATION_ZH = {code: words[0] for code, words in labels.INVITATION_STATES.items()}
FORM_ZH = {code: words[0] for code, words in labels.FORMS.items()}
SECRECY_ZH = {code: words[0] for code, words in labels.SECRECY.items()}
ADOPTION_ZH: dict[str | None, str] = {code: words[0] for code, words in labels.ADOPTION.items()}
ADOPTION_ZH[None] = labels.NOT_RECORDED[0]


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
        "(or fonts-wqy-microhei), or set consultations.cjk_font (KB_CJK_FONT) to a .ttf/.ttc file"
    )


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
                tz: str = DEFAULT_TIMEZONE) -> bytes:
    """The request's dossier as a PDF; ``font``: the consultations.cjk_font setting, ``tz``: locale.timezone.

    Every time in it is the reader's wall time (a printed dossier is read in Luohu, not in UTC).
    """
    require(actor, "consultation.manage", request)

    def _when(value: datetime | None) -> str:
        return wall_time(value, tz) or "—"

    taxonomy = load_taxonomy()
    pdf = _pdf(font)
    secret = request.confidentiality == "confidential"

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
    if secret:
        pdf.set_text_color(180, 0, 0)
        para("【保密】本材料仅限本单位及受邀专家查阅，不得外传。")
        pdf.set_text_color(0, 0, 0)
    heading(f"专家咨询档案 #{request.id}：{request.title}", 15)
    line("委托单位", request.unit)
    line("经办研究员", requester_name(session, request))
    line("状态", STATE_ZH.get(request.state, request.state))
    line("咨询形式", FORM_ZH.get(request.form, request.form))
    line("保密级别", SECRECY_ZH.get(request.confidentiality, request.confidentiality))
    line("领域", "、".join(taxonomy.field_label(f) for f in request.fields))
    line("截止日期", request.deadline.isoformat() if request.deadline else "")
    line("所需专家人数", str(request.experts_wanted))
    line("利益相关方", "、".join(request.parties))
    if request.draws:
        d = request.draws[-1]
        line("随机抽取", f"种子 {d.seed}，候选 {len(d.pool)} 人中抽取 {d.count} 人：{'、'.join(d.picked)}")

    heading("一、咨询需求")
    line("背景", "")
    para(request.background)
    line("咨询问题", "")
    para(request.questions)

    heading("二、专家与答复")
    for inv in visible_invitations(actor, request):
        t = inv.talent
        state = INVITATION_ZH.get(inv.state, inv.state)
        pdf.set_font("cjk", size=11)
        para(f"{t.name}（{t.organization or '—'}）— {state}")
        pdf.set_font("cjk", size=10)
        line("邀请时间", f"{_when(inv.invited_at)}，答复时间 {_when(inv.responded_at)}")
        if inv.reason:
            line("说明", inv.reason)
        advice = inv.advice
        if advice is not None:
            line("意见提交时间", _when(advice.submitted_at))
            para(advice.text)
            if advice.attachments:
                line("附件", "、".join(f"{a.filename}（{a.size // 1024 + 1} KB）" for a in advice.attachments))
            rating = f"{advice.rating}/5" if advice.rating else "未评价"
            line("评价", f"{rating}{'，' + advice.rating_comment if advice.rating_comment else ''}")
            adoption = ADOPTION_ZH.get(advice.adoption, advice.adoption or "")
            line("采纳情况", f"{adoption}{'：' + advice.adopted_into if advice.adopted_into else ''}")
        pdf.ln(2)

    heading("三、流程记录")
    for tr in request.transitions:
        frm = STATE_ZH.get(tr.from_state, tr.from_state) or "—"
        para(f"{_when(tr.at)}  {tr.actor_label}：{frm} → {STATE_ZH.get(tr.to_state, tr.to_state)}"
             f"{'（' + tr.note + '）' if tr.note else ''}")
    pdf.ln(4)
    para(f"导出时间 {_when(utcnow())}（{tz}），导出人 {actor.label}")
    audit(session, actor, "consultation.dossier", "consultation", request.id, {"format": "pdf"})
    return bytes(pdf.output())
