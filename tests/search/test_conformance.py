"""One behaviour contract, checked against every backend (embedded always, Elasticsearch when available)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace

import pytest

from indexer import IndexMismatch, OutputDoc, SearchQuery, SearchUnavailable
from indexer.embedding import CachedEmbedder
from indexer.embedding.hashing import HashingEmbedder
from tests.search.conftest import BACKENDS, CLEAR_CUT, SMALL_CORPUS


def ids(response) -> list[str]:
    return [r.talent_id for r in response.results]


def all_results(search, **query) -> list:
    """Every result of a query, page by page."""
    out, offset = [], 0
    while True:
        page = search.search(SearchQuery(offset=offset, limit=3, **query))
        out += page.results
        offset += 3
        if offset >= page.total:
            return out


@pytest.mark.parametrize(("text", "expected"), CLEAR_CUT)
def test_clear_cut_queries_rank_the_right_talent_first(small_index, text, expected):
    response = small_index.search(SearchQuery(text))
    assert ids(response)[0] == expected
    assert all(r.evidence for r in response.results), "every result carries evidence"


@pytest.mark.elasticsearch
def test_backends_rank_clear_cut_queries_the_same(tmp_path, es_url):
    from tests.search.conftest import IndexFactory

    rankings = {}
    for backend in ("embedded", "elasticsearch"):
        factory = IndexFactory(backend, tmp_path / backend, es_url)
        try:
            search = factory.open()
            search.upsert(SMALL_CORPUS)
            rankings[backend] = {
                mode: [ids(search.search(SearchQuery(text, mode=mode))) for text, _ in CLEAR_CUT]
                for mode in ("hybrid", "lexical", "dense")
            }
        finally:
            factory.cleanup()
    embedded, elastic = rankings["embedded"], rankings["elasticsearch"]
    for mode in ("hybrid", "dense"):
        assert [r[0] for r in embedded[mode]] == [r[0] for r in elastic[mode]], mode
    # BM25 over the same tokens with the same parameters: the lexical rankings agree.
    assert [r[:3] for r in embedded["lexical"]] == [r[:3] for r in elastic["lexical"]]


def test_each_mode_answers(small_index):
    for mode in ("lexical", "dense", "hybrid"):
        response = small_index.search(SearchQuery("巨灾再保险", mode=mode))
        assert ids(response)[0] == "t-ins-2", mode
        kinds = {e.matched_by for e in response.results[0].evidence}
        assert kinds <= {"lexical", "dense", "both"}


def test_filters_are_exact(small_index):
    by_id = {d.talent_id: d for d in SMALL_CORPUS}
    cases = [
        dict(categories=("A",)),
        dict(fields=("insurance", "law")),
        dict(available=False),
        dict(languages=("en",)),
        dict(categories=("B", "C"), fields=("big_data", "banking")),
    ]
    for filters in cases:
        for text in ("", "数据 保险 机器人 cloud data"):
            got = {r.talent_id for r in all_results(small_index, text=text, **filters)}
            for talent_id in got:
                doc = by_id[talent_id]
                assert not filters.get("categories") or doc.category in filters["categories"]
                assert not filters.get("fields") or set(doc.fields) & set(filters["fields"])
                assert filters.get("available") is None or doc.available == filters["available"]
                assert not filters.get("languages") or set(doc.languages) & set(filters["languages"])
            if text == "":
                expected = {
                    d.talent_id
                    for d in SMALL_CORPUS
                    if (not filters.get("categories") or d.category in filters["categories"])
                    and (not filters.get("fields") or set(d.fields) & set(filters["fields"]))
                    and (filters.get("available") is None or d.available == filters["available"])
                    and (not filters.get("languages") or set(d.languages) & set(filters["languages"]))
                }
                assert got == expected, filters


@pytest.mark.parametrize("text", ["", "保险 data", "区块链"])
def test_facets_count_the_good_matches_of_the_result_set(small_index, text):
    first = small_index.search(SearchQuery(text, limit=2))
    everything = all_results(small_index, text=text)
    assert len(everything) == first.total
    by_id = {d.talent_id: d for d in SMALL_CORPUS}
    docs = [by_id[r.talent_id] for r in everything[: first.matched]]
    expected = {
        "category": Counter(d.category for d in docs),
        "fields": Counter(f for d in docs for f in d.fields),
        "available": Counter("true" if d.available else "false" for d in docs),
        "languages": Counter(lang for d in docs for lang in d.languages),
    }
    for key, counts in expected.items():
        assert first.facets[key] == dict(counts), key


def test_pagination_is_consistent(small_index):
    whole = small_index.search(SearchQuery("数据 保险 机器人 cloud", limit=50))
    paged = []
    for offset in range(0, whole.total, 2):
        page = small_index.search(SearchQuery("数据 保险 机器人 cloud", offset=offset, limit=2))
        assert page.total == whole.total and page.offset == offset and page.limit == 2
        paged += ids(page)
    assert paged == ids(whole)
    assert len(set(paged)) == len(paged)


def test_browse_orders_by_name_deterministically(small_index):
    first = small_index.search(SearchQuery("", limit=100))
    again = small_index.search(SearchQuery("   ", limit=100))
    assert ids(first) == ids(again)
    assert first.total == len(SMALL_CORPUS)
    names = [(r.name.casefold(), r.talent_id) for r in first.results]
    assert names == sorted(names)


def test_evidence_points_at_the_matching_output(small_index):
    response = small_index.search(SearchQuery("仓单质押区块链平台", mode="lexical"))
    top = response.results[0]
    assert top.talent_id == "t-fin-1"
    evidence = top.evidence[0]
    assert (evidence.kind, evidence.ref) == ("output", "1")
    assert "<mark>" in evidence.highlighted and "仓单" in evidence.text


def test_highlights_are_html_safe(small_index):
    response = small_index.search(SearchQuery("区块链存证"))
    top = next(r for r in response.results if r.talent_id == "t-xss")
    for evidence in top.evidence:
        stripped = evidence.highlighted.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped
    assert any("&lt;script&gt;" in e.highlighted for e in top.evidence if e.kind == "bio")


INSURANCE = {"t-ins-1", "t-ins-2"}


@pytest.mark.parametrize(
    ("text", "finds"),
    [
        ('title:"保险" AND (name:* OR fields:law)^3 ~2 \\ / { } [ ]', INSURANCE),
        ("*:*", set()),
        ("\x00\x01\x1f 保险 \u200b\u2028", INSURANCE),
        ("保险" * 20_000, INSURANCE),
        ("<script>alert(1)</script>", None),
        ("ＡＩ　全角 ｑｕｅｒｙ", None),
    ],
)
def test_query_text_is_never_interpreted(small_index, text, finds):
    """Query syntax, control characters and markup are searched as words: the word 保险
    among them still finds the insurance experts, and a wildcard matches nobody well
    (interpreted, ``*:*`` would match everyone). ``finds=None``: no claim on the ranking,
    only that the query is answered with safe highlights."""
    response = small_index.search(SearchQuery(text, limit=5))
    if finds == set():
        assert response.matched == 0, [(r.talent_id, r.match) for r in response.results]
    elif finds:
        assert {r.talent_id for r in response.results[:2]} == finds, [r.talent_id for r in response.results]
    for r in response.results:
        for e in r.evidence:
            assert "<script>" not in e.highlighted


def test_upsert_is_visible_at_once_and_replaces_passages(small_index):
    assert "t-new" not in ids(small_index.search(SearchQuery("量子密钥分发网络")))
    doc = replace(
        SMALL_CORPUS[0],
        talent_id="t-new",
        name="赵一",
        research_directions=("量子密钥分发网络",),
        outputs=(OutputDoc("0", "paper", "城域量子密钥分发网络的部署", 2024),),
    )
    small_index.upsert([doc])
    assert ids(small_index.search(SearchQuery("量子密钥分发网络")))[0] == "t-new"
    small_index.upsert([replace(doc, research_directions=("低空无人机物流",), outputs=())])
    lexical = small_index.search(SearchQuery("量子密钥分发网络", mode="lexical"))
    assert "t-new" not in ids(lexical)
    assert ids(small_index.search(SearchQuery("低空无人机物流")))[0] == "t-new"
    small_index.upsert([replace(doc, research_directions=("低空无人机物流",), outputs=())])  # idempotent
    assert small_index.info()["talents"] == len(SMALL_CORPUS) + 1


def test_a_result_page_is_fetched_whole_in_one_call(small_index):
    """``page`` (one round trip on Elasticsearch) answers exactly what ``talents`` plus
    ``passages`` answer, in any mix of known and unknown ids, talents and passages."""
    backend = small_index.backend
    talent_ids = [d.talent_id for d in SMALL_CORPUS[:3]]
    keys = [p.key for t in talent_ids for p in backend.talent_passages(t)][:7]
    assert keys and len(set(keys)) == len(keys)
    for wanted_talents, wanted_keys in (
        (talent_ids, keys),
        ([*talent_ids, "never-existed"], [*keys, "987654321"]),
        (talent_ids[:1], []),
        ([], keys[:2]),
        ([], []),
    ):
        records, stored = backend.page(wanted_talents, wanted_keys)
        assert records == backend.talents(wanted_talents)
        assert stored == backend.passages(wanted_keys)
        assert set(records) == set(wanted_talents) - {"never-existed"}
        assert set(stored) == set(wanted_keys) - {"987654321"}


def test_delete_removes_talent(small_index):
    small_index.delete(["t-ins-2"])
    assert "t-ins-2" not in ids(small_index.search(SearchQuery("巨灾再保险")))
    assert "t-ins-2" not in ids(small_index.search(SearchQuery("", limit=100)))
    small_index.delete(["t-ins-2", "never-existed"])
    assert small_index.info()["talents"] == len(SMALL_CORPUS) - 1


def test_similar_excludes_the_talent_itself(small_index):
    response = small_index.similar("t-ins-1", limit=5)
    assert response.results and "t-ins-1" not in ids(response)
    # The hashing test embedder has no notion of language, so compare within Chinese profiles.
    chinese_fields = ("insurance", "banking", "robotics")
    assert ids(small_index.similar("t-ins-1", limit=5, fields=chinese_fields))[0] == "t-ins-2"
    filtered = small_index.similar("t-ins-1", limit=5, categories=("A",))
    assert filtered.results and all(r.category == "A" for r in filtered.results)


def test_rebuild_swaps_generation_while_searches_keep_answering(small_index):
    before = small_index.info()["generation"]
    errors: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def keep_searching() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                response = small_index.search(SearchQuery("巨灾再保险"))
                assert response.results and response.results[0].talent_id in ("t-ins-2", "t-rebuilt")
                answered += 1
            except BaseException as exc:  # noqa: BLE001 - collected and reported by the test
                errors.append(exc)
                return

    worker = threading.Thread(target=keep_searching)
    worker.start()
    try:
        rebuilt = [*SMALL_CORPUS[1:], replace(SMALL_CORPUS[0], talent_id="t-rebuilt")]
        small_index.rebuild(rebuilt)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not errors, errors
    assert answered > 0
    assert small_index.info()["generation"] != before
    assert "t-ins-1" not in ids(small_index.search(SearchQuery("", limit=100)))
    assert "t-rebuilt" in ids(small_index.search(SearchQuery("健康险精算定价")))


def test_other_embedder_is_an_index_mismatch(make_index):
    search = make_index()
    search.upsert(SMALL_CORPUS[:2])
    with pytest.raises(IndexMismatch):
        other = make_index(embedder=CachedEmbedder(HashingEmbedder(128), None))
        other.search(SearchQuery("保险"))
    search.rebuild(SMALL_CORPUS[:2])  # the original configuration still works


@pytest.mark.elasticsearch
def test_a_rebuild_replaces_an_elasticsearch_index_of_another_embedder(tmp_path, es_url):
    """``kb reindex`` after changing the embedder: the mismatch refuses reads and writes,
    never the rebuild that resolves it (the embedded backend refuses at open instead)."""
    from tests.search.conftest import IndexFactory

    factory = IndexFactory("elasticsearch", tmp_path, es_url)
    try:
        factory.open().upsert(SMALL_CORPUS)
        other = factory.open(embedder=CachedEmbedder(HashingEmbedder(128), None))
        with pytest.raises(IndexMismatch):
            other.search(SearchQuery("保险"))
        with pytest.raises(IndexMismatch):
            other.upsert(SMALL_CORPUS[:1])
        other.rebuild(SMALL_CORPUS)
        assert ids(other.search(SearchQuery("巨灾再保险")))[0] == "t-ins-2"
    finally:
        factory.cleanup()


@pytest.mark.elasticsearch
def test_an_elasticsearch_index_of_the_older_mapping_layout_is_rebuilt_not_read(tmp_path, es_url):
    """Layout 1 kept every language group in one vector graph; this version reads group
    fields, so a layout-1 generation is a mismatch until ``kb reindex`` replaces it."""
    from tests.search.conftest import IndexFactory

    factory = IndexFactory("elasticsearch", tmp_path, es_url)
    try:
        search = factory.open()
        search.upsert(SMALL_CORPUS)
        backend = search.backend
        live = backend.connection.live_indices()[0]
        meta = backend.client.indices.get_mapping(index=live)[live]["mappings"]["_meta"]
        backend.client.indices.put_mapping(index=live, meta={k: v for k, v in meta.items() if k != "layout"})
        reopened = factory.open()
        with pytest.raises(IndexMismatch, match="layout"):
            reopened.search(SearchQuery("巨灾再保险"))
        reopened.rebuild(SMALL_CORPUS)
        assert ids(reopened.search(SearchQuery("巨灾再保险")))[0] == "t-ins-2"
    finally:
        factory.cleanup()


def test_unreachable_elasticsearch_raises_search_unavailable(tmp_path):
    from tests.search.conftest import IndexFactory

    factory = IndexFactory("elasticsearch", tmp_path, "http://127.0.0.1:9")  # nothing listens on port 9
    search = factory.open()
    with pytest.raises(SearchUnavailable):
        search.ping()
    with pytest.raises(SearchUnavailable):
        search.search(SearchQuery("保险"))
    with pytest.raises(SearchUnavailable):
        search.upsert(SMALL_CORPUS[:1])
    search.close()


def test_writes_during_a_rebuild_are_not_lost(make_index):
    search = make_index()
    search.upsert(SMALL_CORPUS)
    writer = make_index()  # a second handle, as another process would have
    late = replace(SMALL_CORPUS[1], talent_id="t-late", name="迟到者", research_directions=("深海采矿装备",))

    def docs_with_a_write_in_the_middle():
        for i, doc in enumerate(SMALL_CORPUS):
            if i == len(SMALL_CORPUS) // 2:
                writer.upsert([late])
                writer.delete(["t-xss"])
            yield doc

    search.rebuild(docs_with_a_write_in_the_middle())
    found = ids(search.search(SearchQuery("", limit=100)))
    assert "t-late" in found
    assert "t-xss" not in found
    assert ids(search.search(SearchQuery("深海采矿装备")))[0] == "t-late"


@pytest.mark.elasticsearch
def test_a_rebuild_whose_bulk_fails_with_batches_in_flight_leaves_the_live_index_alone(
    tmp_path, es_url, monkeypatch
):
    """Several bulk requests are in flight during an Elasticsearch rebuild: the failure of
    one (here the second of three) aborts the whole rebuild, drops the half-built
    generation and leaves the live one answering as before."""
    from indexer.errors import SearchError
    from indexer.indexing import BATCH_TALENTS
    from tests.search.conftest import IndexFactory

    factory = IndexFactory("elasticsearch", tmp_path, es_url)
    try:
        search = factory.open()
        search.upsert(SMALL_CORPUS)
        backend = search.backend
        before = ids(search.search(SearchQuery("巨灾再保险")))
        versions = backend.connection.versions()
        real_bulk, calls = backend.writer.bulk, []

        def second_bulk_fails(index, actions, refresh):
            calls.append(index)
            if len(calls) == 2:
                raise SearchError("bulk indexing failed: the test's second batch")
            return real_bulk(index, actions, refresh)

        monkeypatch.setattr(backend.writer, "bulk", second_bulk_fails)
        many = [replace(SMALL_CORPUS[i % len(SMALL_CORPUS)], talent_id=f"t-many-{i}") for i in range(2 * BATCH_TALENTS + 1)]
        with pytest.raises(SearchError, match="second batch"):
            search.rebuild(many)
        assert len(calls) == 3, "the third batch was sent while the second was in flight"
        assert backend.connection.versions() == versions, "the half-built generation is dropped"
        assert ids(search.search(SearchQuery("巨灾再保险"))) == before
        assert search.info()["talents"] == len(SMALL_CORPUS)
    finally:
        factory.cleanup()


# -- match strength ---------------------------------------------------------------
# Thresholds are calibrated for the default embedder; the hashing embedder of these
# tests scores on another scale, so they set thresholds that split this corpus into
# all three levels (asserted, so the checks below cannot pass vacuously).
MIXED = {"match_strong": 0.4, "match_partial": 0.2}
MATCH_QUERIES = ("数据 保险 机器人 cloud data", "保险 data", "区块链 data cloud", "巨灾再保险", "marine robots")


def levels(response) -> dict[str, str]:
    return {r.talent_id: r.match for r in response.results}


def test_thresholds_of_these_tests_give_every_level(small_index):
    mixed = small_index.with_params(**MIXED)
    seen = {m for text in MATCH_QUERIES for m in levels(mixed.search(SearchQuery(text, limit=50))).values()}
    assert seen == {"strong", "partial", "weak"}


@pytest.mark.parametrize("text", MATCH_QUERIES)
def test_good_matches_come_first_and_are_counted(small_index, text):
    response = small_index.with_params(**MIXED).search(SearchQuery(text, limit=50))
    order = [r.match for r in response.results]
    good = [m for m in order if m != "weak"]
    assert order[: len(good)] == good, "weak results never come before good ones"
    assert response.matched == len(good)


@pytest.mark.parametrize("text", ["？？？！！", "...!!! ??? ---", "！@#￥%……&*（）——+", "   --   "])
def test_a_query_without_any_term_matches_nobody_well(small_index, text):
    response = small_index.search(SearchQuery(text, limit=50))
    assert response.matched == 0 and response.facets["category"] == {}
    assert all(r.match == "weak" for r in response.results)


def _filter_cases() -> list[dict]:
    categories = sorted({d.category for d in SMALL_CORPUS})
    fields = sorted({f for d in SMALL_CORPUS for f in d.fields})
    languages = sorted({lang for d in SMALL_CORPUS for lang in d.languages})
    cases: list[dict] = [{"categories": (c,)} for c in categories]
    cases += [{"fields": (f,)} for f in fields]
    cases += [{"languages": (lang,)} for lang in languages]
    cases += [{"available": flag} for flag in (True, False)]
    cases += [{"categories": (c,), "fields": (f,)} for c in categories for f in fields[::3]]
    cases += [{"categories": tuple(categories[:2]), "languages": ("en",), "available": True}]
    return cases


def _accepts(doc, filters: dict) -> bool:
    return (
        (not filters.get("categories") or doc.category in filters["categories"])
        and (not filters.get("fields") or bool(set(doc.fields) & set(filters["fields"])))
        and (not filters.get("languages") or bool(set(doc.languages) & set(filters["languages"])))
        and (filters.get("available") is None or doc.available == filters["available"])
    )


@pytest.mark.parametrize("text", MATCH_QUERIES[:3])
def test_a_filter_returns_what_its_facet_counted_and_never_pads(small_index, text):
    """For every generated filter combination: the filtered list's good matches are
    exactly the unfiltered good matches that pass the filter (same levels, nobody
    added), and a single facet value's count is the number the click reports."""
    mixed = small_index.with_params(**MIXED)
    whole = mixed.search(SearchQuery(text, limit=100))
    unfiltered = levels(whole)
    by_id = {d.talent_id: d for d in SMALL_CORPUS}
    facet_key = {"categories": "category", "fields": "fields", "languages": "languages", "available": "available"}
    for filters in _filter_cases():
        response = mixed.search(SearchQuery(text, limit=100, **filters))
        got = levels(response)
        good = {t for t, m in got.items() if m != "weak"}
        expected = {t for t, m in unfiltered.items() if m != "weak" and _accepts(by_id[t], filters)}
        assert good == expected, filters
        assert response.matched == len(expected), filters
        for talent_id, match in got.items():
            assert unfiltered.get(talent_id, "weak") == match or match == "weak", (filters, talent_id)
        if len(filters) == 1:
            (name, value), = filters.items()
            key = "true" if value is True else "false" if value is False else value[0]
            assert whole.facets[facet_key[name]].get(key, 0) == response.matched, filters


@pytest.mark.elasticsearch
def test_backends_give_the_same_match_levels(tmp_path, es_url):
    from tests.search.conftest import IndexFactory

    queries = [text for text, _ in CLEAR_CUT] + list(MATCH_QUERIES) + ["qwzxv plorkt", "？？？！！"]
    found = {}
    for backend in ("embedded", "elasticsearch"):
        factory = IndexFactory(backend, tmp_path / backend, es_url)
        try:
            search = factory.open()
            search.upsert(SMALL_CORPUS)
            found[backend] = [
                (levels(view.search(SearchQuery(text, limit=50))), view.search(SearchQuery(text)).matched)
                for view in (search, search.with_params(**MIXED))
                for text in queries
            ]
        finally:
            factory.cleanup()
    assert found["embedded"] == found["elasticsearch"]


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_each_search_reports_its_own_stage_timings(small_index, mode):
    """Monitoring reads the stages from the response, so concurrent searches never mix them up."""
    first = small_index.search(SearchQuery("巨灾再保险", mode=mode))
    second = small_index.search(SearchQuery("marine drug discovery", mode=mode))
    for response in (first, second):
        assert "analyze_ms" in response.timing and ("embed_ms" in response.timing) == (mode != "lexical")
        assert all(ms >= 0 for ms in response.timing.values())
        # stages nest (embedding and candidate collection run inside the query stage): each fits the whole
        assert max(response.timing.values()) <= response.took_ms + 1
    assert first.timing is not second.timing


@pytest.mark.parametrize("text", MATCH_QUERIES[:3])
def test_tiny_candidate_pools_grow_until_no_good_match_is_missed(small_index, text):
    """With pools of two passages a filtered search reaches talents the unfiltered
    pools cut off; the pools must grow until no unseen passage could match well, so
    each facet still counts exactly what its click returns."""
    tiny = small_index.with_params(**MIXED, lexical_pool=2, dense_pool=2)
    roomy = small_index.with_params(**MIXED)
    for filters in [{}, *_filter_cases()]:
        got = levels(tiny.search(SearchQuery(text, limit=100, **filters)))
        want = levels(roomy.search(SearchQuery(text, limit=100, **filters)))
        assert {t for t, m in got.items() if m != "weak"} == {t for t, m in want.items() if m != "weak"}, filters
    whole = tiny.search(SearchQuery(text, limit=100))
    for code, count in whole.facets["category"].items():
        assert tiny.search(SearchQuery(text, limit=100, categories=(code,))).matched == count, code


# -- knowledge items (indexer.knowledge): a second logical index on the same backend ---------------

KNOWLEDGE_AUDIENCES = {
    "everyone": ("all",),
    "staff": ("staff",),
    "unit-a": ("admin", "unit:A"),
    "unit-b": ("admin", "unit:B"),
    "own": ("staff", "talent:7"),
}
VIEWERS = {
    "talent-7": ("all", "talent:7"),
    "talent-8": ("all", "talent:8"),
    "researcher-a": ("all", "staff", "unit:A"),
    "organizer": ("all", "staff"),
    "admin": ("all", "staff", "admin"),
}


@pytest.fixture(params=BACKENDS)
def knowledge_factory(request, tmp_path):
    """An expert index and a way to open knowledge indexes beside it (same backend settings)."""
    from indexer.knowledge import open_knowledge_search
    from tests.search.conftest import IndexFactory, hashing_embedder

    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    factory = IndexFactory(request.param, tmp_path, es_url)
    expert = factory.open()
    opened = []

    def open_(embedder=None):
        search = open_knowledge_search(factory.settings, embedder=embedder or hashing_embedder())
        opened.append(search)
        return search

    yield expert, open_
    for search in opened:
        if search.backend.kind == "elasticsearch":
            search.backend.drop()
        search.close()
    factory.cleanup()


def _knowledge_corpus():
    """Every kind × audience, each item mentioning the marker topic and its own number."""
    from indexer.knowledge import KINDS, KnowledgeDoc

    docs = []
    for i, (kind, (aud_name, audience)) in enumerate(
        (k, a) for k in KINDS for a in KNOWLEDGE_AUDIENCES.items()
    ):
        docs.append(KnowledgeDoc(kind, str(i), f"低空经济 无人机物流 item {i}", f"{aud_name} 建议 drone logistics {i}",
                                 talent_id=f"t-{i % 3}", request_id=str(i % 4), audience=audience))
    return docs


def test_knowledge_visibility_is_filtered_inside_the_backend(knowledge_factory):
    from indexer.knowledge import KnowledgeQuery

    _, open_ = knowledge_factory
    search = open_()
    docs = _knowledge_corpus()
    search.upsert(docs)
    for viewer, tokens in VIEWERS.items():
        visible = {d.key for d in docs if set(d.audience) & set(tokens)}
        for kinds in ((), ("advice",), ("output", "question")):
            wanted = {d.key for d in docs if d.key in visible and (not kinds or d.kind in kinds)}
            seen, offset = [], 0
            while True:
                page = search.search(KnowledgeQuery("无人机物流 drone logistics", kinds, tokens, offset=offset, limit=4))
                assert page.total == len(wanted), (viewer, kinds)
                seen += [f"{r.kind}:{r.id}" for r in page.results]
                offset += 4
                if offset >= page.total:
                    break
            assert sorted(seen) == sorted(wanted), (viewer, kinds)
            assert len(seen) == len(set(seen)), "pages do not overlap"


def test_knowledge_items_are_their_own_results_with_expert_and_request(knowledge_factory):
    from indexer.knowledge import KnowledgeDoc, KnowledgeQuery

    _, open_ = knowledge_factory
    search = open_()
    search.upsert([
        KnowledgeDoc("advice", "1", "巨灾保险试点", "建议设立巨灾保险基金", talent_id="t-ins-2", request_id="5",
                     audience=("staff",)),
        KnowledgeDoc("advice", "2", "巨灾再保险", "台风巨灾风险建模与再保险安排", talent_id="t-ins-2", request_id="6",
                     audience=("staff",)),
    ])
    response = search.search(KnowledgeQuery("巨灾保险", audience=("staff",)))
    assert {(r.kind, r.id, r.talent_id, r.request_id) for r in response.results} == {
        ("advice", "1", "t-ins-2", "5"), ("advice", "2", "t-ins-2", "6")}
    assert all(r.evidence and r.match for r in response.results)


def test_knowledge_edits_replace_and_deletes_remove(knowledge_factory):
    from indexer.knowledge import KnowledgeDoc, KnowledgeQuery

    _, open_ = knowledge_factory
    search = open_()
    search.upsert([KnowledgeDoc("output", "1", "医疗费用通胀", "百万医疗险费率", audience=("all",))])
    search.upsert([KnowledgeDoc("output", "1", "跨境数据合规", "数据出境安全评估", audience=("all",))])
    assert search.search(KnowledgeQuery("跨境数据", audience=("all",), mode="lexical")).total == 1
    assert search.search(KnowledgeQuery("医疗费用通胀", audience=("all",), mode="lexical")).total == 0
    search.delete(["output:1"])
    assert search.search(KnowledgeQuery("跨境数据", audience=("all",))).total == 0


def test_knowledge_index_leaves_expert_search_untouched(knowledge_factory):
    from indexer.knowledge import KnowledgeQuery

    expert, open_ = knowledge_factory
    expert.upsert(SMALL_CORPUS)
    search = open_()
    search.upsert(_knowledge_corpus())
    assert expert.backend.talent_count() == len(SMALL_CORPUS)
    assert all(not r.talent_id.startswith(("advice:", "output:")) for r in expert.search(SearchQuery("无人机物流")).results)
    rebuilt = search.rebuild(_knowledge_corpus()[:3])
    assert rebuilt == 3 and search.count() == 3
    assert expert.backend.talent_count() == len(SMALL_CORPUS)
    kept = {f"{r.kind}:{r.id}" for r in search.search(KnowledgeQuery("无人机物流", audience=("all", "staff", "admin"))).results}
    assert kept <= {d.key for d in _knowledge_corpus()[:3]}


def test_knowledge_index_refuses_another_embedder(knowledge_factory):
    _, open_ = knowledge_factory
    open_().upsert(_knowledge_corpus()[:2])
    with pytest.raises(IndexMismatch):  # at open (embedded) or at the first write (Elasticsearch)
        open_(embedder=CachedEmbedder(HashingEmbedder(128), None)).upsert(_knowledge_corpus()[:1])


def test_knowledge_query_needs_a_viewer():
    from indexer.knowledge import KnowledgeQuery

    with pytest.raises(ValueError):
        KnowledgeQuery("x")
    with pytest.raises(ValueError):
        KnowledgeQuery("x", audience=())
    with pytest.raises(ValueError):
        KnowledgeQuery("x", kinds=("memo",), audience=("all",))
    assert KnowledgeQuery("x", unrestricted=True).audience is None
