"""``kb search --kind``: knowledge items through the real command; ``expert`` (the default) is today's search.

``kb import`` writes outputs through the write path, so their knowledge items
are queued and indexed by the command's own sync; ``kb reindex`` rebuilds both
indexes and finds the same items.
"""

from __future__ import annotations

import json

import pytest

from tests.kb.conftest import record
from tests.kb_process import KbProcess

TALENTS = [
    record("uav-1", research_directions=["无人机物流", "低空经济"],
           outputs=[{"type": "report", "title": "低空物流航线规划研究报告", "year": 2024},
                    {"type": "paper", "title": "无人机配送路径优化", "year": 2023}]),
    record("fin-1", research_directions=["供应链金融"],
           outputs=[{"type": "paper", "title": "应收账款融资与中小企业信贷", "year": 2022}]),
]
KEYS = {"kind", "id", "title", "talent_id", "request_id", "score", "match", "evidence"}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KbProcess:
    place = KbProcess(tmp_path_factory.mktemp("knowledge-cli"))
    corpus = place.data_dir / "talents.jsonl"
    corpus.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TALENTS), "utf-8")
    place.run("init")
    place.run("import", str(corpus))
    return place


def _search(kb: KbProcess, *args: str) -> dict:
    return json.loads(kb.run("search", *args, "--json").stdout)


@pytest.mark.parametrize(("kind", "expected"), [
    ("stage_result", {("stage_result", "uav-1")}),
    ("output", {("output", "uav-1"), ("output", "fin-1")}),
    ("stage_result,output", {("stage_result", "uav-1"), ("output", "uav-1"), ("output", "fin-1")}),
])
def test_kind_selects_knowledge_items(kb, kind, expected):
    body = _search(kb, "无人机物流 低空航线", "--kind", kind, "--top", "10")
    assert {(r["kind"], r["talent_id"]) for r in body["results"]} <= expected
    assert all(set(r) == KEYS and r["request_id"] is None for r in body["results"])
    assert body["results"][0]["talent_id"] == "uav-1"


def test_expert_is_the_default_and_unchanged(kb):
    default, expert = _search(kb, "无人机物流"), _search(kb, "无人机物流", "--kind", "expert")
    assert [r["id"] for r in default["results"]] == [r["id"] for r in expert["results"]]
    assert default["results"][0]["id"] == "uav-1" and "name" in default["results"][0]


@pytest.mark.parametrize("args", [("x", "--kind", "memo"), ("x", "--kind", "advice", "--category", "A"), ("--kind", "advice")])
def test_bad_use_is_refused(kb, args):
    result = kb.run("search", *args, check=False)
    assert result.returncode != 0 and result.stderr.strip()


def test_reindex_rebuilds_the_knowledge_index(kb):
    before = _search(kb, "应收账款融资", "--kind", "output")
    out = kb.run("reindex").stdout
    assert "reindexed 3 knowledge item(s)" in out
    after = _search(kb, "应收账款融资", "--kind", "output")
    assert [(r["kind"], r["id"]) for r in after["results"]] == [(r["kind"], r["id"]) for r in before["results"]]
