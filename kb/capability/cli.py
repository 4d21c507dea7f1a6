"""``kb capability-map build|show``: the map from the command line (cron, or before a meeting)."""

from __future__ import annotations

import json

import click

from kb.context import KnowledgeBase


@click.group("capability-map")
def capability_map() -> None:
    """The capability map of the talent pool (topics, supply gaps, workload)."""


@capability_map.command("build")
@click.pass_context
def build(ctx: click.Context) -> None:
    """Rebuild the map from the search index and the database, and store it in the data directory."""
    from kb.capability.service import build_map
    from kb.db import unit_of_work

    kb: KnowledgeBase = ctx.obj
    with unit_of_work(kb.sessions) as session:
        payload = build_map(kb, session)
    gaps = sum(1 for n in payload["needs"] if n["best"] not in ("strong", "partial"))
    click.echo(f"capability map: {len(payload['topics'])} topics over {payload['talents']} talents, "
               f"{len(payload['needs'])} needs of the last 12 months ({gaps} weakly matched), "
               f"built in {payload['seconds']} s")


@capability_map.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the stored map as JSON.")
@click.pass_context
def show(ctx: click.Context, as_json: bool) -> None:
    """Print the stored map's topics (or all of it with --json)."""
    from kb.capability import store

    kb: KnowledgeBase = ctx.obj
    payload = store.load(kb.settings.data_dir)
    if payload is None:
        raise click.ClickException("no capability map yet: run `kb capability-map build`")
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"built {payload['built_at']} UTC in {payload['seconds']} s")
    for t in payload["topics"]:
        click.echo(f"{t['id']:>3}  {t['experts']:>5}  {t['label_zh']} / {t['label_en']}")
