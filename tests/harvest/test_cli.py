"""``kb outputs import`` through the real command: preview saves nothing, ``--yes`` claims
the new items, ``--json`` has the documented shape, exit 1 when an item (or the file) failed."""

from __future__ import annotations

import json

import pytest

from tests.harvest.conftest import DATA, jsonl, talent_record
from tests.kb_process import KbProcess

KEYS = {"talent", "parsed", "created", "duplicates", "failed"}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KbProcess:
    place = KbProcess(tmp_path_factory.mktemp("harvest-cli"))
    place.run("init")
    source = place.data_dir / "talents.jsonl"
    source.write_bytes(jsonl(talent_record(), talent_record("h-002", outputs=[])))
    place.run("import", str(source))
    return place


def _json(kb: KbProcess, *args: str) -> tuple[int, dict]:
    proc = kb.run("outputs", "import", *args, "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)


def _outputs(kb: KbProcess, talent: str) -> list[dict]:
    out = kb.data_dir / "export.jsonl"
    kb.run("export", str(out))
    rec = next(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()
               if json.loads(line)["id"] == talent)
    return rec.get("outputs", [])


def test_preview_only_saves_nothing_and_exits_1_for_a_failed_item(kb: KbProcess) -> None:
    code, report = _json(kb, "h-001", str(DATA / "scholar.bib"))
    assert code == 1 and set(report) == KEYS
    assert report == {"talent": "h-001", "parsed": 6, "created": 0, "duplicates": 3,
                      "failed": [{"item": 6, "error": report["failed"][0]["error"]}]}
    assert "could not be read" in report["failed"][0]["error"]
    assert len(_outputs(kb, "h-001")) == 4


def test_yes_claims_the_new_items_and_exit_0_when_none_failed(kb: KbProcess) -> None:
    code, report = _json(kb, "h-002", str(DATA / "patents_en.xlsx"), "--yes")
    assert (code, report) == (0, {"talent": "h-002", "parsed": 2, "created": 2, "duplicates": 0, "failed": []})
    outputs = _outputs(kb, "h-002")
    assert {o["number"] for o in outputs} == {"US11783456B2", "CN117000111A"}
    # The same file again: everything is a duplicate now, nothing is created twice.
    code, report = _json(kb, "h-002", str(DATA / "patents_en.xlsx"), "--yes", "--format", "patents")
    assert (code, report["created"], report["duplicates"]) == (0, 0, 2)
    assert len(_outputs(kb, "h-002")) == 2


def test_an_unreadable_file_is_one_failure_with_exit_1(kb: KbProcess) -> None:
    bad = kb.data_dir / "notes.txt"
    bad.write_text("不是题录文件", encoding="utf-8")
    code, report = _json(kb, "h-001", str(bad))
    assert code == 1 and report["parsed"] == 0 and report["failed"][0]["item"] == 0


def test_an_unknown_talent_or_format_is_refused(kb: KbProcess) -> None:
    proc = kb.run("outputs", "import", "nobody", str(DATA / "scholar.bib"), check=False)
    assert proc.returncode == 1 and "nobody" in proc.stderr
    proc = kb.run("outputs", "import", "h-001", str(DATA / "scholar.bib"), "--format", "marc", check=False)
    assert proc.returncode == 2


def test_human_preview_names_duplicates_and_what_they_repeat(kb: KbProcess) -> None:
    proc = kb.run("outputs", "import", "h-001", str(DATA / "cnki_gbk.ris"), check=False)
    assert proc.returncode == 0
    assert "本外币一体化资金池的跨境资金流动风险监测" in proc.stdout  # the GBK file, read as Chinese
    assert "preview only" in proc.stdout
