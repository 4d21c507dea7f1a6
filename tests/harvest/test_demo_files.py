"""The demo harvest files under kb/data fit their demo talents: readable, each with a couple of
items the profile already has (so the first-run journey shows duplicates), the rest new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.demo import demo_files
from kb.talents.harvest.detect import parse_file
from kb.talents.harvest.duplicates import Known, find_duplicate
from kb.talents.harvest.mapping import to_output

DATA = Path(__file__).resolve().parents[2] / "kb" / "data"


def _demo(talent_id: str) -> dict:
    for path in demo_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["id"] == talent_id:
                return rec
    raise LookupError(talent_id)


@pytest.mark.parametrize("name, talent_id, fmt", [("demo-001_cnki.ris", "demo-001", "ris"),
                                                   ("demo-004_scholar.bib", "demo-004", "bibtex")])
def test_demo_file_has_two_duplicates_of_its_talents_outputs(name: str, talent_id: str, fmt: str) -> None:
    found, items = parse_file((DATA / name).read_bytes())
    assert found == fmt
    existing = [Known.of("existing", i, o) for i, o in enumerate(_demo(talent_id)["outputs"])]
    mapped = [to_output(i) for i in items]
    assert all(not m.error for m in mapped)
    duplicates = [m.values["title"] for m in mapped if find_duplicate(m.values, existing)]
    assert len(duplicates) == 2 and len(mapped) - len(duplicates) == 3
