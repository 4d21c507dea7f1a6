"""Import, export and re-import: the registry's front door."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from kb.actors import Actor
from kb.models import Output, Revision, Talent
from kb.talents.export import export_jsonl
from kb.talents.importer import import_file
from tests.kb.conftest import record

ACTOR = Actor.system("test import")


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def count(kb, model) -> int:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


DEMO_CORPUS = Path(__file__).resolve().parents[1] / "data" / "demo_eval" / "corpus.jsonl"


@pytest.fixture(params=[
    "demo",
    pytest.param("dev", marks=pytest.mark.optional_skip(
        reason="../shared/eval/dev lies outside the repository; the demo corpus (in it) round-trips everywhere")),
])
def corpus_file(request: pytest.FixtureRequest) -> Path:
    if request.param == "demo":
        return DEMO_CORPUS
    return request.getfixturevalue("dev_set") / "corpus.jsonl"


def test_corpus_round_trips_unchanged(kb, corpus_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = sorted((json.loads(x) for x in corpus_file.read_text("utf-8").splitlines() if x.strip()),
                      key=lambda r: r["id"])
    report = import_file(kb.sessions, corpus_file, ACTOR)
    assert report.ok and report.created == len(original) >= 100
    out = io.StringIO()
    with kb.sessions() as s:
        export_jsonl(s, out, ACTOR, include_contact=True)
    exported = [json.loads(x) for x in out.getvalue().splitlines()]
    assert exported == original
    again = import_file(kb.sessions, write_jsonl(tmp_path / "again.jsonl", exported), ACTOR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(original))


def test_broken_lines_are_reported_and_valid_ones_saved(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "mixed.jsonl", [
        record("ok-1"),
        "{not json",
        record("bad-field", fields=["banking", "no_such_field"]),
        record("bad-year", outputs=[{"type": "paper", "title": "x", "year": 1800}]),
        {"id": "missing-name", "category": "A", "fields": ["law"], "research_directions": ["x"]},
        record("ok-2"),
    ])
    report = import_file(kb.sessions, path, ACTOR)
    assert report.created == 2
    by_line = {(e.line, e.field) for e in report.errors}
    assert (2, "") in by_line
    assert (3, "fields[1]") in by_line
    assert (4, "outputs[0].year") in by_line
    assert (5, "name") in by_line
    assert report.failed == 4
    with kb.sessions() as s:
        ids = set(s.scalars(select(Talent.external_id)))
    assert ids == {"ok-1", "ok-2"}  # nothing half-saved from the bad lines


def test_reimport_updates_in_place_and_records_revision(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_file(kb.sessions, write_jsonl(tmp_path / "a.jsonl", [record()]), ACTOR)
    changed = record(bio="新的简介", outputs=[
        {"type": "paper", "title": "跨境理财通的风险管理", "year": 2022, "venue": "《金融研究》"},
        {"type": "patent", "title": "一种跨境支付对账方法", "year": 2024},
    ])
    report = import_file(kb.sessions, write_jsonl(tmp_path / "b.jsonl", [changed]), ACTOR)
    assert (report.created, report.updated) == (0, 1)
    assert count(kb, Talent) == 1
    assert count(kb, Output) == 2
    with kb.sessions() as s:
        revs = s.scalars(select(Revision).order_by(Revision.id)).all()
        assert [r.action for r in revs] == ["create", "import"]
        fields = {c["field"] for c in revs[1].changes}
        assert "bio" in fields
        assert any(f.startswith("outputs[") for f in fields)
        # The unchanged paper kept its row (and so its history).
        paper = s.scalar(select(Output).where(Output.title == "跨境理财通的风险管理"))
        assert paper is not None and paper.id == 1


def test_duplicate_id_in_one_file_is_refused(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = import_file(kb.sessions, write_jsonl(tmp_path / "d.jsonl", [record("x"), record("x", bio="b")]), ACTOR)
    assert report.created == 1
    assert [(e.line, e.field) for e in report.errors] == [(2, "id")]


def test_dry_run_saves_nothing(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = import_file(kb.sessions, write_jsonl(tmp_path / "a.jsonl", [record(), "oops"]), ACTOR, dry_run=True)
    assert (report.created, report.failed) == (1, 1)  # what the real import would do
    assert count(kb, Talent) == 0


def test_csv_with_chinese_headers_and_output_rows(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "talents.csv"
    path.write_text(
        "编号,姓名,类别,领域,研究方向,可咨询,邮箱,成果类型,成果名称,成果年份\n"
        "c-1,王敏,C,big_data;iot,数据要素市场；公共数据授权运营,是,wm@example.org,report,数据交易所调研,2023\n"
        "c-1,,,,,,,patent,一种数据确权方法,2024\n"
        "c-2,赵刚,Z,banking,普惠金融,否,,,,\n",
        encoding="utf-8",
    )
    report = import_file(kb.sessions, path, ACTOR)
    assert report.created == 1
    assert [(e.line, e.field) for e in report.errors] == [(4, "category")]
    with kb.sessions() as s:
        t = s.scalar(select(Talent).where(Talent.external_id == "c-1"))
        assert t.fields == ["big_data", "iot"]
        assert t.research_directions == ["数据要素市场", "公共数据授权运营"]
        assert t.email == "wm@example.org"
        assert sorted(o.type for o in t.outputs) == ["patent", "report"]


def test_xlsx_import(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "category", "fields", "research_directions", "output_type", "output_title", "output_year"])
    ws.append(["x-1", "Alice Chen", "A", "robotics", "surgical robots; haptics", "paper", "Haptic feedback", 2021])
    ws.append(["x-2", "Bob", "B", "robotics", "", None, None, None])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    report = import_file(kb.sessions, path, ACTOR)
    assert report.created == 1
    assert [(e.line, e.field) for e in report.errors] == [(3, "research_directions")]
    with kb.sessions() as s:
        t = s.scalar(select(Talent).where(Talent.external_id == "x-1"))
        assert t.outputs[0].year == 2021


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"", None),
])
def test_unreadable_files_fail_cleanly(kb, tmp_path: Path, content: bytes, message: str | None) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    report = import_file(kb.sessions, path, ACTOR)
    assert report.created == 0
    if message:
        assert message in str(report.errors[0])


def test_broken_xlsx_reports_error(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    report = import_file(kb.sessions, path, ACTOR)
    assert report.created == 0 and "XLSX" in str(report.errors[0])


def test_export_leaves_contact_out_by_default(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_file(kb.sessions, write_jsonl(tmp_path / "a.jsonl", [record()]), ACTOR)
    out = io.StringIO()
    with kb.sessions() as s:
        export_jsonl(s, out, ACTOR)
    assert "contact" not in json.loads(out.getvalue())
    # Re-importing a contact-less export keeps the stored contact data.
    import_file(kb.sessions, write_jsonl(tmp_path / "b.jsonl", [json.loads(out.getvalue())]), ACTOR)
    with kb.sessions() as s:
        assert s.scalar(select(Talent.email)) == "lin.hai@example.org"
