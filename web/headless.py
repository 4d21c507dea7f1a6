"""The app on a loopback port and Debian's headless Chromium, for a browser to look at it.

The browser tests and the walkthrough screenshots both use these, so they run
Chromium with the same switches: Playwright never downloads a browser here, and
the switches keep Debian's ``chromium`` off the (closed) network.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def loopback_server(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=5)


def launch_chromium(playwright: Any, executable: str) -> Any:
    """Headless Chromium at ``executable`` (a Playwright ``Browser``)."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
