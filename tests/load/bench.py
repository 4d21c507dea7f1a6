"""A bounded load run against ``kb serve`` (gunicorn, production mode) on loopback.

    scripts/bench-load                       # 10k talents, 20 clients, 60 s
    scripts/bench-load --talents 200 --duration 10 --clients 5

Steps: generate a synthetic corpus (tests/load/corpus.py), ``kb init``,
``kb import --no-index`` and ``kb reindex`` (each timed), two accounts with API
tokens, ``kb serve`` with ``KB_ENV=production`` and a generated secret, a
short warm-up, then the run: each client loops over the search API, the HTML
profile page and — for ``--edit-share`` of its turns — a read-then-PATCH of a
profile with ``If-Match`` (409 conflicts are counted apart from errors). A
static file fetched by the same clients under the same load, and the same
searches run in-process without load afterwards, are the baselines. The run
stops at ``--duration`` seconds or ``--max-requests``, whichever comes first;
the report is printed and written as JSON, and its last line is one JSON object.

Two kinds of search traffic (``--searches``): ``repeat`` draws each search from
a pool of 300 needs, as real users repeat popular ones, so most are answered
from the worker's query-vector cache (the report says which share repeated);
``distinct`` sends a need never sent before, against a restarted server (empty
per-worker caches) and a fresh SQLite vector cache, so every search runs the
model. ``both`` (the default) runs one after the other, on the same index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.load.client import Connection, Stats, check_loopback, timed
from tests.load.corpus import QUERIES, TOPICS, records

ROOT = Path(__file__).resolve().parents[2]
KB = [sys.executable, "-c", "from kb.cli import main; main()"]
PASSWORD = "bench-load-password-1"
CSRF = re.compile(rb'name="csrf-token" content="([^"]+)"')
HOT_EDIT_SET = 40  # edits go to a few profiles, so concurrent edits do collide


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scripts/bench-load", description=__doc__.split("\n\n")[0])
    p.add_argument("--talents", type=int, default=10_000)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of measured load (upper bound)")
    p.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    p.add_argument("--edit-share", type=float, default=0.10)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=1, help="request threads per worker (kb serve's default)")
    p.add_argument("--embedder", default=os.environ.get("KB_EMBEDDER", ""),
                   help="KB_EMBEDDER for index and queries alike (default: the product default)")
    p.add_argument("--data-dir", type=Path, help="keep the data here; reused when it already holds the corpus")
    p.add_argument("--port", type=int, default=0, help="0: a free port")
    p.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "bench-load.json")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--searches", choices=("repeat", "distinct", "both"), default="both",
                   help="repeat: needs drawn from a pool (warm query caches); distinct: every need new, cold caches")
    return p.parse_args(argv)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queries(n: int, seed: int) -> list[str]:
    """Distinct needs: single topics and pairs, so the query-vector cache is not always warm."""
    rng = random.Random(seed)
    topics = [t for ts in TOPICS.values() for t in ts]
    out = list(QUERIES)
    while len(out) < n:
        out.append(f"{rng.choice(topics)} {rng.choice(topics)}")
    return list(dict.fromkeys(out))[:n]


def distinct_queries(seed: int) -> Iterator[str]:
    """Needs never sent before in this run: three different topic words (70 topics: 328 440 orders)."""
    rng = random.Random(seed)
    topics = [t for ts in TOPICS.values() for t in ts]
    seen: set[str] = set()
    while True:
        need = " ".join(rng.sample(topics, 3))
        if need not in seen:
            seen.add(need)
            yield need


def repeat_share(sent: list[str]) -> float:
    """Share of searches whose need was already sent earlier in the run."""
    return round(1 - len(set(sent)) / len(sent), 3) if sent else 0.0


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = None if args.data_dir else tempfile.mkdtemp(prefix="kb-bench-")
        self.data = (args.data_dir or Path(self.tmp or ".")).resolve()
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = args.port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        check_loopback(self.base)
        self.env = {**os.environ, "KB_DATA_DIR": str(self.data), "KB_ENV": "production",
                    "KB_SECRET_KEY": secrets.token_hex(32), "PYTHONPATH": str(ROOT),
                    "KB_EMBEDDING_CACHE": os.environ.get(
                        "KB_EMBEDDING_CACHE", str(Path.home() / ".cache" / "luohu-kb-bench" / "embeddings.sqlite"))}
        self.env.pop("KB_DATABASE_URL", None)
        if args.embedder:
            self.env["KB_EMBEDDER"] = args.embedder
        Path(self.env["KB_EMBEDDING_CACHE"]).parent.mkdir(parents=True, exist_ok=True)
        self.server: subprocess.Popen[bytes] | None = None
        self.elapsed = 0.0
        self.report: dict[str, Any] = {"talents": args.talents, "clients": args.clients,
                                       "edit_share": args.edit_share, "workers": args.workers, "threads": args.threads,
                                       "embedder": args.embedder or "default (auto)", "data_dir": str(self.data)}

    def kb(self, *args: str, timeout: float = 7200) -> str:
        proc = subprocess.run([*KB, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise SystemExit(f"kb {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def log(self, message: str) -> None:
        print(f"bench-load: {message}", file=sys.stderr, flush=True)

    # -- preparation ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        marker = self.data / "bench-corpus.json"
        wanted = {"talents": self.args.talents, "seed": self.args.seed, "embedder": self.report["embedder"]}
        if marker.exists() and json.loads(marker.read_text()) == wanted:
            self.log(f"reusing the imported and indexed corpus in {self.data}")
            self.report.update(json.loads((self.data / "bench-timings.json").read_text()))
            return
        corpus = self.data / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as f:
            for rec in records(self.args.talents, self.args.seed):
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.kb("init")
        started = time.perf_counter()
        self.log(f"kb import --no-index ({self.args.talents} talents)")
        self.kb("import", "--no-index", str(corpus))
        imported = time.perf_counter() - started
        self.log(f"imported in {imported:.1f} s; kb reindex")
        started = time.perf_counter()
        self.kb("reindex")
        indexed = time.perf_counter() - started
        self.log(f"indexed in {indexed:.1f} s")
        self.kb("worker", "--once")  # the queue rows of the import: already in the rebuilt index
        for name, role in (("bench-staff", "commissioner"), ("bench-researcher", "researcher")):
            self.kb("users", "create", name, "--role", role, "--password", PASSWORD)
        timings = {"import_s": round(imported, 1), "index_s": round(indexed, 1)}
        (self.data / "bench-timings.json").write_text(json.dumps(timings))
        marker.write_text(json.dumps(wanted))
        self.report.update(timings)

    def start_server(self) -> None:
        log = open(self.data / "serve.log", "wb")  # noqa: SIM115 - closed with the process
        self.server = subprocess.Popen(
            [*KB, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.args.workers),
             "--threads", str(self.args.threads)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SystemExit(f"kb serve exited; see {self.data / 'serve.log'}")
            try:
                resp = asyncio.run(Connection("127.0.0.1", self.port).request("GET", "/login", timeout=5))
                if resp.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit("kb serve did not answer within 120 s")

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=10)

    # -- the run ----------------------------------------------------------------------------------------
    async def login(self, conn: Connection) -> None:
        page = await conn.request("GET", "/login")
        token = CSRF.search(page.body)
        assert token, "no CSRF token on /login"
        body = f"username=bench-researcher&password={PASSWORD}&csrf_token={token.group(1).decode()}".encode()
        resp = await conn.request("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"}, body)
        assert resp.status == 302, f"login failed: {resp.status}"

    async def run(self, tokens: dict[str, str], mode: str) -> tuple[dict[str, Stats], list[str]]:
        """One measured run; returns the stats by endpoint and the needs searched, in order."""
        args, rng = self.args, random.Random(self.args.seed)
        pool = queries(300, args.seed)
        fresh = distinct_queries(args.seed + 1)
        searched: list[str] = []
        ids = [f"load-{i:06d}" for i in range(args.talents)]
        hot = ids[:HOT_EDIT_SET]
        stats = {name: Stats() for name in ("search_api", "profile_page", "profile_get_api", "profile_patch_api",
                                            "static")}
        sent = 0
        deadline = time.perf_counter() + args.duration
        api = {"Authorization": f"Bearer {tokens['bench-researcher']}"}
        staff = {"Authorization": f"Bearer {tokens['bench-staff']}"}

        async def client(n: int) -> None:
            nonlocal sent
            conn = Connection("127.0.0.1", self.port)
            await self.login(conn)
            local = random.Random(rng.random())
            while time.perf_counter() < deadline and sent < args.max_requests:
                sent += 1
                r = local.random()
                if sent % 20 == 0:
                    await timed(conn, stats["static"], "GET", "/static/css/app.css")
                elif r < args.edit_share:
                    tid = local.choice(hot)
                    got = await timed(conn, stats["profile_get_api"], "GET", f"/api/v1/talents/{tid}", headers=staff)
                    if got is None or got.status != 200:
                        continue
                    body = json.dumps({"bio": f"负载测试修改 {n}-{sent}"}).encode()
                    await timed(conn, stats["profile_patch_api"], "PATCH", f"/api/v1/talents/{tid}",
                                conflict_ok=True, body=body,
                                headers={**staff, "If-Match": got.headers.get("etag", ""),
                                         "Content-Type": "application/json"})
                    sent += 1
                elif r < args.edit_share + (1 - args.edit_share) / 2:
                    need = next(fresh) if mode == "distinct" else local.choice(pool)
                    searched.append(need)
                    q = need.replace(" ", "+")
                    from urllib.parse import quote

                    await timed(conn, stats["search_api"], "GET", f"/api/v1/search?q={quote(q, safe='+')}&k=10",
                                headers=api)
                else:
                    await timed(conn, stats["profile_page"], "GET", f"/talents/{local.choice(ids)}")
            await conn.close()

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(args.clients)))
        self.elapsed = round(time.perf_counter() - started, 1)
        return stats, searched

    def tokens(self) -> dict[str, str]:
        return {name: self.kb("users", "token", name, "--label", "bench").strip()
                for name in ("bench-staff", "bench-researcher")}

    def warm_up(self, tokens: dict[str, str]) -> None:
        """Each worker loads the embedding model on its first *uncached* query (about 13 s for a
        sentence-transformers model); keep that out of the figures. The warm-up queries carry a
        random word so the persistent vector cache cannot answer them instead of the model."""
        async def go() -> None:
            conns = [Connection("127.0.0.1", self.port) for _ in range(self.args.workers * 4)]
            for n in range(6):
                await asyncio.gather(*(c.request(
                    "GET", f"/api/v1/search?q=warmup{secrets.token_hex(4)}+{n}",
                    {"Authorization": f"Bearer {tokens['bench-researcher']}"}, timeout=180) for c in conns))
            for c in conns:
                await c.close()
        asyncio.run(go())

    def in_process_baseline(self, mode: str) -> dict[str, float]:
        """The same kind of searches in this process, one at a time, no HTTP and no concurrent load
        (distinct: needs of their own, never sent, through an empty vector cache)."""
        for key in ("KB_DATA_DIR", "KB_EMBEDDER", "KB_EMBEDDING_CACHE"):
            if key in self.env:
                os.environ[key] = self.env[key]
        if mode == "distinct":
            os.environ["KB_EMBEDDING_CACHE"] = str(self.data / "cold-cache" / "baseline.sqlite")
        from indexer import SearchQuery
        from kb.actors import Actor
        from kb.context import KnowledgeBase
        from kb.search_service import search_experts

        kb = KnowledgeBase()
        actor = Actor(None, "bench", "researcher")
        if mode == "distinct":
            fresh = distinct_queries(self.args.seed + 2)
            pool = [next(fresh) for _ in range(101)]
        else:
            pool = queries(300, self.args.seed)
        search_experts(kb, actor, SearchQuery(pool[0], limit=10))
        times = []
        for q in pool[1:101] if mode == "distinct" else pool[:100]:
            started = time.perf_counter()
            search_experts(kb, actor, SearchQuery(q, limit=10, with_facets=True))
            times.append(time.perf_counter() - started)
        kb.close()
        times.sort()
        return {"p50_ms": round(times[len(times) // 2] * 1000, 1), "p95_ms": round(times[int(len(times) * .95)] * 1000, 1)}

    def cold_caches(self) -> None:
        """Empty query caches for the distinct run: a fresh SQLite vector cache for the server (the
        index holds the passage vectors; only query vectors would be read from it), and a restart
        (each worker's in-memory cache starts empty)."""
        cold = self.data / "cold-cache"
        shutil.rmtree(cold, ignore_errors=True)
        cold.mkdir(parents=True)
        self.env["KB_EMBEDDING_CACHE"] = str(cold / "server.sqlite")

    def measure(self, tokens: dict[str, str], mode: str) -> dict[str, Any]:
        if mode == "distinct":
            self.cold_caches()
        try:
            self.start_server()
            self.warm_up(tokens)
            self.log(f"load ({mode} searches): {self.args.clients} clients, up to {self.args.duration:.0f} s / "
                     f"{self.args.max_requests} requests against {self.base}")
            stats, searched = asyncio.run(self.run(tokens, mode))
        finally:
            self.stop_server()
        elapsed = self.elapsed
        run: dict[str, Any] = {"searches": mode, "elapsed_s": elapsed,
                               "endpoints": {name: s.summary(elapsed) for name, s in stats.items()},
                               "search_repeat_share": repeat_share(searched)}
        every = Stats()
        for s in stats.values():
            every.latencies += s.latencies
            every.errors += s.errors
            every.conflicts += s.conflicts
            for status, count in s.statuses.items():
                every.statuses[status] = every.statuses.get(status, 0) + count
        run["all_requests"] = every.summary(elapsed)
        run["in_process_search"] = self.in_process_baseline(mode)
        ep = run["endpoints"]
        run["total_rps"] = round(sum(e["requests"] for e in ep.values()) / elapsed, 1)
        run["errors"] = sum(e["errors"] for e in ep.values())
        if ep["static"]["p50_ms"]:
            run["search_over_static_p50"] = round(ep["search_api"]["p50_ms"] / ep["static"]["p50_ms"], 1)
        if run["in_process_search"]["p50_ms"]:
            run["search_api_over_in_process_p50"] = round(
                ep["search_api"]["p50_ms"] / run["in_process_search"]["p50_ms"], 1)
        return run

    def main(self) -> dict[str, Any]:
        self.prepare()
        tokens = self.tokens()
        self.report["load_avg_start"] = [round(x, 2) for x in os.getloadavg()]
        modes = ("repeat", "distinct") if self.args.searches == "both" else (self.args.searches,)
        runs = {mode: self.measure(tokens, mode) for mode in modes}
        # The first run's figures stay at the top level (the report's shape before distinct runs existed);
        # every run is under "runs".
        self.report.update(runs[modes[0]])
        self.report["runs"] = runs
        self.report["errors"] = sum(r["errors"] for r in runs.values())
        self.report["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
        self.args.out.parent.mkdir(parents=True, exist_ok=True)
        self.args.out.write_text(json.dumps(self.report, indent=2, ensure_ascii=False))
        print(table(self.report))
        print(json.dumps(summary(self.report), ensure_ascii=False))
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return self.report


def table(report: dict[str, Any]) -> str:
    lines = [f"talents {report['talents']}, clients {report['clients']}, workers {report['workers']}, "
             f"embedder {report['embedder']}, import {report.get('import_s')} s, index {report.get('index_s')} s, "
             f"load average (1/5/15 min) at start {report['load_avg_start']}, at end {report['load_avg_end']}"]
    for mode, run in report["runs"].items():
        lines += ["", f"{mode} searches ({run['elapsed_s']} s; share of searches repeating an earlier need: "
                      f"{run['search_repeat_share']:.0%})",
                  "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors | conflicts |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, e in [*run["endpoints"].items(), ("all requests", run["all_requests"])]:
            lines.append(f"| {name} | {e['requests']} | {e['rps']} | {e['p50_ms']} | {e['p95_ms']} | {e['p99_ms']} | "
                         f"{e['errors']} | {e['conflicts']} |")
        lines.append(f"total {run['total_rps']} req/s, errors {run['errors']}; in-process search "
                     f"p50 {run['in_process_search']['p50_ms']} ms / p95 {run['in_process_search']['p95_ms']} ms; "
                     f"search API p50 / static p50 = {run.get('search_over_static_p50')}; "
                     f"search API p50 / in-process p50 = {run.get('search_api_over_in_process_p50')}")
    return "\n".join(lines)


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The one-line JSON result: search API figures of each run, with what they rest on."""
    out: dict[str, Any] = {"bench": "load", "talents": report["talents"], "clients": report["clients"],
                           "embedder": report["embedder"], "index_s": report.get("index_s"),
                           "errors": report["errors"], "load_avg_start": report["load_avg_start"]}
    for mode, run in report["runs"].items():
        api = run["endpoints"]["search_api"]
        out[mode] = {"search_p50_ms": api["p50_ms"], "search_p95_ms": api["p95_ms"], "search_rps": api["rps"],
                     "repeat_share": run["search_repeat_share"], "static_p50_ms": run["endpoints"]["static"]["p50_ms"],
                     "in_process_p95_ms": run["in_process_search"]["p95_ms"], "total_rps": run["total_rps"]}
    return out


def main(argv: list[str] | None = None) -> int:
    report = Bench(parse(argv)).main()
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
