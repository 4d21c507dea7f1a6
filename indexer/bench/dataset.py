"""Evaluation sets on disk: ``corpus.jsonl``, ``queries.jsonl``, ``qrels.tsv``."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis import cjk_share
from indexer.documents import TalentDoc


@dataclass(frozen=True)
class EvalQuery:
    qid: str
    text: str
    lang: str
    categories: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass
class EvalSet:
    docs: list[TalentDoc]
    queries: list[EvalQuery]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)

    def talent_language(self, doc: TalentDoc) -> str:
        """The language a profile is written in (what a reader would say)."""
        text = " ".join([doc.title, doc.organization, *doc.research_directions, doc.bio])
        return "zh" if cjk_share(text) >= 0.5 else "en"

    def cross_lingual(self) -> list[str]:
        """Queries with at least one ideal (grade 3) expert whose profile is in the other language."""
        lang = {d.talent_id: self.talent_language(d) for d in self.docs}
        out = []
        for q in self.queries:
            qlang = "zh" if cjk_share(q.text) >= 0.5 else "en"
            ideal = [t for t, g in self.qrels.get(q.qid, {}).items() if g >= 3]
            if any(lang.get(t, qlang) != qlang for t in ideal):
                out.append(q.qid)
        return out


def load_eval_set(directory: Path) -> EvalSet:
    docs = [
        TalentDoc.from_record(json.loads(line))
        for line in (directory / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    queries = []
    for line in (directory / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        filters = q.get("filters") or {}
        queries.append(
            EvalQuery(
                qid=q["qid"],
                text=q["query"],
                lang=q.get("lang", ""),
                categories=tuple(filters.get("category", ())),
                fields=tuple(filters.get("fields", ())),
            )
        )
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    qrels_path = directory / "qrels.tsv"
    if qrels_path.exists():
        for line in qrels_path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                qrels[parts[0]][parts[1]] = int(parts[2])
    return EvalSet(docs, queries, dict(qrels))
