"""``kb search --batch``'s engine: one answer per line, bad lines reported and skipped, filters exact.

Good lines run against both backends (``small_index``); the bad-line cases
never reach a search at all, which a search that refuses to be called checks.
"""

from __future__ import annotations

import json

import pytest

from indexer import SearchQuery
from indexer.backends.base import Filters, TalentRecord
from kb.batch_search import query_from_record, run_batch
from tests.search.conftest import SMALL_CORPUS

BY_ID = {d.talent_id: d for d in SMALL_CORPUS}


class NoSearch:
    """Bad lines must be rejected before any search runs."""

    def search(self, query: SearchQuery):  # type: ignore[no-untyped-def]
        raise AssertionError(f"a bad line was searched: {query}")


BAD_LINES = {
    "not json": "{qid: 1}",
    "not an object": '["巨灾再保险"]',
    "no query": '{"qid": "q"}',
    "empty query": '{"qid": "q", "query": "   "}',
    "query not text": '{"qid": "q", "query": 7}',
    "filters not an object": '{"qid": "q", "query": "保险", "filters": ["A"]}',
    "misspelt filter": '{"qid": "q", "query": "保险", "filters": {"field": ["insurance"]}}',
    "unknown category": '{"qid": "q", "query": "保险", "filters": {"category": ["Z"]}}',
    "unknown field": '{"qid": "q", "query": "保险", "filters": {"fields": ["alchemy"]}}',
    "codes not strings": '{"qid": "q", "query": "保险", "filters": {"fields": [1]}}',
    "both category spellings": '{"qid": "q", "query": "保险", "filters": {"category": "A", "categories": ["B"]}}',
    "available not a bool": '{"qid": "q", "query": "保险", "filters": {"available": "yes"}}',
    "limit zero": '{"qid": "q", "query": "保险", "limit": 0}',
    "limit too large": '{"qid": "q", "query": "保险", "limit": 100000}',
    "limit not a number": '{"qid": "q", "query": "保险", "limit": "5"}',
}


@pytest.mark.parametrize("line", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_a_bad_line_is_answered_with_an_error_and_never_searched(line):
    (answer,) = run_batch(NoSearch(), ["", line])  # type: ignore[arg-type]
    assert answer.failed and answer.line == 2 and answer.output["error"]
    record = json.loads(line) if line.startswith('{"') else None
    assert answer.output["qid"] == (record["qid"] if record else "2")


def test_bad_lines_do_not_stop_the_batch(small_index):
    lines = [
        BAD_LINES["not json"],
        '{"qid": "a", "query": "巨灾再保险"}',
        BAD_LINES["unknown field"],
        "",
        '{"qid": "b", "query": "cross-border data transfer compliance"}',
    ]
    answers = list(run_batch(small_index, lines, top=3))
    assert [(a.line, a.output["qid"], a.failed) for a in answers] == [
        (1, "1", True),
        (2, "a", False),
        (3, "q", True),
        (5, "b", False),
    ]
    assert answers[1].output["results"][0]["id"] == "t-ins-2"
    assert answers[3].output["results"][0]["id"] == "t-law-1"


def test_results_are_the_searchs_own_in_the_contract_shape(small_index):
    (answer,) = run_batch(small_index, ['{"qid": 7, "query": "健康险精算定价"}'], top=4)
    direct = small_index.search(SearchQuery("健康险精算定价", limit=4, with_facets=False))
    assert answer.output["qid"] == 7
    results = answer.output["results"]
    assert [r["id"] for r in results] == [r.talent_id for r in direct.results]
    assert [r["score"] for r in results] == [round(r.score, 6) for r in direct.results]
    for result in results:
        assert {"id", "score", "evidence"} <= set(result) and result["evidence"]
        assert all({"kind", "ref", "text", "score", "matched_by"} <= set(e) for e in result["evidence"])
    json.dumps(answer.output, ensure_ascii=False)  # plain JSON all the way down


FILTER_CASES = [
    {"category": ["A"]},
    {"categories": ["B", "C"]},
    {"category": "C"},
    {"fields": ["insurance", "law"]},
    {"available": False},
    {"available": True, "languages": ["en"]},
    {"category": ["B"], "fields": ["big_data", "banking"]},
]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=[json.dumps(f) for f in FILTER_CASES])
def test_per_line_filters_are_exact(small_index, filters):
    line = json.dumps({"qid": "f", "query": "数据 保险 机器人 cloud data insurance marine drug", "filters": filters})
    (answer,) = run_batch(small_index, [line], top=10)
    query = query_from_record(json.loads(line), 10)
    accept = Filters(query.categories, query.fields, query.available, query.languages)
    expected = {d.talent_id for d in SMALL_CORPUS if accept.accepts(_record(d))}
    got = [r["id"] for r in answer.output["results"]]
    assert got and set(got) <= expected, (got, expected)
    unfiltered = [
        r["id"]
        for r in next(
            iter(run_batch(small_index, [json.dumps({"query": json.loads(line)["query"]})]))
        ).output["results"]
    ]
    assert set(unfiltered) - expected, "the case must exclude someone the unfiltered query finds"


def test_a_line_limit_overrides_the_runs_top(small_index):
    lines = [
        '{"qid": "x", "query": "保险 数据 cloud", "limit": 2}',
        '{"qid": "y", "query": "保险 数据 cloud"}',
    ]
    short, default = run_batch(small_index, lines, top=5)
    assert len(short.output["results"]) == 2 and len(default.output["results"]) > 2


def _record(doc) -> TalentRecord:  # type: ignore[no-untyped-def]
    return TalentRecord(
        doc.talent_id,
        doc.name,
        doc.name_en,
        doc.category,
        tuple(doc.fields),
        doc.title,
        doc.organization,
        doc.available,
        tuple(doc.languages),
    )
