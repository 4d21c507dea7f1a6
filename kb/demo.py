"""The bundled demo: realistic invented talents and one account per role."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kb.accounts import create_user
from kb.actors import Actor
from kb.demo_history import DEMO_COMMISSIONERS, apply_demo_history
from kb.models import Talent, User
from kb.settings import FreshnessSettings
from kb.talents.importer import ImportReport, import_file

DEMO_PASSWORD = "demo"
DEMO_TALENT = "demo-001"
DEMO_ACCOUNTS = (
    ("admin", "admin", "系统管理员", "罗湖区人才工作局"),
    ("commissioner", "commissioner", "人才服务专员", "罗湖区人才工作局"),
    ("researcher", "researcher", "政策研究员", "罗湖区发展研究中心"),
    ("organizer", "organizer", "活动组织者", "罗湖区菁英人才协会"),
)


def demo_files() -> list[Path]:
    folder = resources.files("kb") / "data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.startswith("demo_talents") and p.name.endswith(".jsonl"))


def load_demo(
    factory: sessionmaker[Session], freshness: FreshnessSettings | None = None,
) -> tuple[ImportReport, list[str]]:
    """Import the demo talents and create the demo accounts (existing ones are left alone).

    The first load also gives the talents a dated history and commissioners
    (``kb.demo_history``), so freshness figures are real from the start.
    """
    actor = Actor.system("kb demo")
    total = ImportReport()
    for path in demo_files():
        report = import_file(factory, path, actor)
        total.created += report.created
        total.updated += report.updated
        total.unchanged += report.unchanged
        total.errors += report.errors
    created: list[str] = []
    with factory() as session, session.begin():
        for username, role, name, unit in DEMO_ACCOUNTS:
            if _missing(session, username):
                create_user(session, actor, username, role, DEMO_PASSWORD, display_name=name, unit=unit,
                            enforce_policy=False)
                created.append(username)
        for username, name in DEMO_COMMISSIONERS:
            if _missing(session, username):
                create_user(session, actor, username, "commissioner", DEMO_PASSWORD, display_name=name,
                            unit="罗湖区人才工作局", enforce_policy=False)
                created.append(username)
        talent = session.scalar(select(Talent).where(Talent.external_id == DEMO_TALENT))
        if talent is not None and _missing(session, "talent"):
            create_user(session, actor, "talent", "talent", DEMO_PASSWORD, display_name=talent.name,
                        talent=talent, enforce_policy=False)
            created.append("talent")
        session.flush()
        apply_demo_history(session, freshness)
    return total, created


def _missing(session: Session, username: str) -> bool:
    return session.scalar(select(User).where(User.username == username)) is None
