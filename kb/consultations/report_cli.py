"""``kb report quarterly 2026Q3 --format docx|xlsx -o FILE``: the leadership's quarterly report.

Run as the system the report has every consultation (what an admin's has);
``--as USER`` writes the report that account would get on its page, under the
same visibility rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations.quarterly import FORMATS, quarterly_report
from kb.db import unit_of_work
from kb.errors import KbError
from kb.models import User

if TYPE_CHECKING:  # kb.context imports the whole product; a type is all this needs
    from kb.context import KnowledgeBase


@click.group("report")
def report() -> None:
    """Reports for the district leadership."""


@report.command("quarterly")
@click.argument("quarter")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="docx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write.")
@click.option("--as", "username", help="Write the report as this account may see it (default: everything).")
@click.pass_obj
def quarterly(kb: KnowledgeBase, quarter: str, fmt: str, output: Path, username: str | None) -> None:
    """Consultations of QUARTER (e.g. 2026Q3) and the adoption of their advice, by level."""
    try:
        with unit_of_work(kb.sessions) as session:
            if username:
                user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
                if user is None:
                    raise click.ClickException(f"no active account {username!r}")
                actor = Actor.of(user)
            else:
                actor = Actor.system("kb report")
            data = quarterly_report(session, actor, quarter, fmt, tz=kb.settings.locale.timezone)
    except KbError as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_bytes(data)
    click.echo(f"{output}: {fmt} report of {quarter.upper()} ({len(data)} bytes)")
