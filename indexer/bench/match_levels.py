"""Match-strength figures of ``python -m indexer.bench quality``.

Two questions a user asks of the labels: does a need nobody serves ever get a
``strong`` expert (it must not), and are the ideal experts of real needs
labelled ``strong`` or ``partial`` (they should be)? No-answer needs are the
set's own queries without any judged expert plus a file of needs nobody in
the corpus serves (default ``tests/data/no_answer/queries.jsonl`` of this
checkout: noise, punctuation and off-topic needs in Chinese and English).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.bench.dataset import EvalQuery, EvalSet
from indexer.models import SearchQuery
from indexer.search import ExpertSearch

DEFAULT_NO_ANSWER = Path(__file__).resolve().parents[2] / "tests" / "data" / "no_answer" / "queries.jsonl"


@dataclass(frozen=True)
class NoAnswerQuery:
    qid: str
    text: str
    kind: str


def load_no_answer(path: Path | None) -> list[NoAnswerQuery]:
    if path is None or not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.append(NoAnswerQuery(q["qid"], q["query"], q.get("kind", "off-topic")))
    return out


def _levels(search: ExpertSearch, q: EvalQuery | NoAnswerQuery) -> dict[str, str]:
    if isinstance(q, EvalQuery):
        query = SearchQuery(q.text, categories=q.categories, fields=q.fields, limit=100, with_facets=False)
    else:
        query = SearchQuery(q.text, limit=100, with_facets=False)
    response = search.search(query)
    return {r.talent_id: r.match or "weak" for r in response.results}


def match_figures(search: ExpertSearch, evalset: EvalSet, no_answer: list[NoAnswerQuery]) -> dict[str, Any]:
    """Counts and shares for the hybrid ranking with the production thresholds."""
    by_grade: dict[int, Counter[str]] = {g: Counter() for g in (1, 2, 3)}
    unjudged = [q for q in evalset.queries if not evalset.qrels.get(q.qid)]
    for q in evalset.queries:
        judged = evalset.qrels.get(q.qid) or {}
        if not judged:
            continue
        levels = _levels(search, q)
        for talent_id, grade in judged.items():
            if grade in by_grade:
                by_grade[grade][levels.get(talent_id, "absent")] += 1
    ideal = by_grade[3]
    no_answer_rows: list[dict[str, Any]] = []
    for need in [*no_answer, *(NoAnswerQuery(u.qid, u.text, "unjudged") for u in unjudged)]:
        counts = Counter(_levels(search, need).values())
        no_answer_rows.append(
            {"qid": need.qid, "kind": need.kind, "strong": counts["strong"], "partial": counts["partial"]}
        )
    n_ideal = sum(ideal.values()) or 1
    return {
        "grade3": dict(ideal),
        "grade3_strong_or_partial": round((ideal["strong"] + ideal["partial"]) / n_ideal, 4),
        "grade3_strong": round(ideal["strong"] / n_ideal, 4),
        "by_grade": {g: dict(c) for g, c in by_grade.items()},
        "no_answer_queries": len(no_answer_rows),
        "no_answer_with_strong": sum(1 for r in no_answer_rows if r["strong"]),
        "no_answer_with_partial": sum(1 for r in no_answer_rows if r["partial"] and not r["strong"]),
        "noise_with_good": sum(
            1 for r in no_answer_rows if r["kind"] in ("gibberish", "punctuation") and (r["strong"] or r["partial"])
        ),
        "no_answer": no_answer_rows,
    }


def print_match(figures: dict[str, Any]) -> None:
    ideal = figures["grade3"]
    print(
        f"match levels (hybrid): grade-3 experts strong or partial {figures['grade3_strong_or_partial']:.1%}"
        f" (strong {figures['grade3_strong']:.1%}; {ideal})"
    )
    print(
        f"no-answer needs: {figures['no_answer_with_strong']} of {figures['no_answer_queries']} get a strong"
        f" expert, {figures['no_answer_with_partial']} a partial one at best;"
        f" noise/punctuation with any good match: {figures['noise_with_good']}"
    )
