"""Checks that an Elasticsearch node does what the product's search backend needs.

    python tests/esnode/smoke.py [http://127.0.0.1:9250]

Standard library only, so it runs before any dependency is installed. Exits non-zero on the
first failed check. Used after changing tests/esnode (another ES version, other plugins).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

BASE = (
    sys.argv[1] if len(sys.argv) > 1 else os.environ.get("KB_TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9250")
).rstrip("/")
INDEX = f"esnode-smoke-{os.getpid()}"


def call(method: str, path: str, body: object = None, ndjson: list[object] | None = None) -> dict:
    data, ctype = None, "application/json"
    if ndjson is not None:
        data = "".join(json.dumps(line) + "\n" for line in ndjson).encode()
        ctype = "application/x-ndjson"
    elif body is not None:
        data = json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as e:
        raise SystemExit(f"FAIL {method} {path}: HTTP {e.code} {e.read().decode()[:500]}") from None
    return json.loads(text) if text else {}


def check(name: str, ok: bool, detail: object = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else f': {detail}'}")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    root = call("GET", "/")
    check("GET / is Elasticsearch 8.x", root.get("version", {}).get("number", "").startswith("8."), root)
    print(f"     version {root['version']['number']}, lucene {root['version'].get('lucene_version')}")
    health = call("GET", "/_cluster/health")
    check("cluster health yellow or green", health.get("status") in ("yellow", "green"), health)

    call(
        "PUT",
        f"/{INDEX}-1",
        {
            "settings": {
                "number_of_shards": 1,
                "number_of_replicas": 0,
                "analysis": {
                    "analyzer": {
                        "zh": {
                            "type": "custom",
                            "tokenizer": "standard",
                            "filter": ["cjk_width", "lowercase", "cjk_bigram"],
                        }
                    }
                },
            },
            "mappings": {
                "properties": {
                    "title": {"type": "text", "analyzer": "whitespace"},
                    "body": {"type": "text", "analyzer": "zh"},
                    "tag": {"type": "keyword"},
                    "vec": {
                        "type": "dense_vector",
                        "dims": 4,
                        "similarity": "cosine",
                        "index": True,
                        "index_options": {"type": "int8_hnsw"},
                    },
                }
            },
        },
    )
    mapping = call("GET", f"/{INDEX}-1/_mapping")[f"{INDEX}-1"]["mappings"]["properties"]
    check(
        "dense_vector with int8_hnsw",
        mapping["vec"].get("index_options", {}).get("type") == "int8_hnsw",
        mapping["vec"],
    )

    docs = [
        ("1", {"title": "machine learning", "body": "深圳罗湖 人工智能", "tag": "ai", "vec": [1, 0, 0, 0]}),
        ("2", {"title": "deep learning", "body": "罗湖 金融", "tag": "ai", "vec": [0.9, 0.1, 0, 0]}),
        ("3", {"title": "bond markets", "body": "金融 市场", "tag": "finance", "vec": [0, 1, 0, 0]}),
    ]
    lines: list[object] = []
    for doc_id, doc in docs:
        lines += [{"index": {"_index": f"{INDEX}-1", "_id": doc_id}}, doc]
    bulk = call("POST", "/_bulk?refresh=true", ndjson=lines)
    check("_bulk", bulk.get("errors") is False and len(bulk.get("items", [])) == 3, bulk)

    hits = call("POST", f"/{INDEX}-1/_search", {"query": {"match": {"title": "learning"}}})["hits"]["hits"]
    check("match on a whitespace-analysed text field", {h["_id"] for h in hits} == {"1", "2"}, hits)
    hits = call("POST", f"/{INDEX}-1/_search", {"query": {"match": {"body": "罗湖"}}})["hits"]["hits"]
    check("match on a cjk_bigram-analysed field", {h["_id"] for h in hits} == {"1", "2"}, hits)

    knn = {
        "field": "vec",
        "query_vector": [0, 1, 0, 0],
        "k": 2,
        "num_candidates": 10,
        "filter": {"term": {"tag": "ai"}},
    }
    hits = call("POST", f"/{INDEX}-1/_search", {"knn": knn, "_source": False})["hits"]["hits"]
    check("top-level knn with a filter", [h["_id"] for h in hits] == ["2", "1"], hits)
    hybrid = call(
        "POST",
        f"/{INDEX}-1/_search",
        {"query": {"match": {"title": "markets"}}, "knn": {**knn, "filter": []}},
    )
    check("knn + query together", {h["_id"] for h in hybrid["hits"]["hits"]} >= {"3"}, hybrid["hits"])

    aggs = call("POST", f"/{INDEX}-1/_search", {"size": 0, "aggs": {"tags": {"terms": {"field": "tag"}}}})
    buckets = {b["key"]: b["doc_count"] for b in aggs["aggregations"]["tags"]["buckets"]}
    check("terms aggregation", buckets == {"ai": 2, "finance": 1}, buckets)

    call("PUT", f"/{INDEX}-2", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    call("POST", "/_aliases", {"actions": [{"add": {"index": f"{INDEX}-1", "alias": INDEX}}]})
    call(
        "POST",
        "/_aliases",
        {
            "actions": [
                {"remove": {"index": f"{INDEX}-1", "alias": INDEX}},
                {"add": {"index": f"{INDEX}-2", "alias": INDEX}},
            ]
        },
    )
    check("alias swap with _aliases", list(call("GET", f"/_alias/{INDEX}")) == [f"{INDEX}-2"])

    tokens = call("POST", "/_analyze", {"analyzer": "cjk", "text": "罗湖区"})["tokens"]
    check("cjk analyzer", [t["token"] for t in tokens] == ["罗湖", "湖区"], tokens)

    call("DELETE", f"/{INDEX}-1,{INDEX}-2")
    print("all checks passed")


if __name__ == "__main__":
    main()
