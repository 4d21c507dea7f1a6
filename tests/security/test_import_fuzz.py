"""Hostile import files: mutated records and mangled JSONL / CSV / XLSX bytes.

Whatever arrives, ``import_file`` must not raise, must name each bad record
with its line and a message, and must save a talent whole — profile, every
output, its revision and its search-queue row — or not at all. Each example
imports into a fresh SQLite copy of one migrated template, so the database
after the import tells exactly what that one file did.

Example counts are bounded (``KB_FUZZ_EXAMPLES``, default 60 per property) so
this stays well under a minute in CI; set it higher for a longer hunt.
"""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import Output, QueueItem, Revision, Talent
from kb.settings import Settings, load_settings
from kb.talents.importer import ImportReport, import_file
from tests.kb.conftest import record

ACTOR = Actor.system("fuzz")
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def _settings(root: Path, database: Path) -> Settings:
    return load_settings({"env": "development", "data_dir": root, "database.url": f"sqlite:///{database}",
                          "security.secret_key": "x"})


class Fresh:
    """Hands out a fresh, migrated SQLite knowledge base per example (a file copy, not a migration)."""

    def __init__(self, root: Path) -> None:
        self.root, self.n = root, 0
        template = KnowledgeBase(_settings(root, root / "template.sqlite3"))
        template.init_db()
        template.close()

    def __call__(self) -> KnowledgeBase:
        self.n += 1
        path = self.root / f"kb-{self.n}.sqlite3"
        shutil.copy(self.root / "template.sqlite3", path)
        return KnowledgeBase(_settings(self.root, path))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fresh]:
    yield Fresh(tmp_path_factory.mktemp("fuzz"))


# --------------------------------------------------------------------- values and mutations

CONTROL = st.characters(min_codepoint=0, max_codepoint=31)
NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CONTROL, min_size=1, max_size=10),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "\u202e", "\ufeff", "\x00", "𝕏" * 50, "<script>alert(1)</script>", "' OR 1=1 --",
                     "=cmd|' /C calc'!A0", "\ud7ff", "null", "NaN"]),
    st.integers(min_value=1_000, max_value=200_000).map(lambda n: "长" * n),  # huge strings
)
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=False), NASTY_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8,
)
PATHS = [("name",), ("name_en",), ("category",), ("title",), ("organization",), ("fields",), ("fields", 0),
         ("research_directions",), ("research_directions", 0), ("bio",), ("languages",), ("languages", 0),
         ("available_for_consultation",), ("contact",), ("contact", "email"), ("contact", "phone"), ("outputs",),
         ("outputs", 0), ("outputs", 0, "title"), ("outputs", 0, "year"), ("outputs", 0, "type"),
         ("outputs", 1, "url"), ("outputs", 1, "abstract"), ("id",), ("unknown_key",)]


@st.composite
def mutated_record(draw: st.DrawFn, rid: str) -> dict[str, Any]:
    rec = copy.deepcopy(record(rid))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        target: Any = rec
        try:
            for key in path[:-1]:
                target = target[key]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced the container
        key = path[-1]
        if not (isinstance(target, dict) and isinstance(key, str)
                or isinstance(target, list) and isinstance(key, int) and key < len(target)):
            continue  # the container changed type under an earlier mutation
        if draw(st.booleans()) and isinstance(target, dict) and path[-1] in target and path[-1] != "id":
            del target[path[-1]]
        else:
            target[path[-1]] = draw(ANY_JSON)
    return rec


# --------------------------------------------------------------------- invariants

def check_whole_or_nothing(kb: KnowledgeBase, report: ImportReport, expected: dict[str, dict] | None = None) -> None:
    """Every saved talent is complete; nothing half-saved; the report matches the database."""
    with kb.sessions() as s:
        talents = s.scalars(select(Talent)).all()
        assert report.created == len(talents), report.summary()
        assert sorted(report.talent_ids) == sorted(t.external_id for t in talents)
        orphans = s.scalar(select(func.count()).select_from(Output).where(Output.talent_id.not_in(
            select(Talent.id))))
        assert orphans == 0
        for t in talents:
            assert s.scalar(select(func.count()).select_from(Revision).where(Revision.talent_id == t.id)) >= 1
            assert s.scalar(select(func.count()).select_from(QueueItem)) >= 1
            if expected and t.external_id in expected:
                want = expected[t.external_id]
                assert len(t.outputs) == len(want.get("outputs") or []), t.external_id
                assert t.name == want["name"]
    for err in report.errors:
        assert str(err).strip() and err.message.strip(), err


def run(kb: KnowledgeBase, name: str, data: bytes) -> ImportReport:
    kb_path = Path(name)
    try:
        return import_file(kb.sessions, kb_path, ACTOR, data=data)
    finally:
        kb.close()


# --------------------------------------------------------------------- properties

@FUZZ
@given(data=st.data())
def test_a_mutated_record_is_saved_whole_or_reported_and_never_harms_its_neighbours(fresh: Fresh, data) -> None:
    bad = data.draw(mutated_record("fz-2"))
    lines = [json.dumps(record("fz-1"), ensure_ascii=False), json.dumps(bad, ensure_ascii=False),
             json.dumps(record("fz-3"), ensure_ascii=False)]
    kb = fresh()
    report = run(kb, "f.jsonl", "\n".join(lines).encode())
    saved = set(report.talent_ids)
    assert {"fz-1", "fz-3"} <= saved, report.errors
    expected = {"fz-1": record("fz-1"), "fz-3": record("fz-3")}
    rid = bad.get("id")
    if isinstance(rid, str) and rid in saved - {"fz-1", "fz-3"}:
        expected[rid] = bad  # saved: then with every one of its outputs
        assert not any(e.line == 2 for e in report.errors)
    else:
        assert any(e.line == 2 for e in report.errors), f"record 2 neither saved nor reported: {report.errors}"
    check_whole_or_nothing(_reopen(fresh), report, expected)


def _reopen(fresh: Fresh) -> KnowledgeBase:
    path = fresh.root / f"kb-{fresh.n}.sqlite3"
    return KnowledgeBase(_settings(fresh.root, path))


def _jsonl_bytes() -> bytes:
    recs = [record(f"b-{i}", outputs=[{"type": "paper", "title": f"论文{j}", "year": 2020} for j in range(i)])
            for i in range(4)]
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in recs).encode()


def _csv_bytes() -> bytes:
    rows = ["编号,姓名,类别,单位,领域,研究方向,邮箱,成果类型,成果名称,成果年份"]
    for i in range(4):
        rows.append(f"c-{i},专家{i},B,深圳大学,banking,供应链金融；跨境结算,c{i}@example.org,paper,论文{i},2021")
        rows.append(f"c-{i},,,,,,,report,报告{i},2022")
    return ("\n".join(rows) + "\n").encode()


def _xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "category", "organization", "fields", "research_directions", "output_type",
               "output_title", "output_year"])
    for i in range(4):
        ws.append([f"x-{i}", f"专家{i}", "A", "深圳大学", "banking", "供应链金融", "paper", f"论文{i}", 2020])
        ws.append([f"x-{i}", None, None, None, None, None, "report", f"报告{i}", 2021])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


VALID = {"jsonl": _jsonl_bytes(), "csv": _csv_bytes(), "xlsx": _xlsx_bytes()}


@st.composite
def mangled(draw: st.DrawFn, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "bad_utf8", "control", "dup"]))
        pos = draw(st.integers(min_value=0, max_value=max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] ^= draw(st.integers(min_value=1, max_value=255))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(min_value=1, max_value=64))]
        elif kind == "truncate":
            del data[pos:]
        elif kind == "bad_utf8":
            data[pos:pos] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]))
        elif kind == "control":
            data[pos:pos] = draw(st.sampled_from([b"\x00", b"\r", b"\x1b[2J", b"\x7f", b"\x0b\x0c"]))
        elif kind == "dup" and data:
            end = min(len(data), pos + draw(st.integers(min_value=1, max_value=200)))
            data[pos:pos] = data[pos:end]
    return bytes(data)


def _each_line_saved_or_reported(data: bytes, report: ImportReport) -> None:
    """JSON Lines: every non-blank line is a saved talent or an error naming that line (or the whole file)."""
    if any(e.line == 0 for e in report.errors):
        assert report.created == 0  # a file-level error (not UTF-8) saves nothing
        return
    lines = data.decode("utf-8-sig").splitlines()
    reported = {e.line for e in report.errors}
    saved = 0
    for n, line in enumerate(lines, start=1):
        if line.strip() and n not in reported:
            saved += 1
    assert saved == report.created, (saved, report.summary(), report.errors)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_mangled_files_never_crash_the_import(fresh: Fresh, fmt: str) -> None:
    @FUZZ
    @given(data=mangled(VALID[fmt]))
    def check(data: bytes) -> None:
        kb = fresh()
        report = run(kb, f"f.{fmt}", data)
        check_whole_or_nothing(_reopen(fresh), report)
        if fmt == "jsonl":
            _each_line_saved_or_reported(data, report)

    check()


def test_the_unmangled_files_import_completely(fresh: Fresh) -> None:
    """The fuzz starts from files that are fully valid, so every loss above is the mutation's doing."""
    for fmt, raw in VALID.items():
        report = run(fresh(), f"f.{fmt}", raw)
        assert report.ok and report.created == 4, (fmt, report.errors)
        check_whole_or_nothing(_reopen(fresh), report)


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.99])
def test_a_truncated_xlsx_is_one_clear_error(fresh: Fresh, cut: float) -> None:
    raw = VALID["xlsx"]
    report = run(fresh(), "f.xlsx", raw[: int(len(raw) * cut)])
    assert report.created == 0 and len(report.errors) == 1
    assert "XLSX" in str(report.errors[0])


@pytest.mark.parametrize("changes", [
    {"fields": 1}, {"outputs": 5}, {"fields": {"banking": 1}}, {"outputs": True}, {"fields": 1.5, "outputs": 0},
])
def test_non_list_fields_and_outputs_are_reported_not_a_crash(fresh: Fresh, changes: dict) -> None:
    """Found by the fuzz above: a number where a list belongs made validation raise TypeError,
    which aborted the whole import, neighbours included."""
    lines = [record("ok-1"), record("bad", **changes), record("ok-2")]
    report = run(fresh(), "f.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in lines).encode())
    assert set(report.talent_ids) == {"ok-1", "ok-2"}
    assert {e.line for e in report.errors} == {2} and all(e.field for e in report.errors)
