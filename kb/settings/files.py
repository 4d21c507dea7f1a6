"""Where the packaged configuration files (config/*.toml, gunicorn.conf.py) are.

The files live in the repository's top-level ``config/`` folder, which is
where an operator looks for them and what a checkout or an editable install
(``pip install -e .``) uses directly: the folder next to the ``kb`` package.

A regular (non-editable) install copies only packages into site-packages, so
``config/`` would be lost. pyproject.toml therefore ships the same files as
wheel data files (``[tool.setuptools.data-files]``), which pip installs under
``<prefix>/share/luohu-kb/config`` (``<prefix>`` being the virtual
environment or ``/usr/local``). Data files rather than package data because
package data must sit inside a package directory, which would mean a second
copy of config/ in the tree that could drift from the first; data files are
copied from config/ itself at build time.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

import kb

SHARE = Path("share") / "luohu-kb" / "config"


def candidates() -> list[Path]:
    """Folders that may hold default.toml, most specific first."""
    beside_package = Path(kb.__file__).resolve().parent.parent / "config"
    prefixes = [Path(sysconfig.get_path("data")), Path(sys.prefix)]
    return [beside_package, *(p / SHARE for p in prefixes)]


def config_dir() -> Path:
    """The folder of the packaged configuration files."""
    for folder in candidates():
        if (folder / "default.toml").is_file():
            return folder
    searched = ", ".join(str(p) for p in candidates())
    raise FileNotFoundError(f"config/default.toml not found (looked in {searched}); the installation is incomplete")


def packaged(name: str) -> Path:
    """A packaged configuration file, e.g. ``packaged("logging.toml")``."""
    return config_dir() / name
