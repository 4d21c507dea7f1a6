"""Hostile import files against the import limits (kb/talents/limits.py).

A 46 KB XLSX whose shared strings expanded enormously kept a web worker busy for
24 s, a 247 KB one took 110 s and 650 MB; a CSV field over 128 KB, JSON Lines of
nested brackets, malformed sheet XML and a workbook without a sheet each raised
out of ``import_file`` (a 500 on the import page). Here hypothesis builds such
files — zip bombs of shared strings, parts that lie about their size, a
shared-string table over its count, mangled sheet XML, no sheet, deep JSON,
oversized fields and lines, invalid encodings, too many rows — and each must end
as a file- or line-level error in the report, within a time and memory bound,
with nothing saved. Bounded by ``KB_FUZZ_EXAMPLES`` (default 30 per property).
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.settings import load_settings
from kb.talents.importer import ImportReport, import_file
from kb.talents.limits import DEFAULT_LIMITS as LIMITS
from tests.kb.conftest import record
from tests.security.hostile_files import (
    HEADER,
    MAIN,
    shared_strings_xml,
    sheet_xml,
    understate_sizes,
    valid_xlsx,
    workbook_parts,
    xlsx,
)

ACTOR = Actor.system("hostile import tests")
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "30"))
MAX_SECONDS = 20.0  # traced (tracemalloc makes Python ~2x slower); untraced these take well under 2 s
MAX_PEAK_BYTES = 96 * 1024 * 1024
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])


@dataclass
class Hostile:
    name: str
    data: bytes
    expect: str  # a word the error must contain


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("hostile")
    knowledge = KnowledgeBase(load_settings({"env": "development", "data_dir": root,
                                             "database.url": f"sqlite:///{root / 'kb.sqlite3'}",
                                             "security.secret_key": "x"}))
    knowledge.init_db()
    yield knowledge
    knowledge.close()


def _rows(n: int, cell: str | int = "x") -> list[list[str | int]]:
    return [list(HEADER)] + [[f"h-{i}", cell, "B", "深圳大学", "banking", "供应链金融"] for i in range(n)]


# --------------------------------------------------------------------- hostile files, by class

@st.composite
def shared_string_bombs(draw: st.DrawFn) -> Hostile:
    """Many small strings (over the count) or fewer long ones (over the characters)."""
    if draw(st.booleans()):
        count = draw(st.integers(LIMITS.max_shared_strings + 1, 4 * LIMITS.max_shared_strings))
        table = shared_strings_xml(repeat=(draw(st.text("ab甲", min_size=1, max_size=4)), count))
        expect = "shared strings"
    else:
        size = draw(st.integers(2_000, 20_000))
        count = LIMITS.max_shared_string_chars // size + draw(st.integers(1, 200))
        table = shared_strings_xml(repeat=("谁" * (size // 3) + "a" * (size - size // 3), count))
        expect = "XLSX"  # over the characters, or a part over its size: both are named
    return Hostile("bomb.xlsx", xlsx(workbook_parts(sheet_xml(_rows(3, 0)), table)), expect)


@st.composite
def oversized_parts(draw: st.DrawFn) -> Hostile:
    """One part that expands beyond the per-part or total limit (declared honestly)."""
    size = draw(st.integers(LIMITS.max_member_bytes + 1, LIMITS.max_member_bytes + 4 * 1024 * 1024))
    filler = b"<!--" + b"A" * size + b"-->"
    parts = workbook_parts(sheet_xml(_rows(2)))
    parts[draw(st.sampled_from(["xl/media/image1.xml", "docProps/custom.xml"]))] = filler
    return Hostile("big.xlsx", xlsx(parts), "expands")


@st.composite
def lying_archives(draw: st.DrawFn) -> Hostile:
    rows = draw(st.integers(1, 50))
    raw = xlsx(workbook_parts(sheet_xml(_rows(rows)), shared_strings_xml(repeat=("x" * 50, 200))))
    return Hostile("lie.xlsx", understate_sizes(raw, draw(st.integers(2, 1000))), "XLSX")


@st.composite
def malformed_sheets(draw: st.DrawFn) -> Hostile:
    sheet = bytearray(sheet_xml(_rows(draw(st.integers(1, 20)))))
    kind = draw(st.sampled_from(["truncate", "garbage", "unclosed", "doctype", "bad_ref"]))
    if kind == "truncate":
        del sheet[draw(st.integers(1, len(sheet) - 2)):]
    elif kind == "garbage":
        pos = draw(st.integers(0, len(sheet) - 1))
        sheet[pos:pos] = draw(st.sampled_from([b"<", b"&", b"\x00", b"</row>", b"<c r='ZZZZZZ9999999'>"]))
    elif kind == "unclosed":
        sheet = bytearray(sheet.replace(b"</sheetData>", b""))
    elif kind == "doctype":
        sheet[0:0] = b'<!DOCTYPE x [<!ENTITY a "' + b"a" * 100 + b'">]>'
    else:
        sheet = bytearray(sheet.replace(b'r="A2"', b'r="A' + str(10**30).encode() + b'"'))
    return Hostile("bad.xlsx", xlsx(workbook_parts(bytes(sheet))), "")


def no_sheet() -> st.SearchStrategy[Hostile]:
    return st.just(Hostile("empty.xlsx", xlsx(workbook_parts(sheet_xml(_rows(2)), with_sheet=False)), "worksheet"))


@st.composite
def deep_json(draw: st.DrawFn) -> Hostile:
    depth = draw(st.integers(LIMITS.max_json_depth + 1, 200_000))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
    inner = opener * depth + b"1" + closer * depth
    line = '{"id": "d-1", "name": "深", "outputs": '.encode() + inner + b"}"
    return Hostile("deep.jsonl", line, "nested")


@st.composite
def huge_fields(draw: st.DrawFn) -> Hostile:
    kind = draw(st.sampled_from(["csv", "jsonl", "xlsx"]))
    if kind == "csv":
        size = draw(st.integers(LIMITS.max_cell_chars + 1, 400_000))
        quoted = draw(st.booleans())
        field = ('"' + "长," * (size // 2) + '"') if quoted else "x" * size
        return Hostile("f.csv", f"id,name\nh-1,{field}\n".encode(), "")
    if kind == "jsonl":
        size = draw(st.integers(LIMITS.max_line_bytes + 1, LIMITS.max_line_bytes + 300_000))
        return Hostile("f.jsonl", b'{"id": "h-1", "bio": "' + b"a" * size + b'"}', "longer")
    size = draw(st.integers(LIMITS.max_cell_chars + 1, 100_000))
    return Hostile("f.xlsx", xlsx(workbook_parts(sheet_xml(_rows(1, "y" * size)))), "characters")


@st.composite
def bad_encodings(draw: st.DrawFn) -> Hostile:
    junk = draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80" * 5]))
    return Hostile("enc.jsonl", b'{"id": "e-1", "name": "' + junk + b'"}\n', "UTF-8")


@st.composite
def too_many_rows(draw: st.DrawFn) -> Hostile:
    extra = draw(st.integers(1, 5000))
    if draw(st.booleans()):
        return Hostile("rows.csv", b"id,name\n" + b",\n" * (LIMITS.max_records + extra), "rows")
    return Hostile("rows.jsonl", b"\n" * (LIMITS.max_records + extra) + b"{}", "lines")


HOSTILE = st.one_of(shared_string_bombs(), oversized_parts(), lying_archives(), no_sheet(), deep_json(),
                    huge_fields(), bad_encodings(), too_many_rows())


# --------------------------------------------------------------------- the property

def _import(kb: KnowledgeBase, hostile: Hostile) -> tuple[ImportReport, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = import_file(kb.sessions, Path(hostile.name), ACTOR, data=hostile.data)
        return report, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _check(kb: KnowledgeBase, hostile: Hostile) -> ImportReport:
    report, seconds, peak = _import(kb, hostile)
    assert not report.ok and report.created == 0 and report.updated == 0, (hostile.name, report.summary())
    assert all(str(e).strip() and e.message.strip() for e in report.errors)
    assert any(hostile.expect.lower() in e.message.lower() for e in report.errors), \
        (hostile.name, hostile.expect, [str(e)[:200] for e in report.errors[:3]])
    assert seconds < MAX_SECONDS, (hostile.name, seconds)
    assert peak < MAX_PEAK_BYTES, (hostile.name, peak)
    return report


@FUZZ
@given(hostile=HOSTILE)
def test_a_hostile_file_ends_as_errors_in_the_report_within_time_and_memory(kb: KnowledgeBase,
                                                                           hostile: Hostile) -> None:
    _check(kb, hostile)


@FUZZ
@given(hostile=malformed_sheets())
def test_a_malformed_sheet_is_a_file_error_or_reads_whole_rows(kb: KnowledgeBase, hostile: Hostile) -> None:
    """Some damage still parses (a stray closing tag, a row number far away); the rest is a file error.
    Either way nothing raises, and what was read is whole rows (dry run: nothing saved between examples)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = import_file(kb.sessions, Path(hostile.name), ACTOR, data=hostile.data, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < MAX_SECONDS and peak < MAX_PEAK_BYTES
    assert report.ok or all(str(e).strip() for e in report.errors)
    assert report.saved <= 20 and report.dry_run  # a dry run counts what it would save, saves nothing


# --------------------------------------------------------------------- the review's examples

def test_the_reviews_shared_string_bomb_is_refused_before_openpyxl_reads_it(kb: KnowledgeBase) -> None:
    """About the 247 KB file of the review: a million short shared strings."""
    raw = xlsx(workbook_parts(sheet_xml(_rows(3, 0)), shared_strings_xml(repeat=("ab", 1_000_000))))
    assert len(raw) < 300_000
    report, seconds, _peak = _import(kb, Hostile("bomb.xlsx", raw, "shared strings"))
    assert [e.line for e in report.errors] == [0] and "shared strings" in report.errors[0].message
    assert seconds < 5


GOOD_CSV_ROW = "h-2,专家,B,深圳大学,banking,供应链金融\n".encode()
GOOD_JSON_LINE = json.dumps(record("ok-1"), ensure_ascii=False).encode() + b"\n"


@pytest.mark.parametrize(("name", "data", "line"), [
    ("big-field.csv", b"id,name,category,organization,fields,research_directions\nh-1," + b"x" * 140_000 + b"\n"
     + GOOD_CSV_ROW, 2),
    ("long-cell.csv", b"id,name,category,organization,fields,research_directions\nh-1," + b"x" * 40_000 + b"\n"
     + GOOD_CSV_ROW, 2),
    ("nested.jsonl", GOOD_JSON_LINE + b"[" * 100_000 + b"]" * 100_000 + b"\n", 2),
    ("digits.jsonl", GOOD_JSON_LINE + b'{"id": ' + b"9" * 6000 + b"}\n", 2),
])
def test_a_bad_line_is_reported_on_its_line_and_the_file_goes_on(kb: KnowledgeBase, name: str, data: bytes,
                                                                 line: int) -> None:
    report = import_file(kb.sessions, Path(name), ACTOR, data=data, dry_run=True)
    assert [e.line for e in report.errors] == [line], [str(e) for e in report.errors]
    assert report.saved == 1  # the other record would still be saved (dry run)


def test_a_workbook_without_a_sheet_and_one_with_broken_xml_are_file_errors(kb: KnowledgeBase) -> None:
    empty = xlsx(workbook_parts(sheet_xml(_rows(1)), with_sheet=False))
    broken = xlsx(workbook_parts(sheet_xml(_rows(3)).replace(b"</row>", b"", 1)))
    for raw in (empty, broken):
        report = import_file(kb.sessions, Path("f.xlsx"), ACTOR, data=raw, dry_run=True)
        assert [e.line for e in report.errors] == [0] and report.saved == 0


def test_limits_are_not_hit_by_an_ordinary_file(kb: KnowledgeBase) -> None:
    report = import_file(kb.sessions, Path("ok.xlsx"), ACTOR, data=valid_xlsx(20), dry_run=True)
    assert report.ok and report.saved == 20
    assert MAIN in sheet_xml([["a"]]).decode()
