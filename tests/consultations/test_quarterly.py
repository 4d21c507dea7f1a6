"""The quarterly report: its contents (adoption by level), per-role visibility, both formats, CLI and API."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from kb.consultations.invitations import invite, submit_advice
from kb.consultations.ledger import StepInput, record_step
from kb.consultations.quarterly import Quarter, build_quarterly, quarterly_report
from kb.consultations.requests import get_request
from kb.errors import PermissionDenied, ValidationError
from kb.localtime import to_local
from kb.models import utcnow
from kb.talents import changes as ops
from tests.consultations.conftest import open_new

# (filer, title, confidentiality, expert, ledger steps)
PLAN = [
    ("researcher", "本单位公开咨询：低空经济", "public", "c-1",
     [{"step": "instructed", "evidence": "请区发改局研究落实", "leader_level": "city"}]),
    ("researcher", "本单位内部咨询：供应链金融", "unit", "c-2",
     [{"step": "instructed", "evidence": "圈阅", "leader_level": "district"}]),
    ("researcher", "本单位保密咨询：产业基金", "confidential", "c-3",
     [{"step": "adopted", "doc_title": "罗湖区产业基金管理办法", "doc_number": "罗府〔2026〕9号"}]),
    ("other_researcher", "外单位保密咨询：科技园区", "confidential", "c-4",
     [{"step": "instructed", "evidence": "请省科技厅参考", "leader_level": "provincial"}]),
    ("other_researcher", "外单位公开咨询：跨境数据", "public", "c-5", []),
]


def this_quarter() -> str:
    today = to_local(utcnow(), "Asia/Shanghai").date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@pytest.fixture
def filed(kb, people, tmp_path):  # type: ignore[no-untyped-def]
    for filer, title, secrecy, expert, steps in PLAN:
        rid = open_new(kb, people[filer], title=title, confidentiality=secrecy)
        with kb.sessions() as s, s.begin():
            req = get_request(s, people[filer], rid)
            [inv] = invite(s, people[filer], req, [ops.get_talent(s, expert)])
            advice = submit_advice(s, people[expert], inv, f"{title}的意见", data_dir=tmp_path)
            for values in steps:
                record_step(s, people[filer], advice, StepInput.parse(values))
    return this_quarter()


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])


def _sheets(data: bytes) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_the_leadership_report_has_everything_counted_by_level(kb, people, filed) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        report = build_quarterly(s, people["admin"], Quarter.parse(filed))
    assert {r.title for r in report.requests} == {p[1] for p in PLAN}
    assert all(r.detail for r in report.requests)
    c = report.counts
    assert (c["provincial"], c["city"], c["district"], c["document"], c["adopted"], c["acknowledged_only"],
            c["advice"]) == (1, 1, 0, 1, 3, 1, 5)
    with kb.sessions() as s, s.begin():
        text = _docx_text(quarterly_report(s, people["admin"], filed, "docx"))
        sheets = _sheets(quarterly_report(s, people["admin"], filed, "xlsx"))
    assert "罗湖区人才智库专家咨询季度报告" in text and "外单位保密咨询：科技园区" in text
    assert "省部级批示 1 条、市领导批示 1 条" in text and "未计为采纳 1 条" in text
    assert "罗湖区产业基金管理办法" in text  # the ledger step of the quarter
    requests_sheet, levels, steps = sheets.values()
    assert {row[1] for row in requests_sheet[1:]} == {p[1] for p in PLAN}
    assert dict((row[0], row[1]) for row in levels[1:])["省部级"] == 1
    assert any("请省科技厅参考" in str(row[5]) for row in steps[1:])


def test_a_researchers_report_shows_only_what_the_researcher_may_see(kb, people, filed) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        report = build_quarterly(s, people["researcher"], Quarter.parse(filed))
        text = _docx_text(quarterly_report(s, people["researcher"], filed, "docx"))
        sheets = _sheets(quarterly_report(s, people["researcher"], filed, "xlsx"))
    titles = {r.title: r for r in report.requests}
    assert "外单位保密咨询：科技园区" not in titles  # another unit's confidential request: absent
    assert titles["外单位公开咨询：跨境数据"].detail is False  # public: its facts, not its advice
    assert all(titles[p[1]].detail for p in PLAN[:3])
    assert report.counts["provincial"] == 0 and report.counts["advice"] == 3
    flat = text + "\n".join(str(v) for rows in sheets.values() for row in rows for v in row)
    for hidden in ("科技园区", "请省科技厅参考", "外单位公开咨询：跨境数据的意见"):
        assert hidden not in flat, hidden


@pytest.mark.parametrize("who", ["talent", "organizer", "commissioner"])
def test_only_researchers_and_admins_get_the_report(kb, people, filed, who) -> None:  # type: ignore[no-untyped-def]
    actor = people["c-1" if who == "talent" else who]
    with kb.sessions() as s, pytest.raises(PermissionDenied):
        build_quarterly(s, actor, Quarter.parse(filed))


@pytest.mark.parametrize("text", ["2026Q5", "2026-13", "Q3", "", "2026Q0", "0000Q1", "9999Q4"])
def test_a_quarter_is_written_like_2026Q3(text: str) -> None:
    with pytest.raises(ValidationError):
        Quarter.parse(text)


def test_quarters_are_the_readers_calendar() -> None:
    start, end = Quarter.parse("2026q3").utc_bounds("Asia/Shanghai")
    assert (start, end) == (datetime(2026, 6, 30, 16, 0), datetime(2026, 9, 30, 16, 0))


def test_the_cli_writes_the_full_report(kb, people, filed, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kb.cli import main

    monkeypatch.setattr("kb.cli.load_settings", lambda: kb.settings)
    out = tmp_path / "q.xlsx"
    result = CliRunner().invoke(main, ["report", "quarterly", filed, "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    requests_sheet = next(iter(_sheets(out.read_bytes()).values()))
    assert {row[1] for row in requests_sheet[1:]} == {p[1] for p in PLAN}
    mine = tmp_path / "mine.docx"
    result = CliRunner().invoke(main, ["report", "quarterly", filed, "-o", str(mine), "--as", "researcher"])
    assert result.exit_code == 0, result.output
    assert "科技园区" not in _docx_text(mine.read_bytes())
    assert CliRunner().invoke(main, ["report", "quarterly", "2026Q9", "-o", str(mine)]).exit_code != 0



@pytest.mark.optional_skip(reason="needs LibreOffice (apt-get install libreoffice-writer-nogui), which CI may not carry")
def test_libreoffice_opens_the_quarterly_report(kb, people, filed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    with kb.sessions() as s, s.begin():
        (tmp_path / "report.docx").write_bytes(quarterly_report(s, people["admin"], filed, "docx"))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(tmp_path / "report.docx")],
                   check=True, timeout=180, capture_output=True)
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig")
    assert "罗湖区人才智库专家咨询季度报告" in text and "省部级批示 1 条" in text


def test_the_reports_page_starts_at_the_quarter_of_luohus_calendar(kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """At 01:00 on 1 January in Luohu it is still 31 December in UTC: the page offers the new quarter first."""
    import re

    from kb.accounts import create_user
    from tests.consultations.conftest import SYSTEM
    from web.app import create_app

    password = "Jibao.Mima#2026"
    with kb.sessions() as s, s.begin():
        create_user(s, SYSTEM, "quarterly-admin", "admin", password)
    monkeypatch.setattr("web.consultations.dossiers.utcnow", lambda: datetime(2026, 12, 31, 17, 0))
    client = create_app(kb, TESTING=True).test_client()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token is not None
    client.post("/login", data={"username": "quarterly-admin", "password": password, "csrf_token": token.group(1)})
    page = client.get("/consultations/reports").get_data(as_text=True)
    assert re.findall(r"<td>(\d{4}Q\d)</td>", page) == ["2027Q1", "2026Q4", "2026Q3", "2026Q2", "2026Q1",
                                                        "2025Q4", "2025Q3", "2025Q2"]
    assert '<tr class="current"><td>2027Q1</td>' in page
