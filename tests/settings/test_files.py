"""Finding config/ in a checkout (beside the package) and in a regular install (wheel data files)."""

from __future__ import annotations

import sysconfig
import tomllib
from pathlib import Path

import pytest

import kb
from kb.settings import files

REPO = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_its_own_config_folder() -> None:
    assert files.config_dir() == REPO / "config"


def test_an_installed_package_uses_the_shared_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "kb").mkdir(parents=True)
    shared = tmp_path / "venv" / "share" / "luohu-kb" / "config"
    shared.mkdir(parents=True)
    (shared / "default.toml").write_text('env = "development"\n')
    monkeypatch.setattr(kb, "__file__", str(site / "kb" / "__init__.py"))
    real_get_path = sysconfig.get_path
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *a, **k: str(tmp_path / "venv") if name == "data"
                        else real_get_path(name, *a, **k))
    assert files.config_dir() == shared
    assert files.packaged("default.toml").read_text() == 'env = "development"\n'


def test_a_broken_installation_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kb, "__file__", str(tmp_path / "kb" / "__init__.py"))
    monkeypatch.setattr(files, "candidates", lambda: [tmp_path / "config", tmp_path / "share"])
    with pytest.raises(FileNotFoundError, match="looked in .*config, .*share"):
        files.config_dir()


def test_the_wheel_ships_every_file_of_config() -> None:
    """pyproject's data-files patterns cover each file in config/ (a new kind of file would be left out)."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["data-files"]
    shipped = {p for pattern in patterns["share/luohu-kb/config"] for p in REPO.glob(pattern)}
    assert shipped == {p for p in (REPO / "config").iterdir() if p.is_file()}
