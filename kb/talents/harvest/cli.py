"""``kb outputs import TALENT_ID FILE``: harvesting for bulk work from the command line.

Without ``--yes`` it only previews: the parsed items are shown and the
transaction is rolled back, so nothing (not even a pending item) is left
behind. With ``--yes`` every readable item that duplicates nothing is claimed
through the normal write path (recorded as a delegated harvest by the command)
and duplicates are rejected. Exit status 1 when any item of the file failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kb.actors import Actor
from kb.db import UnitOfWork
from kb.errors import KbError, ValidationError
from kb.talents.changes import get_talent
from kb.talents.harvest.detect import FORMATS
from kb.talents.harvest.service import FAILED, confirm, preview


@click.group("outputs")
def outputs() -> None:
    """Outputs of talents: harvest them from bibliography, ORCID and patent files."""


def _line(item: Any) -> str:
    if item.state == FAILED:
        return f"  {item.position:>3}  failed     {item.error}"
    v = item.values
    mark = "duplicate" if item.duplicate else "new"
    text = f"  {item.position:>3}  {mark:<9}  [{v['type']}] {v['title']}" + (f" ({v['year']})" if v.get("year") else "")
    if item.duplicate:
        d = item.duplicate
        where = f"output #{d['ref']}" if d["kind"] == "existing" else f"item {d['ref']} of this file"
        text += f"\n        same as {where} by {d['reason']}: {d['title']}"
    for note in item.notes:
        text += f"\n        note: {note}"
    return text


@outputs.command("import")
@click.argument("talent_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("auto", *FORMATS)), default="auto", show_default=True)
@click.option("--yes", is_flag=True, help="Claim every item that duplicates nothing (default: preview only).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: talent, parsed, created, "
              "duplicates, failed.")
@click.pass_context
def import_outputs(ctx: click.Context, talent_id: str, file: Path, fmt: str, yes: bool, as_json: bool) -> None:
    """Read FILE (BibTeX, RIS, CSL-JSON, EndNote XML, ORCID record, patent CSV/XLSX) into TALENT_ID's outputs."""
    from kb.cli import _fail, _kb, _require_schema, _sync

    kb = _kb(ctx)
    _require_schema(kb)
    actor = Actor.system(f"kb outputs import {file.name}")
    work = UnitOfWork(kb.sessions)
    try:
        session = work.session
        talent = get_talent(session, talent_id)
        try:
            shown = preview(session, actor, talent, file.read_bytes(), file.name, fmt)
        except ValidationError as exc:
            failed = [{"item": 0, "error": str(exc)}]
            if as_json:
                click.echo(json.dumps({"talent": talent_id, "parsed": 0, "created": 0, "duplicates": 0,
                                       "failed": failed}, ensure_ascii=False))
            else:
                click.echo(f"error: {file.name}: {exc}", err=True)
            sys.exit(1)
        created = 0
        if yes:
            claim = [i.id for i in shown.items if i.state != FAILED and not i.duplicate]
            if any(i.state != FAILED for i in shown.items):
                created = len(confirm(session, actor, talent, shown.batch, claim).created)
        # Read before the session ends: a commit or rollback expires the items.
        report: dict[str, Any] = {"talent": talent_id, "parsed": shown.parsed, "created": created,
                  "duplicates": shown.duplicates,
                  "failed": [{"item": i.position, "error": i.error} for i in shown.failed]}
        lines = [f"{file.name}: {shown.format}, {len(shown.items)} item(s) for {talent_id}"]
        lines += [_line(item) for item in shown.items]
        if yes:
            work.commit()
        else:
            work.rollback()
    except KbError as exc:
        work.rollback()
        _fail(str(exc))
    finally:
        work.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo("\n".join(lines))
        if yes:
            click.echo(f"created {created} output(s); {report['duplicates']} duplicate(s) left out, "
                       f"{len(report['failed'])} failed")
        else:
            click.echo("preview only: nothing saved (run again with --yes to claim the new items)")
    if yes and created:
        _sync(kb, quiet=as_json)
    if report["failed"]:
        sys.exit(1)
