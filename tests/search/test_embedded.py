"""Embedded backend specifics: several processes, snapshots, crashes, generations."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

from indexer import SearchQuery, SearchSettings, open_search
from tests.search.conftest import SMALL_CORPUS, hashing_embedder

REPO = Path(__file__).resolve().parents[2]


def settings_for(tmp_path: Path) -> SearchSettings:
    return SearchSettings(data_dir=tmp_path / "data", embedding_cache=tmp_path / "c.sqlite")


def ids(response) -> list[str]:
    return [r.talent_id for r in response.results]


def test_second_instance_sees_writes_and_rebuilds(tmp_path):
    settings = settings_for(tmp_path)
    writer = open_search(settings, embedder=hashing_embedder())
    reader = open_search(settings, embedder=hashing_embedder())
    writer.upsert(SMALL_CORPUS)
    assert ids(reader.search(SearchQuery("巨灾再保险")))[0] == "t-ins-2"
    writer.delete(["t-ins-2"])
    assert "t-ins-2" not in ids(reader.search(SearchQuery("巨灾再保险")))
    writer.rebuild(SMALL_CORPUS[:3])
    assert reader.info()["generation"] == writer.info()["generation"]
    assert reader.info()["talents"] == 3
    writer.close()
    reader.close()


def _child(settings: SearchSettings, code: str) -> subprocess.Popen:
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from indexer import SearchSettings, open_search
        from tests.search.conftest import SMALL_CORPUS, hashing_embedder
        settings = SearchSettings(data_dir=Path({str(settings.data_dir)!r}),
                                  embedding_cache=Path({str(settings.cache_path)!r}))
        search = open_search(settings, embedder=hashing_embedder())
        """
    ) + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}
    )


def test_write_in_another_process_is_visible_within_a_second(tmp_path):
    settings = settings_for(tmp_path)
    search = open_search(settings, embedder=hashing_embedder())
    search.upsert(SMALL_CORPUS[1:])
    assert "t-ins-1" not in ids(search.search(SearchQuery("健康险精算定价")))
    child = _child(settings, "search.upsert(SMALL_CORPUS[:1]); search.close()")
    assert child.wait(timeout=60) == 0
    deadline = time.monotonic() + 1.0
    while "t-ins-1" not in ids(search.search(SearchQuery("健康险精算定价"))):
        assert time.monotonic() < deadline, "write from another process not visible within 1 s"
        time.sleep(0.05)
    search.close()


def test_killed_writer_leaves_a_consistent_index(tmp_path):
    settings = settings_for(tmp_path)
    search = open_search(settings, embedder=hashing_embedder())
    search.upsert(SMALL_CORPUS)
    search.close()
    code = """
        from dataclasses import replace as r
        i = 0
        while True:
            batch = [r(d, talent_id=f"{d.talent_id}-{i}-{j}") for j, d in enumerate(SMALL_CORPUS)]
            search.upsert(batch)
            i += 1
            if i == 3:
                print("ready", flush=True)
    """
    child = _child(settings, code)
    time.sleep(4.0)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    reopened = open_search(settings, embedder=hashing_embedder())
    count = reopened.info()["talents"]
    assert count >= len(SMALL_CORPUS)
    browse = reopened.search(SearchQuery("", limit=100))
    assert browse.total == count
    assert ids(reopened.search(SearchQuery("巨灾再保险")))[0].startswith("t-ins-2")
    reopened.close()


def test_lost_or_corrupt_snapshot_falls_back_to_sqlite(tmp_path):
    settings = settings_for(tmp_path)
    search = open_search(settings, embedder=hashing_embedder())
    search.rebuild(SMALL_CORPUS)  # rebuild writes a snapshot
    generation = search.info()["generation"]
    search.close()
    gen_dir = settings.search_dir / generation
    snapshot = (gen_dir / "SNAPSHOT").read_text().strip()
    (gen_dir / snapshot / "words.offsets.npy").write_bytes(b"garbage")
    reopened = open_search(settings, embedder=hashing_embedder())
    assert ids(reopened.search(SearchQuery("巨灾再保险")))[0] == "t-ins-2"
    reopened.close()
    shutil.rmtree(gen_dir / snapshot)
    reopened = open_search(settings, embedder=hashing_embedder())
    assert ids(reopened.search(SearchQuery("巨灾再保险")))[0] == "t-ins-2"
    assert reopened.info()["talents"] == len(SMALL_CORPUS)
    reopened.close()


def _counting_embedder():  # type: ignore[no-untyped-def]
    """A hashing embedder that counts the texts the "model" itself is asked to embed."""
    from indexer.embedding.hashing import HashingEmbedder

    class Counting(HashingEmbedder):
        passages = queries = 0

        def embed_passages(self, texts):
            self.passages += len(texts)
            return super().embed_passages(texts)

        def embed_queries(self, texts):
            self.queries += len(texts)
            return super().embed_queries(texts)

    return Counting(32)


def test_embedding_cache_never_embeds_the_same_text_twice(tmp_path):
    from indexer.embedding import CachedEmbedder, VectorCache

    first_model, second_model = _counting_embedder(), _counting_embedder()
    first = CachedEmbedder(first_model, VectorCache(tmp_path / "v.sqlite"))
    a = first.embed_passages(["甲", "乙", "甲"])
    assert first_model.passages == 2
    second = CachedEmbedder(second_model, VectorCache(tmp_path / "v.sqlite"))
    b = second.embed_passages(["乙", "甲", "丙"])
    assert second_model.passages == 1
    assert (a[0] == b[1]).all() and (a[1] == b[0]).all()
    assert json.dumps(first.name) == json.dumps(second.name)


def test_a_remembered_query_is_answered_without_the_model(tmp_path):
    """Searches skip the embedding thread for remembered queries; the answer must be the model's own."""
    from indexer.embedding import CachedEmbedder, VectorCache

    model = _counting_embedder()
    embedder = CachedEmbedder(model, VectorCache(tmp_path / "v.sqlite"))
    assert not embedder.remembers_query("巨灾再保险")
    first = embedder.embed_query("巨灾再保险")
    assert embedder.remembers_query("巨灾再保险") and model.queries == 1
    search = open_search(settings_for(tmp_path), embedder=embedder)
    search.upsert(SMALL_CORPUS)
    assert search.search(SearchQuery("巨灾再保险", limit=3)).results  # answered from memory
    assert model.queries == 1 and (embedder.embed_query("巨灾再保险") == first).all()


def test_concurrent_searches_and_writes_in_one_process(tmp_path):
    import threading

    search = open_search(settings_for(tmp_path), embedder=hashing_embedder())
    search.upsert(SMALL_CORPUS)
    errors: list[BaseException] = []
    # each query's expert stays in the top two while copies of the corpus come and go
    # (the copy of the same talent may tie with it); browsing counts the corpus plus
    # the one or two copies that exist at that moment
    expected = {"巨灾再保险": "t-ins-2", "医院服务机器人": "t-rob-1", "government cloud migration": "t-cloud-1"}
    queries = [*expected, ""]
    known = {d.talent_id for d in SMALL_CORPUS} | {f"w-{i}" for i in range(10)}

    def reader(n: int) -> None:
        try:
            for i in range(25):
                text = queries[(n + i) % len(queries)]
                response = search.search(SearchQuery(text, categories=("A", "B", "C"), limit=50))
                got = [r.talent_id for r in response.results]
                assert set(got) <= known, got
                if text:
                    assert expected[text] in got[:2], (text, got)
                else:
                    assert len(SMALL_CORPUS) <= response.total <= len(SMALL_CORPUS) + 2, got
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def writer() -> None:
        try:
            for i in range(10):
                search.upsert([replace(SMALL_CORPUS[i % len(SMALL_CORPUS)], talent_id=f"w-{i}")])
                search.delete([f"w-{i - 1}"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)] + [
        threading.Thread(target=writer)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert search.info()["talents"] == len(SMALL_CORPUS) + 1
    search.close()


def test_common_terms_change_no_score_only_which_passages_are_candidates(tmp_path, monkeypatch):
    """Lucene-style common terms: 深圳 is in every profile, 量子 in three."""
    from indexer.backends.base import Filters, LexicalQuery
    from indexer.backends.embedded import memory
    from indexer.documents import TalentDoc

    docs = [
        TalentDoc(talent_id=f"t{i}", name=f"专家{i}", category="B", fields=("banking",),
                  research_directions=(("深圳 量子 通信" if i < 3 else "深圳 城市 更新"),),
                  bio="深圳" * (1 + i % 3))
        for i in range(40)
    ]
    search = open_search(settings_for(tmp_path), embedder=hashing_embedder())
    search.rebuild(docs)
    query = search.searcher.analyzer.query("深圳 量子")
    lexq = LexicalQuery(tuple(query.words), tuple(query.grams), 0.5, query.folded)
    backend = search.backend

    def run() -> tuple[dict[str, float], dict[str, float]]:
        with backend._using() as gen:
            gen.memory._last_lexical = None  # no memoised result from the other setting
        top = {h.key: h.score for h in backend.lexical_top(lexq, Filters(), 1000)}
        every = backend.lexical_scores(lexq, [str(p) for p in range(400)])
        return top, every

    full_top, full_all = run()
    monkeypatch.setattr(memory, "COMMON_MIN_POSTINGS", 0)
    monkeypatch.setattr(memory, "COMMON_SHARE", 0.2)
    with backend._using() as gen:
        assert gen.memory.common_terms(lexq)[0] == ["深圳"]
    common_top, common_all = run()
    # candidates: only passages with 量子; their scores are the full BM25 scores
    assert 0 < len(common_top) < len(full_top)
    assert all(abs(common_top[k] - full_top[k]) < 1e-5 for k in common_top)
    # rescoring any passage (one that only says 深圳 included) gives its full score
    assert common_all.keys() == full_all.keys()
    assert all(abs(common_all[k] - full_all[k]) < 1e-5 for k in full_all)
    search.close()


def _passage_ids(search, talent_id: str) -> dict[tuple[str, str], str]:
    return {(p.kind, p.ref): p.key for p in search.backend.talent_passages(talent_id)}


def _passage_texts(search, talent_id: str) -> dict[tuple[str, str], str]:
    return {(p.kind, p.ref): p.text for p in search.backend.talent_passages(talent_id)}


def test_an_edit_replaces_only_the_passages_it_changed(tmp_path):
    """Each process updates its graph and word index for the changed passage only, and all agree."""
    settings = settings_for(tmp_path)
    writer = open_search(settings, embedder=hashing_embedder())
    reader = open_search(settings, embedder=hashing_embedder())
    writer.upsert(SMALL_CORPUS)
    reader.search(SearchQuery("再保险"))  # the reader has caught up with the first write
    doc = next(d for d in SMALL_CORPUS if d.talent_id == "t-ins-2")
    before, old_texts = _passage_ids(writer, doc.talent_id), _passage_texts(writer, doc.talent_id)
    edited = replace(doc, bio="专注于量子通信网络安全评估。")
    writer.upsert([edited])
    after, new_texts = _passage_ids(writer, doc.talent_id), _passage_texts(writer, doc.talent_id)
    same = {k for k in after if old_texts.get(k) == new_texts[k]}
    assert same and same != after.keys()  # the edit changed some passages and left others
    assert all(after[k] == before[k] for k in same)  # unchanged passages kept their rows
    assert all(after[k] not in before.values() for k in after.keys() - same)  # changed ones are new rows
    for search in (writer, reader):  # the reader applies the same change from the change log
        assert _passage_ids(search, doc.talent_id) == after
        assert ids(search.search(SearchQuery("量子通信网络安全")))[0] == doc.talent_id
    fresh = open_search(settings, embedder=hashing_embedder())  # a new process, from snapshot + log
    for query in ("量子通信网络安全", "巨灾再保险", "碳金融"):
        assert ids(fresh.search(SearchQuery(query))) == ids(reader.search(SearchQuery(query))) == ids(
            writer.search(SearchQuery(query))
        )
    writer.upsert([doc])  # back to the old bio: a new id for it, the rest untouched
    for search in (writer, reader, fresh):
        assert search.info()["passages"] == sum(len(_passage_ids(writer, d.talent_id)) for d in SMALL_CORPUS)
        assert "量子" not in " ".join(p.text for p in search.backend.talent_passages(doc.talent_id))
        assert ids(search.search(SearchQuery("巨灾再保险")))[0] == doc.talent_id
    for search in (writer, reader, fresh):
        search.close()
