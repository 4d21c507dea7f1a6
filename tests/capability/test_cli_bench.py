"""`kb capability-map build|show` and the benchmark, at a scale of seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.capability import bench
from kb.cli import main


def test_build_then_show_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    runner = CliRunner()
    assert "no capability map yet" in runner.invoke(main, ["capability-map", "show"]).output
    assert runner.invoke(main, ["init"]).exit_code == 0
    built = runner.invoke(main, ["capability-map", "build"])
    assert built.exit_code == 0, built.output
    assert "0 topics over 0 talents, 0 needs" in built.output
    shown = runner.invoke(main, ["capability-map", "show", "--json"])
    assert json.loads(shown.output)["topics"] == []


def test_the_benchmark_reports_every_figure_in_its_json_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["--talents", "40", "--data-dir", str(tmp_path)])
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["talents"] == 40 and last["passages"] == 400 and last["topics"] >= 2
    assert last["map_topics_build_s"] >= last["stage_kmeans_s"] >= 0
    assert last["baseline_read_vectors_s"] >= 0
