"""Walkthrough screenshots: every role's main pages, desktop and 390 px phone, zh-CN and English.

Run by ``scripts/screenshots``. It loads the demo data (``kb demo``) into its own data
folder, adds one consultation (with an invitation and its note) and one event so those
pages have something to show, serves the app on a loopback port and lets Debian's
Chromium (through Playwright, never a downloaded browser) log in as each demo account
and save full-page PNGs named ``<role>-<page>-<desktop|phone>-<zh|en>.png``. A person
looks at them: raw codes, English in the Chinese UI, UTC times or a page wider than the
phone show there first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGS = ("zh", "en")
PASSWORD = "demo"


def seed(kb: object) -> dict[str, int]:
    """One consultation in progress (an invitation with a note to the demo talent) and one salon the
    demo talent signed up for."""
    from kb.actors import Actor
    from kb.consultations import invitations
    from kb.consultations import requests as kreq
    from kb.events import manage, registration
    from kb.models import ConsultationRequest, Event, User
    from kb.talents.changes import get_talent

    with kb.sessions() as s, s.begin():  # type: ignore[attr-defined]
        def actor(name: str) -> Actor:
            return Actor.of(s.scalar(select(User).where(User.username == name)))

        ids: dict[str, int] = {}
        req = s.scalar(select(ConsultationRequest).where(ConsultationRequest.title.like("低空物流%")))
        if req is None:
            researcher = actor("researcher")
            req = kreq.create_request(s, researcher, {
                "title": "低空物流航线审批与无人机配送试点政策咨询",
                "background": "罗湖区拟在东门、笋岗片区开展无人机即时配送试点，需要评估航线审批、空域协同和安全监管安排。",
                "questions": "1. 试点航线如何与深圳低空空域管理衔接？\n2. 配送企业的准入与保险要求应如何设定？",
                "fields": ["aerospace", "iot"],
                "deadline": (date.today() + timedelta(days=21)).isoformat(), "experts_wanted": 3,
                "parties": ["深圳市某无人机物流公司"]})
            kreq.open_request(s, researcher, req)
            invitations.invite(s, researcher, req, [get_talent(s, "demo-001")],
                               message="请重点谈跨境与低空物流结合的监管经验，盼两周内答复。")
        ids["request"] = req.id
        ids["invitation"] = req.invitations[0].id
        event = s.scalar(select(Event).where(Event.title.like("低空经济沙龙%")))
        if event is None:
            organizer = actor("organizer")
            day = date.today() + timedelta(days=9)  # start_at is the event's local wall time
            start = datetime(day.year, day.month, day.day, 14, 30)
            event = manage.create_event(s, organizer, {
                "kind": "salon", "title": "低空经济沙龙：无人机物流的航线与空域", "description": "面向罗湖企业的闭门沙龙。",
                "topics": ["低空经济", "无人机物流"], "start_at": start, "end_at": start + timedelta(hours=2),
                "timezone": "Asia/Shanghai", "place": "罗湖区人才之家", "capacity": 30})
            manage.publish_event(s, organizer, event)
            registration.register(s, actor("talent"), event, get_talent(s, "demo-001"))  # a check-in code to show
        ids["event"] = event.id
    return ids


def pages(ids: dict[str, int]) -> dict[str, dict[str, str]]:
    rid, iid, eid = ids["request"], ids["invitation"], ids["event"]
    return {
        "researcher": {"search": "/search?q=低空经济 无人机物流", "no-answer": "/search?q=qwzxv plorkt",
                       "profile": "/talents/demo-002", "consultations": "/consultations", "request": f"/consultations/{rid}",
                       "trail": f"/consultations/{rid}/trail", "knowledge": "/knowledge?q=低空经济 无人机物流",
                       "inbox": "/inbox"},
        "talent": {"profile": "/talents/demo-001", "inbox": "/inbox", "invitation": f"/consultations/invitations/{iid}",
                   "events": "/events", "event": f"/events/{eid}"},
        "organizer": {"events": "/events", "event": f"/events/{eid}", "audience": f"/events/{eid}/audience",
                      "replies": f"/events/{eid}/replies", "checkin": f"/events/{eid}/checkin", "stats": "/events/stats"},
        "commissioner": {"desk": "/commissioner/", "admin": "/admin/", "reviews": "/admin/reviews",
                         "import": "/admin/import", "dashboard": "/dashboard/"},
        "admin": {"users": "/admin/users", "audit": "/admin/audit", "dashboard": "/dashboard/"},
    }


@contextmanager
def serve(app: object) -> Iterator[str]:
    import logging

    from web.headless import loopback_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the warnings
    with loopback_server(app) as base:
        yield base


def shoot(base: str, ids: dict[str, int], out: Path, roles: list[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from web.headless import launch_chromium

    saved: list[Path] = []
    with sync_playwright() as pw:
        # Chromium's own widgets (the file input's "Choose File") speak the browser's language, which
        # headless Chromium keeps English whatever --lang says: not a page string, a reader's browser
        # shows them in its own language.
        browser = launch_chromium(pw, CHROMIUM)
        for role, role_pages in pages(ids).items():
            if roles and role not in roles:
                continue
            for lang in LANGS:
                for view, size in VIEWPORTS.items():
                    context = browser.new_context(base_url=base, viewport=size,
                                                  locale="en" if lang == "en" else "zh-CN")
                    page = context.new_page()
                    page.goto("/login")
                    page.fill("#username", role)
                    page.fill("#password", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    page.goto(f"/lang/{lang}")
                    for name, path in role_pages.items():
                        page.goto(path)
                        page.wait_for_load_state("networkidle")
                        target = out / f"{role}-{name}-{view}-{lang}.png"
                        page.screenshot(path=str(target), full_page=True)
                        width = page.evaluate("document.documentElement.scrollWidth")
                        if width > size["width"]:
                            print(f"warning: {target.name} is {width}px wide on a {size['width']}px screen")
                        saved.append(target)
                    context.close()
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "walkthrough")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "instance" / "walkthrough",
                        help="its own data folder (the demo's vector cache is reused when present)")
    parser.add_argument("--role", action="append", default=[], help="only these roles (repeatable)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"needs Debian's chromium at {CHROMIUM} (apt-get install -y chromium)", file=sys.stderr)
        return 2
    env = {**os.environ, "KB_DATA_DIR": str(args.data_dir)}
    shared_cache = ROOT / "instance" / "embeddings.sqlite"
    if "KB_EMBEDDING_CACHE" not in env and shared_cache.exists():
        env["KB_EMBEDDING_CACHE"] = str(shared_cache)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "kb.cli", "demo"], env=env, check=True)
    os.environ.update({k: env[k] for k in ("KB_DATA_DIR", "KB_EMBEDDING_CACHE") if k in env})

    from kb.context import KnowledgeBase
    from web.app import create_app

    kb = KnowledgeBase()
    try:
        ids = seed(kb)
        kb.sync_search()
        args.out.mkdir(parents=True, exist_ok=True)
        with serve(create_app(kb)) as base:
            saved = shoot(base, ids, args.out, args.role)
    finally:
        kb.close()
    print(f"{len(saved)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
