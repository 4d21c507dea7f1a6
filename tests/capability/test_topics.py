"""Topics of the pool, read from each backend's stored vectors, and the map built on the demo data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.actors import Actor
from kb.capability import store
from kb.capability.demo_needs import NEEDS, seed_demo_needs
from kb.capability.service import build_map
from kb.capability.topics import LABEL_TERMS, build_topics
from kb.context import KnowledgeBase
from kb.db import unit_of_work
from kb.demo import load_demo
from kb.settings import load_settings
from kb.talents import changes as ops
from kb.taxonomy import load_taxonomy
from tests.kb.conftest import record
from tests.knowledge.conftest import BACKENDS, knowledge_base_on

SYSTEM = Actor.system("capability tests")
# Three subjects, in Chinese and English, three talents each.
CORPUS = [
    ("d-1", "A", ["aerospace"], ["无人机物流配送航线", "低空空域管理"], "研究无人机末端配送与低空航线审批。"),
    ("d-2", "B", ["aerospace"], ["无人机起降点布局", "低空经济政策"], "从事低空经济与无人机物流。"),
    ("d-3", "C", ["aerospace"], ["低空物流无人机调度"], "无人机物流调度系统创业者。"),
    ("i-1", "A", ["insurance"], ["catastrophe reinsurance", "typhoon loss models"], "Catastrophe reinsurance pricing."),
    ("i-2", "B", ["insurance"], ["reinsurance capital markets", "catastrophe bonds"], "Reinsurance and cat bonds."),
    ("i-3", "C", ["insurance"], ["typhoon catastrophe insurance"], "Typhoon insurance for coastal cities."),
    ("f-1", "A", ["funds"], ["私募基金登记备案", "基金托管"], "长期从事私募基金合规。"),
    ("f-2", "B", ["funds"], ["私募基金投资者适当性"], "私募基金投资者保护研究。"),
    ("f-3", "C", ["funds"], ["基金托管与估值"], "基金估值与托管业务。"),
]


@pytest.fixture(params=BACKENDS)
def pool(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KnowledgeBase]:
    with knowledge_base_on(request, tmp_path) as kb:
        with kb.sessions() as s, s.begin():
            for rid, category, fields, directions, bio in CORPUS:
                ops.apply_record(s, record(rid, name=rid, category=category, fields=fields,
                                           research_directions=directions, bio=bio), SYSTEM)
        kb.sync_search()
        yield kb


def test_all_passages_returns_every_stored_passage_with_its_vector(pool: KnowledgeBase) -> None:
    backend = pool.search.backend
    read = [p for batch in backend.all_passages(batch=4) for p in batch]  # several pages
    by_talent = Counter(p.talent_id for p in read)
    assert set(by_talent) == {rid for rid, *_ in CORPUS}
    for rid in by_talent:
        stored = backend.talent_passages(rid)
        assert by_talent[rid] == len(stored)
        assert sorted(p.text for p in read if p.talent_id == rid) == sorted(p.text for p in stored)
    dim = pool.search.embedder.dim
    assert all(p.vector.shape == (dim,) for p in read)


def test_topics_put_each_talent_in_one_topic_and_count_it_once(pool: KnowledgeBase) -> None:
    topics = build_topics(pool.search.backend)
    members = [t for topic in topics for t in topic.talent_ids]
    assert sorted(members) == sorted(rid for rid, *_ in CORPUS)  # everyone, exactly once
    assert [t.id for t in topics] == list(range(1, len(topics) + 1))
    assert [t.experts for t in topics] == sorted((t.experts for t in topics), reverse=True)
    categories = {rid: cat for rid, cat, *_ in CORPUS}
    for topic in topics:
        assert topic.experts == len(topic.talent_ids) == sum(topic.categories.values())
        assert topic.categories == {c: sum(categories[t] == c for t in topic.talent_ids) for c in "ABC"}
        assert topic.label_zh and topic.label_en


def test_topics_of_an_empty_index_are_none(tmp_path: Path) -> None:
    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": tmp_path, "search.embedder": "hashing"}))
    try:
        assert build_topics(kb.search.backend) == []
    finally:
        kb.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KnowledgeBase, dict]]:  # type: ignore[type-arg]
    data_dir = tmp_path_factory.mktemp("demo")
    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": data_dir, "search.embedder": "hashing"}))
    kb.init_db()
    load_demo(kb.sessions)
    with unit_of_work(kb.sessions) as s:
        assert seed_demo_needs(s) == len(NEEDS)
    with unit_of_work(kb.sessions) as s:
        assert seed_demo_needs(s) == 0  # once only
    kb.sync_search()
    with unit_of_work(kb.sessions) as s:
        payload = build_map(kb, s)
    yield kb, payload
    kb.close()


def test_demo_map_covers_the_pool_once_with_consistent_counts(demo: tuple[KnowledgeBase, dict]) -> None:  # type: ignore[type-arg]
    kb, payload = demo
    assert store.load(kb.settings.data_dir) == payload
    topics = payload["topics"]
    assert len(topics) >= 5
    members = [t for topic in topics for t in topic["talent_ids"]]
    assert len(members) == len(set(members)) == payload["talents"] == kb.search.backend.talent_count() == 160
    for topic in topics:
        assert topic["experts"] == len(topic["talent_ids"]) == sum(topic["categories"].values())
    assert len(payload["needs"]) == len(NEEDS)
    assert all(n["best"] in ("strong", "partial", "weak", "none") for n in payload["needs"])


def test_demo_topic_labels_are_words_of_the_topics_own_talents(demo: tuple[KnowledgeBase, dict]) -> None:  # type: ignore[type-arg]
    kb, payload = demo
    backend = kb.search.backend
    tax = load_taxonomy()
    field_names = {f.zh for f in tax.fields.values()} | {f.en for f in tax.fields.values()}
    from_terms = 0
    for topic in payload["topics"]:
        text = " ".join(p.text for t in topic["talent_ids"] for p in backend.talent_passages(t)).lower()
        for label, terms, sep in ((topic["label_zh"], topic["terms_zh"], "、"), (topic["label_en"], topic["terms_en"], ", ")):
            words = label.split(sep)
            if words == terms[:LABEL_TERMS]:
                from_terms += 1
                assert all(w.lower() in text for w in words), (label, topic["id"])
            else:  # a language too rare in the topic: named after its main fields
                assert set(words) <= field_names, label
    assert from_terms >= len(payload["topics"])  # most labels are the topics' own words


def test_demo_history_invites_experts_of_each_need_and_leaves_no_unread_notice(demo: tuple[KnowledgeBase, dict]) -> None:  # type: ignore[type-arg]
    """A year of demo consultations must look like one: nobody is asked about a field he does not
    work in, and no talent opens the demo to a pile of year-old unread invitations."""
    from sqlalchemy import select

    from kb.models import Notification
    from kb.models.consultation import ConsultationRequest

    kb, _ = demo
    titles = {n[0] for n in NEEDS}
    with kb.sessions() as s:
        requests = list(s.scalars(select(ConsultationRequest).where(ConsultationRequest.title.in_(titles))))
        assert len(requests) == len(NEEDS)
        invited = [(r, i.talent) for r in requests for i in r.invitations]
        assert invited, "the demo history invites nobody"
        assert all(set(t.fields) & set(r.fields) for r, t in invited), \
            [(r.title, t.external_id, t.fields) for r, t in invited if not set(t.fields) & set(r.fields)]
        assert s.scalar(select(Notification.id).where(Notification.read_at.is_(None)).limit(1)) is None
