"""A long pasted need through the real server (``kb serve``: gunicorn), not only the test client.

The reported failure was gunicorn's: a ~490-character Chinese need in the URL is
over 4 KB percent-encoded, past its request-line limit, and the user got a raw
"URI Too Long" page. The search form now posts; this test sends 2 000 Chinese
characters the way a browser submits the form, and shows that the same need as
a URL is still refused by the server — which is why the form must not use GET.
The process uses the hashing embedder: this is about transport, not ranking.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

KB = [sys.executable, "-c", "from kb.cli import main; main()"]
NEED = ("区里准备出台支持低空经济发展的政策，想请无人机物流配送、低空空域管理和通用航空运营方面的专家座谈，"
        "重点讨论末端配送航线审批、起降点布局、安全监管和商业模式。") * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") or k == "KB_EMBEDDING_CACHE"}
    env.update({"KB_DATA_DIR": str(data_dir), "KB_EMBEDDER": "hashing", "KB_SECRET_KEY": "long-need-test",
                "PYTHONUNBUFFERED": "1"})
    subprocess.run([*KB, "demo"], env=env, check=True, capture_output=True, timeout=600)
    port = _free_port()
    proc = subprocess.Popen([*KB, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/login", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise AssertionError("kb serve did not answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _session(base: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    token = re.search(r'name="csrf-token" content="([^"]+)"', s.get(f"{base}/login").text).group(1)
    resp = s.post(f"{base}/login", data={"username": "researcher", "password": "demo", "csrf_token": token},
                  allow_redirects=False)
    assert resp.status_code == 302, resp.text[:300]
    token = re.search(r'name="csrf-token" content="([^"]+)"', s.get(f"{base}/search").text).group(1)
    return s, token


def test_the_server_answers_a_2000_character_chinese_need_posted_by_the_form(server: str) -> None:
    s, token = _session(server)
    need = NEED[:2000]
    assert len(need) == 2000
    resp = s.post(f"{server}/search", data={"q": need, "csrf_token": token}, allow_redirects=False)
    assert resp.status_code == 200, resp.text[:300]
    assert "专家检索" in resp.text and "URI Too Long" not in resp.text
    assert 'class="link-form"' in resp.text  # its pages and filters post too


def test_the_same_need_as_a_url_is_what_the_server_refuses(server: str) -> None:
    s, _ = _session(server)
    url = f"{server}/search?q={quote(NEED[:2000])}"
    assert len(url) > 4094
    assert s.get(url, allow_redirects=False).status_code == 414


def test_a_short_need_still_gets_a_shareable_url(server: str) -> None:
    s, token = _session(server)
    resp = s.post(f"{server}/search", data={"q": "无人机物流", "csrf_token": token}, allow_redirects=False)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/search?q=" + quote("无人机物流"))
    assert s.get(resp.headers["Location"] if resp.headers["Location"].startswith("http")
                 else server + resp.headers["Location"]).status_code == 200
