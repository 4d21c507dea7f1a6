"""A live server and Debian's Chromium for the browser tests, in one place.

Playwright must never download a browser here, so it drives Debian's
``chromium`` with the flags that keep it off the (closed) network.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from web.headless import launch_chromium
from web.headless import loopback_server as live_server

__all__ = ["CHROMIUM", "chromium", "live_server"]

CHROMIUM = os.environ.get("KB_TEST_CHROMIUM", "/usr/bin/chromium")


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright, or a skip saying what to install."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright for Python: pip install playwright (never `playwright install`)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = launch_chromium(pw, CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()
