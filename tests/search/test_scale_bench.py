"""The scale benchmark measures what it says (issue 19 §6): distinct queries, varied
filters, the serving thread count, the reference over the vectors it built, and the
Elasticsearch request trace its stage timings come from."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.backends.elasticsearch import trace
from indexer.backends.elasticsearch.serializers import orjson_serializers
from indexer.bench import scale
from indexer.bench.synthetic import SyntheticPassageEmbedder, describe_vectors, synthetic_queries
from indexer.embedding.hashing import HashingEmbedder
from indexer.taxonomy import current_taxonomy
from kb.settings.sections import ServerSettings


@settings(max_examples=5, deadline=None)  # each example reads jieba's dictionary
@given(st.integers(1, 1500), st.integers(0, 1000))
def test_benchmark_queries_never_repeat(count, seed):
    queries = synthetic_queries(count, seed)
    assert len(queries) == count == len(set(queries))


def test_benchmark_embeds_with_the_threads_kb_serve_gives_a_worker(monkeypatch):
    assert ServerSettings().workers == scale.KB_SERVE_WORKERS
    for cores in (1, 2, 3, 8):
        monkeypatch.setattr(scale, "available_cores", lambda cores=cores: cores)
        assert scale.serving_threads() == max(1, cores // ServerSettings().workers)
    assert scale.serving_threads(3) == 3  # --embedding-threads wins


def test_filters_vary_in_kind_and_value():
    rng = np.random.default_rng(5)
    fields = sorted(current_taxonomy().fields)
    drawn = [scale.query_filters(rng, fields) for _ in range(200)]
    kinds = {kind for kind, _ in drawn}
    assert kinds == {"categories", "fields", "categories+fields", "available", "languages"}
    assert len({changes.get("fields") for _, changes in drawn if "fields" in changes}) > 10
    for kind, changes in drawn:
        assert set(changes) == set(kind.split("+")) or kind in ("available", "languages")
        assert all(value for value in changes.values())


def test_reference_scans_the_recorded_document_vectors_with_the_served_query_vectors(tmp_path):
    inner = SyntheticPassageEmbedder(HashingEmbedder(dim=16), seed=3)
    recording = scale.RecordingEmbedder(inner, tmp_path / scale.VECTORS_FILE)
    built = [recording.embed_passages([f"文本{i}", f"text {i}"]) for i in range(5)]
    recording.close()
    np.save(tmp_path / scale.QUERY_VECTORS_FILE, inner.embed_queries(["查询", "query"]))
    ms, scanned, timed = scale.bruteforce_ms(tmp_path, 16)
    assert scanned == recording.count == 10 and timed == 2
    assert ms >= 0.0
    stored = np.fromfile(tmp_path / scale.VECTORS_FILE, dtype=np.float32).reshape(-1, 16)
    assert np.allclose(stored, np.concatenate(built))


def test_description_names_the_synthetic_vector_recipe():
    text = describe_vectors()
    e = SyntheticPassageEmbedder
    assert "synthetic" in text and "not the model's" in text
    assert all(str(weight) in text for weight in (e.SHARED, e.TOPIC, e.NOISE))


def test_trace_counts_requests_only_inside_its_block():
    trace.record(5.0, {"took": 3})
    with trace.tracing() as t:
        trace.record(5.0, {"took": 3})  # a search: the cluster reports its own time
        trace.record(2.0, {"docs": []})  # an mget: no "took"
    trace.record(1.0, {"took": 1})
    assert (t.requests, t.round_trip_ms, t.took_ms) == (2, 7.0, 3.0)


@pytest.mark.parametrize("mimetype", sorted(orjson_serializers()))
def test_orjson_serializers_write_numpy_vectors_and_read_back(mimetype):
    serializer = orjson_serializers()[mimetype]
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    if "ndjson" in mimetype:
        body = serializer.dumps([{"index": "x"}, {"knn": {"query_vector": vector}}])
        assert body.count(b"\n") == 2
        read = serializer.loads(body)[1]["knn"]["query_vector"]
    else:
        read = serializer.loads(serializer.dumps({"v": vector}))["v"]
    assert np.array_equal(np.asarray(read, dtype=np.float32), vector)  # every float32 exactly
