"""Topics of the talent pool, clustered from the passage vectors in the search index.

Each passage vector is first centred on the mean of its language group (zh,
en, mixed) and re-normalised: raw multilingual vectors sit in a language
cone, and k-means on them would split the pool by language instead of by
subject — the same centring makes cross-lingual search work
(``indexer.retrieval``). A talent is the mean of its centred passages, and
talents are clustered (spherical k-means, fixed seed), so every talent is in
exactly one topic and the counts add up to the pool. Clustering single
passages was tried first on the demo pool: passages grouped by their *kind*
(patents with patents, prizes with prizes: a topic "设计、国家知识产权局")
rather than by subject, and a talent's passages scattered over topics.

Labels come from the key terms of the topic's passages (``terms``): the
Chinese label from jieba words, the English one from English words; when a
topic has no terms in a language, the taxonomy names of its most common field
stand in.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from indexer.backends.base import Backend, PassageRecord
from kb.capability.kmeans import kmeans
from kb.capability.terms import count_terms, ctfidf
from kb.taxonomy import load_taxonomy

#: Fewest and most topics a map shows; between them, about sqrt(talents / 2).
MIN_TOPICS, MAX_TOPICS = 2, 40
#: Terms kept per topic and language; the label is made of the first three.
TERMS_KEPT, LABEL_TERMS = 8, 3
#: Share of a topic's passages a language needs for the topic's label in it to come from its terms.
LABEL_SHARE = 0.25
#: Passages whose words name a topic; the profile passage repeats the organization and field names.
TERM_KINDS = frozenset({"direction", "bio", "output"})
SEED = 17


@dataclass
class Topic:
    id: int
    label_zh: str
    label_en: str
    terms_zh: list[str]
    terms_en: list[str]
    experts: int
    categories: dict[str, int]
    fields: dict[str, int]
    talent_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def topic_count(talents: int) -> int:
    """How many topics to look for: grows with the pool, within [MIN_TOPICS, MAX_TOPICS]."""
    return max(MIN_TOPICS, min(MAX_TOPICS, round(math.sqrt(talents / 2))))


@dataclass
class _Pool:
    talent_ids: list[str]
    kinds: list[str]
    groups: list[str]
    texts: list[str]
    vectors: np.ndarray


def _read(batches: Iterable[list[PassageRecord]]) -> _Pool:
    ids: list[str] = []
    kinds: list[str] = []
    groups: list[str] = []
    texts: list[str] = []
    chunks: list[np.ndarray] = []
    for batch in batches:
        for p in batch:
            ids.append(p.talent_id)
            kinds.append(p.kind)
            groups.append(p.group)
            texts.append(p.text)
        if batch:
            chunks.append(np.stack([np.asarray(p.vector, dtype=np.float32) for p in batch]))
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, 1), dtype=np.float32)
    return _Pool(ids, kinds, groups, texts, vectors)


def _centred(pool: _Pool) -> np.ndarray:
    """Vectors minus their language group's mean, unit length again."""
    x = pool.vectors.astype(np.float32, copy=True)
    group_of = np.asarray(pool.groups)
    for g in set(pool.groups):
        mask = group_of == g
        x[mask] -= x[mask].mean(axis=0)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = x / norms
    return out


def _talent_vectors(pool: _Pool, x: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Each talent's mean centred passage vector (unit length), talents in id order."""
    talents = sorted(set(pool.talent_ids))
    row_of = {t: i for i, t in enumerate(talents)}
    rows = np.fromiter((row_of[t] for t in pool.talent_ids), dtype=np.int64, count=len(pool.talent_ids))
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(len(talents) + 1))
    means = np.stack([x[order[bounds[i] : bounds[i + 1]]].mean(axis=0) for i in range(len(talents))])
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return talents, (means / norms).astype(np.float32)


def build_topics(backend: Backend) -> list[Topic]:
    """The pool's topics, largest first (ids 1..n in that order); empty for an empty index."""
    pool = _read(backend.all_passages())
    if not pool.talent_ids:
        return []
    talents, vectors = _talent_vectors(pool, _centred(pool))
    labels, _ = kmeans(vectors, topic_count(len(talents)), seed=SEED)
    talent_topic = {t: int(c) for t, c in zip(talents, labels, strict=True)}
    members: dict[int, list[str]] = defaultdict(list)
    for tid in talents:
        members[talent_topic[tid]].append(tid)
    kept = sorted(members, key=lambda c: (-len(members[c]), c))

    zh_counts, en_counts, en_shares = [], [], []
    for c in kept:
        chosen = [(text, group) for tid, kind, group, text
                  in zip(pool.talent_ids, pool.kinds, pool.groups, pool.texts, strict=True)
                  if kind in TERM_KINDS and talent_topic[tid] == c]
        zh, en = count_terms(text for text, _ in chosen)
        zh_counts.append(zh)
        en_counts.append(en)
        en_shares.append(sum(group == "en" for _, group in chosen) / max(1, len(chosen)))
    zh_terms = ctfidf(zh_counts, TERMS_KEPT)
    en_terms = ctfidf(en_counts, TERMS_KEPT)

    records = backend.talents(talents)
    tax = load_taxonomy()
    topics: list[Topic] = []
    for n, c in enumerate(kept, start=1):
        ids = members[c]
        categories = Counter(records[t].category for t in ids if t in records)
        fields = Counter(f for t in ids if t in records for f in records[t].fields)
        top = [tax.fields[f] for f, _ in fields.most_common(2) if f in tax.fields]
        # A language that few of the topic's passages are in would name it after a handful of
        # talents: its label then comes from the topic's main fields in that language.
        share = en_shares[n - 1]
        zh_words = zh_terms[n - 1][:LABEL_TERMS] if share <= 1 - LABEL_SHARE else []
        en_words = en_terms[n - 1][:LABEL_TERMS] if share >= LABEL_SHARE else []
        zh_label = "、".join(zh_words or [f.zh for f in top])
        en_label = ", ".join(en_words or [f.en for f in top])
        topics.append(Topic(
            id=n, label_zh=zh_label, label_en=en_label, terms_zh=zh_terms[n - 1], terms_en=en_terms[n - 1],
            experts=len(ids), categories={code: categories.get(code, 0) for code in tax.categories},
            fields=dict(fields.most_common(5)), talent_ids=sorted(ids),
        ))
    return topics
