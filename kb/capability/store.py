"""The built map, kept as one JSON file in the data directory.

Building the map reads every passage vector and searches every recent need,
so it is built on demand (admin action through the worker, ``kb
capability-map build``) and every dashboard view reads the stored result. A
file rather than a table: the data directory is already shared by every app
server of a deployment (uploads live there), one document is read whole and
written whole, and it needs no migration. The file is replaced atomically, so
a reader sees the old map or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

FILENAME = "capability-map.json"


def map_path(data_dir: Path) -> Path:
    return data_dir / FILENAME


def save(data_dir: Path, payload: dict[str, Any]) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = map_path(data_dir)
    fd, tmp = tempfile.mkstemp(prefix=".capability-", suffix=".json", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(data_dir: Path) -> dict[str, Any] | None:
    """The stored map, or None when none was built (or the file is unreadable: rebuild it)."""
    try:
        data = json.loads(map_path(data_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
