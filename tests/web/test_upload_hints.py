"""The pages that take a file name the upload limit in force (web.max_upload_mb), not a number of their own."""

from __future__ import annotations

from pathlib import Path

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.events.manage import create_event
from kb.settings import load_settings
from tests.events.conftest import event_values
from tests.web.conftest import login

SYSTEM = Actor.system("upload hints test")


def test_event_material_and_import_hints_follow_the_setting(tmp_path: Path) -> None:
    from web.app import create_app

    settings = load_settings({"env": "development", "data_dir": tmp_path, "security.secret_key": "k",
                              "search.embedder": "hashing"}, environ={"KB_MAX_UPLOAD_MB": "3"})
    kb = KnowledgeBase(settings)
    try:
        kb.init_db()
        with kb.sessions() as s, s.begin():
            organizer = create_user(s, SYSTEM, "organizer", "organizer", "correct-horse-battery")
            create_user(s, SYSTEM, "admin", "admin", "correct-horse-battery")
            event_id = create_event(s, Actor.of(organizer), event_values()).id
        app = create_app(kb, TESTING=True)
        pages = {"organizer": f"/events/{event_id}", "admin": "/admin/import"}
        for username, path in pages.items():
            client = app.test_client()
            login(client, username, "correct-horse-battery")
            for lang, said in (("zh", "不超过 3 MB"), ("en", "up to 3 MB")):
                client.get(f"/lang/{lang}")
                html = client.get(path).get_data(as_text=True)
                assert said in html and "10 MB" not in html, (path, lang)
    finally:
        kb.close()
