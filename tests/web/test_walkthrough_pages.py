"""scripts/walkthrough.py names real pages: each path of each role is a GET route of the app,
and each of the five demo roles has pages (a renamed URL would silently drop a screenshot)."""

from __future__ import annotations

import runpy
from pathlib import Path

from flask import Flask

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "walkthrough.py"


def test_every_walkthrough_page_is_a_route(app: Flask) -> None:
    pages = runpy.run_path(str(SCRIPT))["pages"]({"request": 1, "invitation": 1, "event": 1})
    assert set(pages) == {"researcher", "talent", "organizer", "commissioner", "admin"}
    adapter = app.url_map.bind("localhost")
    for role, paths in pages.items():
        assert paths, role
        for path in paths.values():
            endpoint, _args = adapter.match(path.split("?")[0], "GET")
            assert endpoint != "static", (role, path)
