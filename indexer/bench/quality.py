"""``python -m indexer.bench quality DIR``: ranking quality on a judged set.

Builds a temporary index from ``DIR/corpus.jsonl`` for each embedder and
backend (embedded by default; ``--backend elasticsearch`` with a node's URL, or
both to compare them: then the NDCG difference and the agreement of the two
top-10 lists, ``indexer.bench.agreement``, are printed too), runs every query in lexical, dense and hybrid mode (and hybrid with the other
fusion method) and prints NDCG@10 / Recall@10 / MRR, overall and on the
cross-lingual subset. Metric conventions are in ``indexer.bench.metrics``.
Then the match-strength figures (``indexer.bench.match_levels``): how many
no-answer needs get a ``strong`` expert and what share of grade-3 experts is
labelled ``strong`` or ``partial``.
The last line of output is one JSON object with all figures.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.bench.agreement import agreement
from indexer.bench.dataset import EvalSet, load_eval_set
from indexer.bench.match_levels import (
    DEFAULT_NO_ANSWER,
    NoAnswerQuery,
    load_no_answer,
    match_figures,
    print_match,
)
from indexer.bench.metrics import evaluate
from indexer.embedding import make_embedder
from indexer.models import Mode, SearchQuery
from indexer.retrieval.params import DEFAULT_PARAMS
from indexer.search import ExpertSearch, open_search
from indexer.settings import SearchSettings

#: (label, mode, ranking-parameter overrides) rows printed per embedder. After
#: the three modes come ablations: the other fusion method (rrf), aggregation by
#: the best passage only (max), raw instead of language-centred dense scores
#: (raw), and a fixed lexical weight instead of the visibility weighting (novis).
RUNS: tuple[tuple[str, Mode, dict[str, Any]], ...] = (
    ("lexical", "lexical", {}),
    ("dense", "dense", {}),
    ("hybrid", "hybrid", {}),
    ("hybrid-rrf", "hybrid", {"fusion": "rrf"}),
    ("hybrid-max", "hybrid", {"agg_alpha": 0.0}),
    ("dense-raw", "dense", {"center_dense": False}),
    ("hybrid-raw", "hybrid", {"center_dense": False}),
    ("hybrid-novis", "hybrid", {"visibility_weighting": False}),
)


def rankings(search: ExpertSearch, evalset: EvalSet, mode: Mode) -> dict[str, list[str]]:
    out = {}
    for q in evalset.queries:
        response = search.search(
            SearchQuery(
                q.text, categories=q.categories, fields=q.fields, mode=mode, limit=100, with_facets=False
            )
        )
        out[q.qid] = [r.talent_id for r in response.results]
    return out


def run_embedder(
    evalset: EvalSet, spec: str, xl: list[str], workdir: Path, base: SearchSettings,
    no_answer: list[NoAnswerQuery] | None = None, backend: str = "embedded",
    hybrid_rankings: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Figures of one embedder on one backend; ``hybrid_rankings`` (if given) receives the
    default mode's rankings, for comparing backends."""
    settings = replace(
        base,
        data_dir=workdir / f"{backend}-{spec.replace(':', '_')}",
        backend=backend,
        elasticsearch_index=f"kbquality-{os.getpid()}-{spec.replace(':', '_').lower()}",
    )
    embedder = make_embedder(settings, spec)
    search = open_search(settings, embedder=embedder)
    try:
        started = time.perf_counter()
        search.rebuild(evalset.docs)
        build_s = time.perf_counter() - started
        figures: dict[str, Any] = {"embedder": embedder.name, "backend": backend, "build_s": round(build_s, 2)}
        xl_qrels = {q: evalset.qrels[q] for q in xl if q in evalset.qrels}
        for label, mode, overrides in RUNS:
            view = search.with_params(**overrides)
            ranked = rankings(view, evalset, mode)
            if label == "hybrid" and hybrid_rankings is not None:
                hybrid_rankings.update(ranked)
            figures[label] = {
                "all": _round(evaluate(ranked, evalset.qrels)),
                "cross_lingual": _round(evaluate(ranked, xl_qrels)),
            }
        figures["match"] = match_figures(search, evalset, no_answer or [])
    finally:
        if backend == "elasticsearch":
            search.backend.drop()  # type: ignore[attr-defined]  # the benchmark's own throw-away index
        search.close()
    return figures


def _round(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}


def print_table(spec: str, figures: dict[str, Any]) -> None:
    print(
        f"\n== embedder {spec}: {figures['embedder']}, {figures.get('backend', 'embedded')} backend "
        f"(index built in {figures['build_s']} s)"
    )
    print(f"{'run':<12} {'NDCG@10':>8} {'R@10':>7} {'MRR':>7} | {'XL NDCG':>8} {'XL R@10':>8} {'XL MRR':>7}")
    for label, *_ in RUNS:
        a, x = figures[label]["all"], figures[label]["cross_lingual"]
        print(
            f"{label:<12} {a['ndcg@10']:>8.4f} {a['recall@10']:>7.4f} {a['mrr']:>7.4f} |"
            f" {x['ndcg@10']:>8.4f} {x['recall@10']:>8.4f} {x['mrr']:>7.4f}"
        )
    if "match" in figures:
        print_match(figures["match"])


def main(directory: Path, embedders: list[str], cross_lingual: list[str] | None,
         base: SearchSettings | None = None, no_answer_path: Path | None = DEFAULT_NO_ANSWER,
         backends: tuple[str, ...] = ("embedded",)) -> dict[str, Any]:
    """``base``: search settings to start from (the embedding cache, threads, Elasticsearch URL);
    ``no_answer_path``: needs nobody in the corpus serves (``DIR/no_answer.jsonl`` when present);
    ``backends``: run each embedder on each; figures of a backend other than embedded are
    keyed ``spec@backend``, and with both the comparison is under ``backend_agreement``."""
    base = base or SearchSettings()
    evalset = load_eval_set(directory)
    own = directory / "no_answer.jsonl"
    no_answer = load_no_answer(own if own.exists() else no_answer_path)
    print(f"no-answer needs: {len(no_answer)} ({own if own.exists() else no_answer_path})")
    xl = cross_lingual if cross_lingual else evalset.cross_lingual()
    print(f"{len(evalset.docs)} talents, {len(evalset.queries)} queries, {len(evalset.qrels)} judged")
    print("NDCG@10: linear gain (gain = grade); Recall@10: grade >= 1; MRR: first grade >= 2")
    print(f"cross-lingual subset ({len(xl)}): {' '.join(xl)}")
    print(f"fusion default: {DEFAULT_PARAMS.fusion}")
    results: dict[str, Any] = {"dir": str(directory), "cross_lingual_qids": xl, "embedders": {}}
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as tmp:
        for spec in embedders:
            ranked: dict[str, dict[str, list[str]]] = {}
            for backend in backends:
                key = spec if backend == "embedded" else f"{spec}@{backend}"
                ranked[backend] = {}
                try:
                    figures = run_embedder(evalset, spec, xl, Path(tmp), base, no_answer, backend, ranked[backend])
                except Exception as exc:  # noqa: BLE001 - report and continue with the next embedder
                    print(f"\n== embedder {spec} ({backend}): unavailable ({exc})")
                    results["embedders"][key] = {"error": str(exc)}
                    continue
                print_table(spec, figures)
                results["embedders"][key] = figures
            if "embedded" in backends and "elasticsearch" in backends:
                compared = compare_backends(results["embedders"], spec, ranked)
                if compared:
                    results.setdefault("backend_agreement", {})[spec] = compared
    print(json.dumps(results, ensure_ascii=False, separators=(",", ":")))
    return results


def compare_backends(
    figures: dict[str, Any], spec: str, ranked: dict[str, dict[str, list[str]]]
) -> dict[str, Any] | None:
    """Hybrid NDCG of the two backends side by side, and how far their top-10 lists agree."""
    embedded, elastic = figures.get(spec, {}), figures.get(f"{spec}@elasticsearch", {})
    if "hybrid" not in embedded or "hybrid" not in elastic:
        return None
    out: dict[str, Any] = {
        "hybrid_ndcg@10": {
            "embedded": embedded["hybrid"]["all"]["ndcg@10"],
            "elasticsearch": elastic["hybrid"]["all"]["ndcg@10"],
            "difference": round(elastic["hybrid"]["all"]["ndcg@10"] - embedded["hybrid"]["all"]["ndcg@10"], 4),
        },
        "top10": agreement(ranked["embedded"], ranked["elasticsearch"]),
    }
    ndcg = out["hybrid_ndcg@10"]
    print(
        f"\n== {spec}: hybrid NDCG@10 embedded {ndcg['embedded']:.4f}, elasticsearch "
        f"{ndcg['elasticsearch']:.4f} (difference {ndcg['difference']:+.4f}); top-10 agreement {out['top10']}"
    )
    return out
