"""Backup and restore of everything that is not derived: database and attachments.

The search index is derived data and is rebuilt after a restore instead of being
copied, so a backup can never carry an index that disagrees with its database.
SQLite is copied with its online backup API (consistent while the app runs);
PostgreSQL with ``pg_dump``/``pg_restore`` in custom format.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from kb import schema
from kb.context import KnowledgeBase
from kb.errors import KbError
from kb.models import Revision, Talent
from kb.settings.loader import child_environment

ATTACHMENTS = "attachments"


def _counts(kb: KnowledgeBase) -> dict[str, int]:
    with kb.sessions() as s:
        return {
            "talents": int(s.scalar(select(func.count()).select_from(Talent)) or 0),
            "revisions": int(s.scalar(select(func.count()).select_from(Revision)) or 0),
        }


def _pg_conninfo(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database or ""]
    env = {"PGPASSWORD": u.password or ""}
    return args, env


def backup(kb: KnowledgeBase, dest: Path) -> dict[str, Any]:
    """Write a ``.tar.gz`` with the database, the attachments and a manifest."""
    url = kb.settings.database.url
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(),
        "schema_revision": schema.current_revision(kb.engine),
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "counts": _counts(kb),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if manifest["database"] == "sqlite":
            src = sqlite3.connect(make_url(url).database or "")
            dst = sqlite3.connect(work / "kb.sqlite3")
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            args, env = _pg_conninfo(url)
            subprocess.run(["pg_dump", "-Fc", "-f", str(work / "kb.pgdump"), *args], check=True,
                           env=child_environment(env), capture_output=True)
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
        partial = dest.with_name(dest.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            for item in sorted(work.iterdir()):
                tar.add(item, arcname=item.name)
            attachments = kb.settings.data_dir / ATTACHMENTS
            if attachments.is_dir():
                tar.add(attachments, arcname=ATTACHMENTS)
        partial.replace(dest)
    return manifest


def restore(kb: KnowledgeBase, archive: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore into ``kb``'s (empty) database and data dir, then migrate and reindex."""
    from kb.knowledge.sync import rebuild_knowledge
    from kb.talents.search_sync import rebuild_index

    url = kb.settings.database.url
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        manifest: dict[str, Any] = json.loads((work / "manifest.json").read_text("utf-8"))
        target_is_sqlite = url.startswith("sqlite")
        if (manifest["database"] == "sqlite") != target_is_sqlite:
            raise KbError(f"this backup holds a {manifest['database']} database; the configured one is not",
                          code="backup.database_kind")
        if not force and _has_data(kb):
            raise KbError("the target database is not empty; restore into an empty one or pass --force",
                          code="backup.not_empty")
        kb.engine.dispose()
        if target_is_sqlite:
            target = Path(make_url(url).database or "")
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            src = sqlite3.connect(work / "kb.sqlite3")
            dst = sqlite3.connect(target)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            args, env = _pg_conninfo(url)
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", *args, str(work / "kb.pgdump")],
                           check=True, env=child_environment(env), capture_output=True)
        if (work / ATTACHMENTS).is_dir():
            shutil.copytree(work / ATTACHMENTS, kb.settings.data_dir / ATTACHMENTS, dirs_exist_ok=True)
    kb.init_db()
    rebuild_index(kb.sessions, kb.search)
    rebuild_knowledge(kb.sessions, kb.knowledge)
    kb.sync_search()
    kb.sync_knowledge()
    return manifest


def _has_data(kb: KnowledgeBase) -> bool:
    try:
        return _counts(kb)["talents"] > 0
    except Exception:  # noqa: BLE001 - no tables yet means empty
        return False
