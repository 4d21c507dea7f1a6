"""A talent whose outputs the harvest test files duplicate (the demo-001 profile's)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.kb.conftest import kb, postgres_kb, sqlite_kb  # noqa: F401  (the same fixtures on both databases)
from tests.web.conftest import _fresh_throttle, clients  # noqa: F401  (logged-in clients of a module's site)

DATA = Path(__file__).resolve().parents[1] / "data" / "harvest"

OUTPUTS = [
    {"type": "book", "title": "跨境资金池：制度演进与企业实践", "year": 2019, "venue": "中国金融出版社"},
    {"type": "paper", "title": "跨境理财通试点的投资者结构与资金流动特征", "year": 2023, "venue": "《国际金融研究》"},
    {"type": "paper", "title": "Macroprudential monitoring of cross-border cash pools", "year": 2022,
     "doi": "10.1108/CFRI-01-2022-0012"},
    {"type": "award", "title": "广东省金融创新奖二等奖", "year": 2020},
]


def talent_record(rid: str = "h-001", outputs: list[dict] | None = None) -> dict:
    return {
        "id": rid, "name": "林书衡", "name_en": "Lin Shuheng", "category": "A", "fields": ["banking"],
        "research_directions": ["跨境资金池", "跨境理财通"], "outputs": OUTPUTS if outputs is None else outputs,
    }


def jsonl(*records: dict) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
