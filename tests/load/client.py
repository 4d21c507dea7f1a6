"""A small asyncio HTTP/1.1 load client: keep-alive connections, per-endpoint latency.

Why not locust or wrk: the machine has two cores shared with the server, so
the client must cost little (one process, no greenlets or per-request
threads), and the mix needs per-endpoint figures and a read-then-PATCH with
``If-Match`` — both awkward in wrk's Lua. Loopback only: the target host is
checked before any request is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Stats:
    """Latencies (seconds) and outcomes of one endpoint."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    conflicts: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int, *, conflict_ok: bool = False) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if conflict_ok and status == 409:
            self.conflicts += 1
        elif status >= 400 or status == 0:
            self.errors += 1
        self.latencies.append(seconds)

    def summary(self, elapsed: float) -> dict[str, float | int | dict]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            if not lat:
                return 0.0
            return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000, 1)

        return {
            "requests": len(lat), "errors": self.errors, "conflicts": self.conflicts,
            "rps": round(len(lat) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else 0.0,
            "statuses": dict(sorted(self.statuses.items())),
        }


def check_loopback(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    host = parts.hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to send load to {host}: loopback addresses only")
    return host, parts.port or 80


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened after an error or a 'close')."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: bytes = b"", timeout: float = 30.0) -> Response:
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: reopen once
            if self.writer is None:
                await self._open()
            try:
                return await asyncio.wait_for(self._exchange(method, path, headers or {}, body), timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                await self.close()
                if attempt == 2:
                    raise exc
        raise AssertionError("unreachable")

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive",
                 f"Content-Length: {len(body)}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        resp_headers: dict[str, str] = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key] = val
            resp_headers[name] = value
        if resp_headers.get("transfer-encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
            payload = bytes(data)
        else:
            payload = await self.reader.readexactly(int(resp_headers.get("content-length", "0")))
        if resp_headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, resp_headers, payload)


async def timed(conn: Connection, stats: Stats, method: str, path: str, *, conflict_ok: bool = False,
                **kwargs: object) -> Response | None:
    started = time.perf_counter()
    try:
        resp = await conn.request(method, path, **kwargs)  # type: ignore[arg-type]
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        stats.add(time.perf_counter() - started, 0)
        await conn.close()
        return None
    stats.add(time.perf_counter() - started, resp.status, conflict_ok=conflict_ok)
    return resp
