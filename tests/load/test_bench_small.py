"""The load run in miniature: 200 talents, 5 clients, 10 seconds, against a real ``kb serve``.

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

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_small_load_run_has_no_errors(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [str(ROOT / "scripts" / "bench-load"), "--talents", "200", "--clients", "5", "--duration", "10",
         "--max-requests", "5000", "--embedder", "hashing", "--edit-share", "0.2", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
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
