"""The dossier as DOCX (read back with python-docx, Chinese intact) and PDF from one model, with the ledger."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from kb.consultations.dossier_docx import dossier_docx
from kb.consultations.dossier_model import build_dossier
from kb.consultations.enums import LedgerStep
from kb.consultations.ledger import StepInput, record_step
from kb.consultations.requests import get_request
from kb.errors import PermissionDenied
from kb.models.consultation import ConsultationAdvice
from tests.consultations.conftest import FakeResult
from tests.consultations.test_ledger import advised

INSTRUCTION = "同意。请区发改局会同金融局研究落实风险补偿资金池。"


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def adopted(kb, people, tmp_path):  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path, confidentiality="confidential")
    with kb.sessions() as s, s.begin():
        advice = s.get(ConsultationAdvice, aid)
        for values in ({"step": "instructed", "evidence": INSTRUCTION, "leader": "李副市长", "leader_level": "city",
                        "at": "2025-03-09"},
                       {"step": "adopted", "doc_title": "罗湖区供应链金融扶持办法", "doc_number": "罗府办〔2025〕12号",
                        "doc_date": "2025-04-01", "at": "2025-04-01"}):
            record_step(s, people["researcher"], advice, StepInput.parse(values))
        return advice.invitation.request_id


def test_the_docx_dossier_reads_back_with_its_chinese_text(kb, people, adopted) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], adopted)
        evidence = {"c-3": FakeResult("c-3", 0.9, [{"text": "供应链金融风险补偿机制研究"}], "strong")}
        data = dossier_docx(s, people["researcher"], req, evidence=evidence)
    text = _text(data)
    for expected in ("专家咨询档案", "罗湖区供应链金融扶持政策咨询", "【保密】", "一、咨询需求", "风险补偿机制",
                     "陈雪", "建议设立风险补偿资金池。", "选择依据", "检索匹配度：高度匹配", "供应链金融风险补偿机制研究",
                     "采纳台账", "市领导李副市长", INSTRUCTION, "《罗湖区供应链金融扶持办法》", "罗府办〔2025〕12号",
                     "计为采纳：市领导"):
        assert expected in text, expected
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="Noto Sans CJK SC"' in styles


def test_pdf_and_docx_come_from_the_same_model_with_the_ledger(kb, people, adopted) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        req = get_request(s, people["researcher"], adopted)
        model = build_dossier(s, people["researcher"], req)
        [expert] = model.experts
        assert [row.step for row in expert.ledger] == ["提交意见", "领导批示", "采纳入文件"]
        assert INSTRUCTION in expert.ledger[1].detail
        # kb's own transition notes (stored in English) are worded in Chinese, naming the talent
        trail = "\n".join(model.trail)
        assert "（已创建）" in trail and "（已邀请 1 位专家）" in trail and "（陈雪 接受了邀请）" in trail, trail
        assert "invited" not in trail and "accepted" not in trail, trail
        with pytest.raises(PermissionDenied):
            build_dossier(s, people["other_researcher"], req)
        with pytest.raises(PermissionDenied):
            build_dossier(s, people["c-3"], req)


def test_a_bare_acknowledgement_shows_as_not_adopted(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    with kb.sessions() as s, s.begin():
        entry = record_step(s, people["researcher"], s.get(ConsultationAdvice, aid),
                            StepInput.parse({"step": "instructed", "evidence": "圈阅", "leader_level": "district"}))
        assert entry.step == LedgerStep.ACKNOWLEDGED
        req = get_request(s, people["researcher"], s.get(ConsultationAdvice, aid).invitation.request_id)
        text = _text(dossier_docx(s, people["researcher"], req))
    assert "领导圈阅/同意，未计为采纳" in text and "计为采纳：" not in text


@pytest.mark.optional_skip(reason="needs LibreOffice (apt-get install libreoffice-writer-nogui), which CI may not carry")
def test_libreoffice_opens_the_docx_dossier_with_its_chinese_text(kb, people, adopted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    with kb.sessions() as s, s.begin():
        data = dossier_docx(s, people["researcher"], get_request(s, people["researcher"], adopted))
    source = tmp_path / "dossier.docx"
    source.write_bytes(data)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"  # no shared LibreOffice profile
    for target in ("pdf", "txt:Text (encoded):UTF8"):
        subprocess.run([soffice, profile, "--headless", "--convert-to", target, "--outdir", str(tmp_path), str(source)],
                       check=True, timeout=180, capture_output=True)
    pdf = (tmp_path / "dossier.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"CJK" in pdf  # a CJK font embedded: the Chinese is drawn, not boxes
    text = (tmp_path / "dossier.txt").read_text(encoding="utf-8-sig")
    for expected in ("专家咨询档案", INSTRUCTION, "罗府办〔2025〕12号", "计为采纳：市领导"):
        assert expected in text, expected
