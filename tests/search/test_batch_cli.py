"""``kb search --batch``: the acceptance path's own contract, through the real command.

Input, one JSON object per line: ``{"qid", "query", "filters": {"category": [...],
"fields": [...]}}``. Output, one line per input line in the same order:
``{"qid", "results": [{"id", "score", "match", "evidence"}]}`` (good matches — strong,
partial — first, each tier by score) — or, for a line that cannot be
run, ``{"qid", "error"}`` while every other line is still answered, and the command then
exits non-zero naming each bad line on stderr. ``--top N`` bounds every result list. The hashing embedder keeps this fast: the contract, not the ranking
quality, is under test here (test_acceptance_quality.py does quality).
"""

from __future__ import annotations

import json

import pytest

from tests.kb.conftest import record
from tests.kb_process import KbProcess, json_lines

#: Everyone works on supply-chain finance except the drone-logistics pair, so a filter
#: that is ignored lets the wrong category or field through.
TALENTS = [
    record("sc-a1", category="A", fields=["banking"], research_directions=["供应链金融", "应收账款融资"]),
    record("sc-a2", category="A", fields=["law"], research_directions=["供应链金融法律合规", "票据法"]),
    record("sc-b1", category="B", fields=["banking"], research_directions=["供应链金融风控", "中小企业信贷"]),
    record("sc-b2", category="B", fields=["law", "funds"], research_directions=["供应链金融纠纷", "基金合规"]),
    record("sc-c1", category="C", fields=["funds"], research_directions=["供应链金融科技", "区块链票据"]),
    record("uav-b1", category="B", fields=["iot"], research_directions=["无人机物流", "低空经济"],
           bio="研究城市低空无人机配送网络。", outputs=[{"type": "report", "title": "低空物流航线规划", "year": 2024}]),
    record("uav-c1", category="C", fields=["robotics"], research_directions=["无人机物流调度", "低空经济"],
           bio="无人机集群调度算法。", outputs=[{"type": "paper", "title": "无人机配送路径优化", "year": 2023}]),
]
BY_ID = {t["id"]: t for t in TALENTS}
SUPPLY_CHAIN = {t["id"] for t in TALENTS if t["id"].startswith("sc-")}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KbProcess:
    place = KbProcess(tmp_path_factory.mktemp("batch"))
    corpus = place.data_dir / "talents.jsonl"
    corpus.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TALENTS), "utf-8")
    place.run("init")
    place.run("import", str(corpus))
    return place


FILTER_CASES = [
    ({"category": ["B"]}, {"sc-b1", "sc-b2", "uav-b1"}),
    ({"category": ["A", "C"]}, {"sc-a1", "sc-a2", "sc-c1", "uav-c1"}),
    ({"fields": ["law"]}, {"sc-a2", "sc-b2"}),
    ({"fields": ["funds", "iot"]}, {"sc-b2", "sc-c1", "uav-b1"}),
    ({"category": ["B"], "fields": ["law"]}, {"sc-b2"}),
]

#: One file with every well-formed case, each filtered line between two unfiltered ones,
#: so a filter that leaked from one line into the next would show.
GOOD_LINES: list[object] = [
    {"qid": "q-sc", "query": "供应链金融", "filters": {}},
    {"qid": "q-uav", "query": "无人机物流"},
    "",
    "   ",
    {"qid": "q-en", "query": "low-altitude drone delivery", "filters": None},
]
for n, (filters, _) in enumerate(FILTER_CASES):
    GOOD_LINES += [{"qid": f"filtered-{n}", "query": "供应链金融", "filters": filters},
                   {"qid": f"plain-{n}", "query": "供应链金融"}]

BAD_LINES = {
    "not JSON": "{this is not json",
    "not an object": "[\"供应链金融\"]",
    "a bare string": "\"供应链金融\"",
    "no query": {"qid": "bad-no-query", "filters": {"category": ["A"]}},
    "filters not an object": {"qid": "bad-filters", "query": "供应链金融", "filters": "category=A"},
}
#: Every bad line between two good ones; line numbers are 2, 4, 6... in the file.
MIXED_LINES: list[object] = [{"qid": "good-0", "query": "供应链金融"}]
for n, bad in enumerate(BAD_LINES.values(), start=1):
    MIXED_LINES += [bad, {"qid": f"good-{n}", "query": "无人机物流"}]


def run_batch(kb: KbProcess, lines: list[object], *options: str) -> tuple[int, list[dict], str]:
    path = kb.data_dir / f"queries-{abs(hash((tuple(map(str, lines)), options)))}.jsonl"
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines), "utf-8")
    proc = kb.run("search", "--batch", str(path), "--json", *options, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json_lines(proc.stdout), proc.stderr


@pytest.fixture(scope="module")
def good(kb: KbProcess) -> tuple[int, dict[str, dict]]:
    code, out, _ = run_batch(kb, GOOD_LINES)
    return code, {line["qid"]: line for line in out}


@pytest.fixture(scope="module")
def mixed(kb: KbProcess) -> tuple[int, list[dict], str]:
    return run_batch(kb, MIXED_LINES)


def ids(line: dict) -> list[str]:
    return [r["id"] for r in line["results"]]


def test_each_line_is_answered_in_order_with_ids_scores_and_evidence(kb):
    code, out, _ = run_batch(kb, GOOD_LINES[:5])
    assert code == 0
    assert [line["qid"] for line in out] == ["q-sc", "q-uav", "q-en"]  # blank lines are not queries
    for line in out:
        assert set(line) >= {"qid", "results"} and "error" not in line
        assert list(line["results"][0])[:3] == ["id", "score", "match"]
        levels = [r["match"] for r in line["results"]]
        good = [m for m in levels if m != "weak"]
        assert set(levels) <= {"strong", "partial", "weak"} and levels[: len(good)] == good  # good matches first
        for tier in (line["results"][: len(good)], line["results"][len(good):]):
            scores = [r["score"] for r in tier]
            assert scores == sorted(scores, reverse=True) and all(isinstance(s, float) for s in scores)
        for result in line["results"]:
            assert result["id"] in BY_ID
            assert result["evidence"] and all(e["text"] for e in result["evidence"])
    assert set(ids(out[0])[:5]) == SUPPLY_CHAIN
    assert set(ids(out[1])[:2]) == {"uav-b1", "uav-c1"}
    # the evidence quotes the passage that made the match
    assert any("无人机" in e["text"] for e in out[1]["results"][0]["evidence"])


@pytest.mark.parametrize(("case", "allowed"), [(n, allowed) for n, (_, allowed) in enumerate(FILTER_CASES)],
                         ids=[json.dumps(f, ensure_ascii=False) for f, _ in FILTER_CASES])
def test_each_line_applies_its_own_filters(good, case, allowed):
    code, answers = good
    assert code == 0
    filtered, unfiltered = answers[f"filtered-{case}"], answers[f"plain-{case}"]
    assert ids(filtered) and set(ids(filtered)) <= allowed, filtered
    # the best supply-chain expert inside the filter comes first
    assert ids(filtered)[0] in allowed & SUPPLY_CHAIN
    # the filter changed the answer: without it, talents outside it rank in the top five
    assert set(ids(unfiltered)[:5]) - allowed
    # and it did not leak into the next line
    assert ids(unfiltered) == ids(answers["q-sc"])


@pytest.mark.parametrize("top", [1, 2, 4])
def test_top_bounds_every_result_list(kb, good, top):
    _, wide = good
    code, bounded, _ = run_batch(kb, GOOD_LINES, "--top", str(top))
    assert code == 0 and len(bounded) == len(wide)
    for short in bounded:
        assert len(short["results"]) <= top
        assert ids(short) == ids(wide[short["qid"]])[:top]
    assert len(bounded[0]["results"]) == top  # five talents match: the bound is what cuts the list


@pytest.mark.parametrize("n", range(1, len(BAD_LINES) + 1), ids=list(BAD_LINES))
def test_a_bad_line_is_reported_on_its_own_line_and_the_others_are_answered(mixed, n):
    code, out, stderr = mixed
    assert len(out) == len(MIXED_LINES), out
    bad, reported, after = MIXED_LINES[2 * n - 1], out[2 * n - 1], out[2 * n]
    assert reported.get("error") and "results" not in reported, reported
    # the report says which input line it is: its qid when it has one, else its line number
    line_number = 2 * n
    if isinstance(bad, dict):
        assert reported["qid"] == bad["qid"]
    else:
        assert str(line_number) in str(reported["qid"])
    assert f"line {line_number}:" in stderr
    # the lines around it are answered as if it were not there
    assert after["qid"] == f"good-{n}" and ids(after)[:2] in (["uav-b1", "uav-c1"], ["uav-c1", "uav-b1"])
    assert out[0]["qid"] == "good-0" and set(ids(out[0])[:5]) == SUPPLY_CHAIN


def test_a_batch_with_bad_lines_exits_non_zero_after_answering_all(mixed):
    code, out, stderr = mixed
    assert code != 0
    assert f"{len(BAD_LINES)} line(s)" in stderr
    assert sum("error" in line for line in out) == len(BAD_LINES)


def test_a_single_search_as_json_labels_each_result_and_counts_the_good_ones(kb):
    proc = kb.run("search", "无人机物流", "--json")
    body = json.loads(proc.stdout)
    levels = [r["match"] for r in body["results"]]
    assert levels and set(levels) <= {"strong", "partial", "weak"}
    assert body["matched"] == len([m for m in levels if m != "weak"]) <= body["total"]
    punctuation = json.loads(kb.run("search", "？？？！！", "--json").stdout)
    assert punctuation["matched"] == 0 and {r["match"] for r in punctuation["results"]} <= {"weak"}
