"""The import page with the review's hostile files: each is answered with the import report
(one failed, its error in the table), quickly, never with a 500 — the page used to raise on
every one of them."""

from __future__ import annotations

import io
import time

import pytest
from flask.testing import FlaskClient

from tests.security.conftest import World
from tests.security.hostile_files import HEADER, shared_strings_xml, sheet_xml, workbook_parts, xlsx
from tests.web.conftest import csrf_token

ROWS: list[list[str | int]] = [list(HEADER), ["p-1", 0, "B", "深圳大学", "banking", "供应链金融"]]
FILES = {
    "shared-string bomb": ("bomb.xlsx", xlsx(workbook_parts(sheet_xml(ROWS), shared_strings_xml(repeat=("ab", 400_000))))),
    "no worksheet": ("empty.xlsx", xlsx(workbook_parts(sheet_xml(ROWS), with_sheet=False))),
    "malformed sheet XML": ("broken.xlsx", xlsx(workbook_parts(sheet_xml(ROWS).replace(b"</row>", b"", 1)))),
    "nested JSON": ("deep.jsonl", b"[" * 200_000 + b"]" * 200_000 + b"\n"),
    "CSV field over 128 KB": ("big.csv", b"id,name\np-1," + b"x" * 200_000 + b"\n"),
    "not UTF-8": ("enc.jsonl", b'{"id": "\xff\xfe"}\n'),
}


@pytest.mark.parametrize("kind", list(FILES))
def test_a_hostile_upload_is_answered_with_its_report(world: World, web_clients: dict[str, FlaskClient],
                                                      kind: str) -> None:
    name, data = FILES[kind]
    admin = web_clients["admin"]
    started = time.perf_counter()
    resp = admin.post("/admin/import", data={"csrf_token": csrf_token(admin, "/account"), "dry_run": "y",
                                             "file": (io.BytesIO(data), name)})
    assert resp.status_code == 200, (kind, resp.status_code)
    assert time.perf_counter() - started < 10
    page = resp.get_data(as_text=True)
    assert '<table class="table errors">' in page and '<li class="bad"><strong>1</strong>' in page, (kind, page[:800])
