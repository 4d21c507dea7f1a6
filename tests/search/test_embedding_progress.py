"""The progress line of long embedding runs (a first `kb demo` embeds for minutes)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.embedding.cache import CachedEmbedder, VectorCache
from indexer.embedding.hashing import HashingEmbedder
from indexer.embedding.progress import EmbeddingProgress, format_duration, format_line


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TtyBuffer(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (87, "1 min 27 s"), (3600, "1 h 00 min"), (-3, "0 s")],
)
def test_durations_read_as_a_person_would_say_them(seconds, text):
    assert format_duration(seconds) == text


@given(total=st.integers(1, 100_000), data=st.data(), elapsed=st.floats(0.01, 10_000))
def test_the_line_states_count_share_rate_and_time_left(total, data, elapsed):
    done = data.draw(st.integers(1, total))
    line = format_line("embedding passages", done, total, elapsed)
    assert line.startswith(f"embedding passages: {done}/{total} ({100 * done // total}%)")
    assert f"{done / elapsed:.1f}/s" in line
    if done < total:
        assert re.search(r"about .+ left$", line), line
    else:
        assert line.endswith(f"done in {format_duration(elapsed)}")


def test_a_short_run_prints_nothing():
    out = io.StringIO()
    progress = EmbeddingProgress(out, min_total=100, clock=FakeClock())
    progress.start(99)
    progress.advance(99)
    progress.finish()
    assert out.getvalue() == ""


def test_a_long_run_into_a_log_prints_a_line_per_interval_and_a_last_one():
    out, clock = io.StringIO(), FakeClock()
    progress = EmbeddingProgress(out, min_total=100, interval=10, clock=clock)
    progress.start(640)
    for _ in range(10):
        clock.now += 4  # 64 passages every 4 s: 16/s
        progress.advance(64)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert lines[0] == "embedding passages: 0/640 (0%)"
    # one line each time 10 s have passed, none at 40 s (the run is complete), then the last line
    assert lines[1:-1] == [
        "embedding passages: 192/640 (30%), 16.0/s, about 28 s left",
        "embedding passages: 384/640 (60%), 16.0/s, about 16 s left",
        "embedding passages: 576/640 (90%), 16.0/s, about 4 s left",
    ]
    assert lines[-1] == "embedding passages: 640/640 (100%), 16.0/s, done in 40 s"


def test_on_a_terminal_the_line_is_rewritten_in_place():
    out, clock = TtyBuffer(), FakeClock()
    progress = EmbeddingProgress(out, min_total=1, interval=0, clock=clock)
    progress.start(2)
    clock.now += 1
    progress.advance(1)
    clock.now += 1
    progress.advance(1)
    progress.finish()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("done in 2 s\n")
    assert text.count("\r\033[K") == 3  # start, one update, the final line


class Recorder(EmbeddingProgress):
    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.events: list[tuple[str, int]] = []

    def start(self, total: int) -> None:
        self.events.append(("start", total))

    def advance(self, n: int) -> None:
        self.events.append(("advance", n))

    def finish(self) -> None:
        self.events.append(("finish", 0))


def test_the_cached_embedder_reports_only_passages_it_actually_embeds(tmp_path):
    recorder = Recorder()
    embedder = CachedEmbedder(HashingEmbedder(32), VectorCache(tmp_path / "v.sqlite"), progress=recorder)
    texts = [f"passage {i}" for i in range(150)]
    embedder.embed_passages(texts[:20])
    recorder.events.clear()
    vectors = embedder.embed_passages(texts)  # 20 are cached, 130 are new
    assert recorder.events[0] == ("start", 130)
    assert recorder.events[-1] == ("finish", 0)
    assert sum(n for kind, n in recorder.events if kind == "advance") == 130
    assert np.allclose(vectors, HashingEmbedder(32).embed_passages(texts))
    recorder.events.clear()
    embedder.embed_queries(["a query that is not a passage"])
    assert recorder.events == []
