"""The load run in miniature: 200 talents, 5 clients, 10 seconds of repeat and 10 of distinct searches,
against a real ``kb serve``.

It proves the harness and the serving path (gunicorn in production mode,
login, search API, profile page, If-Match PATCH) under concurrency: no
request may fail. The figures themselves come from the full run
(``scripts/bench-load``, docs/reliability.md). The hashing embedder keeps the
index build to seconds; the full run uses a real model.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_small_load_run_has_no_errors(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [str(ROOT / "scripts" / "bench-load"), "--talents", "200", "--clients", "5", "--duration", "10",
         "--max-requests", "5000", "--embedder", "hashing", "--edit-share", "0.2", "--out", str(out)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    endpoints = report["endpoints"]
    assert report["errors"] == 0, endpoints
    assert all(e["requests"] > 0 for e in endpoints.values()), endpoints
    assert endpoints["profile_patch_api"]["requests"] == endpoints["profile_patch_api"]["statuses"].get("200", 0) \
        + endpoints["profile_patch_api"]["conflicts"]
    assert report["elapsed_s"] <= 15  # bounded: it stopped by itself
    assert report["in_process_search"]["p50_ms"] > 0 and report["search_over_static_p50"] > 0
    assert "| search_api |" in proc.stdout and "| all requests |" in proc.stdout
    assert report["all_requests"]["requests"] == sum(e["requests"] for e in endpoints.values())
    repeat, distinct = report["runs"]["repeat"], report["runs"]["distinct"]
    assert distinct["errors"] == 0 and distinct["endpoints"]["search_api"]["requests"] > 0
    assert distinct["elapsed_s"] <= 15
    # n searches drawn from a pool of 300 needs repeat at least n - 300 of them; the distinct run never repeats
    searches = repeat["endpoints"]["search_api"]["requests"]
    assert repeat["search_repeat_share"] >= max(0.0, 1 - 300 / searches) - 0.001
    assert distinct["search_repeat_share"] == 0
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["distinct"]["repeat_share"] == 0 and last["repeat"]["search_p95_ms"] > 0


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_distinct_needs_never_repeat_and_the_share_counts_repeats(seed: int) -> None:
    from itertools import islice

    from tests.load.bench import distinct_queries, repeat_share

    needs = list(islice(distinct_queries(seed), 2000))
    assert len(set(needs)) == 2000 and repeat_share(needs) == 0
    assert repeat_share(["a", "b", "a", "a"]) == 0.5 and repeat_share([]) == 0
