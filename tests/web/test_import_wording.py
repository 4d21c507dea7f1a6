"""Import says what happened, and certifies only what the file states: a dry run says nothing was
saved and how many would be; a new talent the file does not certify is pending with no date."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.actors import Actor
from kb.models import Talent
from kb.talents.changes import talent_to_record
from kb.talents.importer import import_file
from tests.web.conftest import Site, post


def _line(rid: str, **extra: object) -> dict:
    return {"id": rid, "name": f"导入{rid}", "category": "B", "fields": ["funds"],
            "research_directions": ["公募基金投研体系"], **extra}


def _file(*records: dict | str) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records).encode()


def _upload(client: FlaskClient, data: bytes, dry_run: bool) -> str:
    form = {"file": (io.BytesIO(data), "talents.jsonl")}
    if dry_run:
        form["dry_run"] = "y"
    return post(client, "/admin/import", form, content_type="multipart/form-data").get_data(as_text=True)


def _talent(site: Site, rid: str) -> Talent | None:
    with site.kb.sessions() as s:
        t = s.query(Talent).filter_by(external_id=rid).one_or_none()
        if t is not None:
            s.expunge(t)
        return t


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_dry_run_says_nothing_was_saved_and_how_many_would_be(
        site: Site, clients: dict[str, FlaskClient], bad: int) -> None:
    good = [_line(f"dry-{bad}-{i}") for i in range(3)]
    html = _upload(clients["commissioner"], _file(*good, *["{oops"] * bad), dry_run=True)
    assert "仅校验，没有保存任何记录" in html and "正式导入时将保存 3 条记录（新建 3 条" in html
    assert "其余记录已正常处理" not in html and "已保存" not in html
    if bad:
        assert f"以上 {bad} 条有问题的记录在正式导入时不会保存" in html
    assert all(_talent(site, r["id"]) is None for r in good)


def test_real_import_says_what_was_saved(site: Site, clients: dict[str, FlaskClient]) -> None:
    html = _upload(clients["commissioner"], _file(_line("real-1"), _line("real-2"), "{oops"), dry_run=False)
    assert "已保存 2 条记录（新建 2 条" in html and "以上 1 条有问题的记录未保存" in html
    assert "其余记录已正常处理" not in html


def test_an_import_that_does_not_say_so_does_not_certify(site: Site, clients: dict[str, FlaskClient]) -> None:
    _upload(clients["commissioner"], _file(_line("plain-1")), dry_run=False)
    t = _talent(site, "plain-1")
    assert t is not None and t.certification_status == "pending" and t.certified_on is None
    assert "待认定" in clients["researcher"].get("/talents/plain-1").get_data(as_text=True)


@pytest.mark.parametrize(("status", "day"), [("certified", "2023-05-04"), ("expired", "2019-01-02"),
                                              ("certified", None)])
def test_certification_comes_from_the_file(site: Site, status: str, day: str | None) -> None:
    rid = f"cert-{status}-{day}"
    extra = {"certification_status": status, **({"certified_on": day} if day else {})}
    report = import_file(site.kb.sessions, Path("c.jsonl"), Actor.system("t"), data=_file(_line(rid, **extra)))
    assert report.ok, report.errors
    t = _talent(site, rid)
    assert t.certification_status == status
    assert t.certified_on == (date.fromisoformat(day) if day else None) and t.certified_on != date.today()
    # a re-import that says nothing about certification leaves it alone
    import_file(site.kb.sessions, Path("c.jsonl"), Actor.system("t"), data=_file(_line(rid, bio="更新")))
    again = _talent(site, rid)
    assert (again.certification_status, again.certified_on) == (t.certification_status, t.certified_on)
    with site.kb.sessions() as s:
        assert talent_to_record(s.query(Talent).filter_by(external_id=rid).one())["certification_status"] == status


def test_a_nonexistent_date_is_a_line_error(site: Site) -> None:
    report = import_file(site.kb.sessions, Path("c.jsonl"), Actor.system("t"),
                         data=_file(_line("bad-date", certification_status="certified", certified_on="2026-02-30")))
    assert [e.field for e in report.errors] == ["certified_on"] and _talent(site, "bad-date") is None


def test_only_someone_who_may_certify_imports_certification(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing and certifying are separate rights: without the second, a file that certifies is refused."""
    import kb.talents.changes as changes

    real = changes.allowed
    monkeypatch.setattr(changes, "allowed", lambda actor, action, obj=None: action != "talent.certify"
                        and real(actor, action, obj))
    report = import_file(site.kb.sessions, Path("c.jsonl"), Actor.system("t"),
                         data=_file(_line("no-right", certification_status="certified"), _line("no-right-2")))
    assert [e.record_id for e in report.errors] == ["no-right"] and report.created == 1
    assert _talent(site, "no-right-2").certification_status == "pending"
