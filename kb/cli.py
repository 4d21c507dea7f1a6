"""The ``kb`` command line: set-up, import/export, search, accounts, worker, server."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from sqlalchemy import select

from kb.actors import Actor
from kb.capability import cli as capability_commands
from kb.choices import values
from kb.consultations import report_cli
from kb.context import KnowledgeBase
from kb.db import unit_of_work
from kb.errors import KbError
from kb.roles import Role
from kb.settings import SettingsError, load_settings
from kb.settings import commands as config_commands
from kb.settings.logs import configure_logging
from kb.talents.harvest import cli as harvest_commands

if TYPE_CHECKING:  # the search engine is imported by the commands that search
    from indexer.models import Mode
    from indexer.progress_bar import ProgressBar


def _kb(ctx: click.Context) -> KnowledgeBase:
    return ctx.ensure_object(KnowledgeBase)


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _require_schema(kb: KnowledgeBase) -> None:
    from kb import schema

    if schema.current_revision(kb.engine) != schema.head_revision(kb.engine):
        _fail("the database is not initialised or not up to date: run `kb init` first")


def _show_embedding_progress(kb: KnowledgeBase) -> None:
    """A first index build embeds for minutes (the demo corpus: about three); a line on
    stderr with count, rate and time left shows it is working, not hung."""
    from indexer.embedding.cache import CachedEmbedder
    from indexer.embedding.progress import EmbeddingProgress

    embedder = getattr(kb.search, "embedder", None)
    if isinstance(embedder, CachedEmbedder) and embedder.progress is None:
        embedder.progress = EmbeddingProgress(sys.stderr)


def _bulk_device(kb: KnowledgeBase, device: str) -> None:
    """Embed this command's passages on ``device`` (auto|cpu|cuda); exits with one clear line when it is absent."""
    from dataclasses import replace

    from indexer import SearchUnavailable
    from indexer.embedding.device import DeviceUnavailable

    kb.settings = replace(kb.settings, search=replace(kb.settings.search, embedding_device=device))
    try:
        kb.search  # noqa: B018 - loads the embedder now, so a missing device is said before any work is done
    except DeviceUnavailable as exc:
        _fail(str(exc), code=2)
    except SearchUnavailable:
        pass  # an index that is down is reported where the command writes to it


def _progress_bar(kb: KnowledgeBase, label: str, total: int, quiet: bool) -> ProgressBar:
    """A bar on stderr (on a terminal, never with --quiet) that moves as the expert index writes batches."""
    from indexer.progress_bar import ProgressBar

    bar = ProgressBar(sys.stderr, label, total, enabled=False if quiet else None)
    kb.search.on_written = bar.advance
    return bar


def _sync(kb: KnowledgeBase, quiet: bool = False, bar_total: int | None = None) -> None:
    """Apply queued index changes now; an unreachable index only delays them.

    ``bar_total`` (the bulk commands: the talents they queued) draws the progress bar
    instead of the embedding line.
    """
    from indexer import SearchUnavailable

    try:
        if bar_total is None:
            _show_embedding_progress(kb)
            report = kb.sync_search()
        else:
            bar = _progress_bar(kb, "indexing", bar_total, quiet)
            try:
                report = kb.sync_search()
            finally:
                bar.close()
                kb.search.on_written = None
        kb.sync_knowledge()  # failures stay queued for `kb worker`, like the talent sync's
    except SearchUnavailable as exc:
        click.echo(f"warning: search index unreachable ({exc}); changes stay queued for `kb worker`", err=True)
        return
    if report.failed:
        click.echo(
            f"warning: {report.failed} index change(s) failed and stay queued: {report.remaining_errors}", err=True
        )
    elif not quiet and report.done:
        click.echo(f"search index updated ({report.done} change(s))", err=True)


class _Commands(click.Group):
    """Reports a failing database as one clear line instead of a traceback.

    Every write is its own transaction (a talent is saved whole or not at all),
    so the honest advice after a lost connection is simply to run the command
    again once the database is back.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import DBAPIError, OperationalError

        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            for problem in exc.problems:
                click.echo(f"config: {problem}", err=True)
            _fail("the configuration is invalid; `kb config check` lists every problem", code=2)
        except (OperationalError, DBAPIError) as exc:
            cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            _fail(
                f"database error: {cause} ({type(exc).__name__}). Nothing is saved half-way; "
                "run the command again when the database is reachable.",
                code=3,
            )


@click.group(cls=_Commands)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Luohu talent think-tank knowledge base."""
    if ctx.invoked_subcommand == "config":
        return  # `kb config` loads the settings itself, to report bad values rather than stop at them
    settings = load_settings()
    configure_logging(settings.logging)
    ctx.obj = KnowledgeBase(settings)
    ctx.call_on_close(ctx.obj.close)


main.add_command(config_commands.config)
main.add_command(harvest_commands.outputs)
main.add_command(report_cli.report)
main.add_command(capability_commands.capability_map)


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or migrate the database (safe to run again)."""
    kb = _kb(ctx)
    rev = kb.init_db()
    click.echo(f"database ready at revision {rev} ({kb.engine.url.render_as_string(hide_password=True)})")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; save nothing.")
@click.option("--no-index", is_flag=True, help="Leave index updates to `kb worker`.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="cpu", show_default=True,
              help="Where a sentence-transformers model embeds the imported passages (auto: cuda when present).")
@click.option("--quiet", is_flag=True, help="No progress bar (it is drawn only on a terminal anyway).")
@click.pass_context
def import_(ctx: click.Context, file: Path, dry_run: bool, no_index: bool, device: str, quiet: bool) -> None:
    """Import talents from JSON Lines, CSV or XLSX; bad records are reported by line."""
    from kb.talents.importer import import_file

    kb = _kb(ctx)
    _require_schema(kb)
    if not dry_run and not no_index:
        _bulk_device(kb, device)
    report = import_file(kb.sessions, file, Actor.system(f"kb import {file.name}"), dry_run=dry_run)
    for err in report.errors:
        click.echo(f"{file.name}: {err}", err=True)
    click.echo(report.summary())
    if not dry_run and not no_index:
        # an unchanged record queues nothing, so it is neither counted here nor embedded again
        _sync(kb, quiet=quiet, bar_total=report.created + report.updated)
    if report.errors:
        sys.exit(1)


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--with-contact", is_flag=True, help="Include personal contact data (email, phone).")
@click.pass_context
def export_(ctx: click.Context, file: Path, with_contact: bool) -> None:
    """Export all talents as JSON Lines (re-importable unchanged)."""
    from kb.talents.export import export_jsonl

    kb = _kb(ctx)
    _require_schema(kb)
    tmp = file.with_name(file.name + ".part")
    with kb.sessions() as session, tmp.open("w", encoding="utf-8") as out:
        n = export_jsonl(session, out, Actor.system("kb export"), include_contact=with_contact)
    tmp.replace(file)  # never leave a half-written export under the real name
    click.echo(f"exported {n} talent(s) to {file}")


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Initialise the database and load the bundled demo talents and accounts."""
    from kb.capability.demo_needs import seed_demo_needs
    from kb.demo import DEMO_PASSWORD, load_demo

    kb = _kb(ctx)
    kb.init_db()
    report, accounts = load_demo(kb.sessions, kb.settings.freshness)
    click.echo(f"demo talents: {report.summary()}")
    for err in report.errors:
        click.echo(f"  {err}", err=True)
    if accounts:
        click.echo(f"demo accounts created (password {DEMO_PASSWORD!r}): {', '.join(accounts)}")
    with unit_of_work(kb.sessions) as session:
        filed = seed_demo_needs(session)
    if filed:
        click.echo(f"demo consultation needs of the past year: {filed}")
    _sync(kb)
    ctx.invoke(capability_commands.build)  # the dashboard's capability map, from the demo's index and needs


# --- search -------------------------------------------------------------------------------------

def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@main.command()
@click.argument("query", required=False)
@click.option("--top", "-k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--category", help="Comma-separated categories, e.g. A,B")
@click.option("--field", "fields", help="Comma-separated field codes, e.g. banking,funds")
@click.option("--available", is_flag=True, help="Only talents available for consultation.")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON Lines of {qid, query, filters}; prints one JSON line per query "
                   "(a bad line gets {qid, error}; exit 1 if any line failed).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--kind", default="expert", show_default=True,
              help="What to find: expert, or knowledge items: advice, output, stage_result, question "
                   "(comma-separated).")
@click.pass_context
def search(ctx: click.Context, query: str | None, top: int, category: str | None, fields: str | None,
           available: bool, mode: Mode, batch: Path | None, as_json: bool, kind: str) -> None:
    """Find experts (or earlier advice, outputs, stage results) for a need written in Chinese or English."""
    from indexer import SearchQuery
    from indexer.results import facets_dict, result_dict
    from kb.batch_search import run_batch

    kb = _kb(ctx)
    kinds = _csv(kind)
    if kinds != ("expert",):
        _search_knowledge(kb, query, kinds, top=top, mode=mode, as_json=as_json,
                          refused=batch is not None or bool(category or fields or available))
        return
    engine = kb.search
    if batch is not None:
        failed = 0
        with batch.open(encoding="utf-8") as lines:
            for answer in run_batch(engine, lines, top=top, mode=mode):
                click.echo(json.dumps(answer.output, ensure_ascii=False))
                if answer.failed:
                    failed += 1
                    click.echo(f"{batch.name} line {answer.line}: {answer.output['error']}", err=True)
        if failed:
            _fail(f"{failed} line(s) of {batch.name} could not be run")
        return
    if not query:
        _fail("give a QUERY or --batch FILE")
    q = SearchQuery(text=query, categories=_csv(category), fields=_csv(fields),
                    available=True if available else None, limit=top, mode=mode)
    resp = engine.search(q)
    if as_json:
        click.echo(json.dumps({"query": query, "total": resp.total, "matched": resp.matched,
                               "results": [result_dict(r) for r in resp.results],
                               "facets": facets_dict(resp.facets)}, ensure_ascii=False))
        return
    if resp.matched:
        click.echo(f"{resp.matched} expert(s) match well ({resp.took_ms:.0f} ms)")
    else:
        click.echo(f"No expert matches this need well; the closest weak matches follow ({resp.took_ms:.0f} ms)")
    for rank, r in enumerate(resp.results, start=1):
        click.echo(f"{rank:>2}. {r.name} {('(' + r.name_en + ')') if r.name_en else ''} [{r.category}] "
                   f"{r.organization}  {r.match}  score {r.score:.3f}  id {r.talent_id}")
        for e in r.evidence[:3]:
            click.echo(f"      · {e.kind}: {e.text[:100]}")


def _search_knowledge(kb: KnowledgeBase, query: str | None, kinds: tuple[str, ...], *, top: int, mode: Mode,
                      as_json: bool, refused: bool) -> None:
    """``kb search --kind advice,...``: the knowledge index, as the system (every item)."""
    from indexer.knowledge import KINDS, KnowledgeQuery
    from kb.knowledge.service import result_dict

    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        _fail(f"unknown --kind {','.join(unknown) or '(empty)'}: expert, or any of {', '.join(KINDS)}")
    if refused:
        _fail("--batch, --category, --field and --available apply to expert search only")
    if not query:
        _fail("give a QUERY")
    resp = kb.knowledge.search(KnowledgeQuery(query, kinds, None, limit=top, mode=mode, unrestricted=True))
    if as_json:
        click.echo(json.dumps({"query": query, "total": resp.total, "matched": resp.matched,
                               "results": [result_dict(r) for r in resp.results]}, ensure_ascii=False))
        return
    click.echo(f"{resp.matched} item(s) match well ({resp.took_ms:.0f} ms)")
    for rank, r in enumerate(resp.results, start=1):
        links = "  ".join(x for x in (f"expert {r.talent_id}" if r.talent_id else "",
                                      f"request {r.request_id}" if r.request_id else "") if x)
        click.echo(f"{rank:>2}. [{r.kind} {r.id}] {r.title}  {r.match}  score {r.score:.3f}  {links}")
        for e in r.evidence[:2]:
            click.echo(f"      · {e.text[:100]}")


@main.command()
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="cpu", show_default=True,
              help="Where a sentence-transformers model embeds the passages (auto: cuda when present).")
@click.option("--quiet", is_flag=True, help="No progress bar (it is drawn only on a terminal anyway).")
@click.pass_context
def reindex(ctx: click.Context, device: str, quiet: bool) -> None:
    """Rebuild the search index from the database and swap it in."""
    from sqlalchemy import func

    from kb.knowledge.sync import rebuild_knowledge
    from kb.models import Talent
    from kb.talents.search_sync import rebuild_index

    kb = _kb(ctx)
    _require_schema(kb)
    _bulk_device(kb, device)
    with kb.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Talent)) or 0
    started = time.perf_counter()
    bar = _progress_bar(kb, "reindex", total, quiet)
    try:
        n = rebuild_index(kb.sessions, kb.search)
    finally:
        bar.close()
        kb.search.on_written = None
    click.echo(f"reindexed {n} talent(s) in {time.perf_counter() - started:.1f} s ({kb.search.info()})")
    started = time.perf_counter()
    items = rebuild_knowledge(kb.sessions, kb.knowledge)
    click.echo(f"reindexed {items} knowledge item(s) in {time.perf_counter() - started:.1f} s")
    _sync(kb, quiet=True)


@main.command()
@click.option("--once", is_flag=True, help="Drain the queues once and exit.")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.pass_context
def worker(ctx: click.Context, once: bool, interval: float) -> None:
    """Apply queued work: search-index sync and outgoing mail."""
    from kb.worker import run_worker

    kb = _kb(ctx)
    _require_schema(kb)
    run_worker(kb, once=once, interval=interval, log=lambda m: click.echo(m, err=True))


@main.command()
@click.option("--host", help="Listen address [default: server.host, 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [default: server.port, 5000].")
@click.option("--dev", is_flag=True, help="Flask's development server with reloader instead of gunicorn.")
@click.option("--workers", type=click.IntRange(1, 64), help="gunicorn worker processes [default: server.workers, 2].")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Request threads per worker (more when requests wait on a remote Elasticsearch or database) "
                   "[default: server.threads, 1].")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, dev: bool, workers: int | None,
          threads: int | None) -> None:
    """Run the web application (gunicorn in production mode)."""
    from web.serve import run

    run(_kb(ctx).settings, host=host, port=port, dev=dev, workers=workers, threads=threads)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_(ctx: click.Context, file: Path) -> None:
    """Back up the database and attachments to a .tar.gz (the index is rebuilt on restore)."""
    from kb.backup import backup

    kb = _kb(ctx)
    _require_schema(kb)
    manifest = backup(kb, file)
    click.echo(f"backup written to {file}: {manifest['counts']}")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds talents.")
@click.pass_context
def restore_(ctx: click.Context, file: Path, force: bool) -> None:
    """Restore a backup into this data dir / database, migrate it and rebuild the search index."""
    from kb.backup import restore

    try:
        manifest = restore(_kb(ctx), file, force=force)
    except KbError as exc:
        _fail(str(exc))
    click.echo(f"restored backup of {manifest['created_at']}: {manifest['counts']}")


# --- accounts -----------------------------------------------------------------------------------

@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(values(Role)))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--talent", "talent_id", help="External id of the talent this account belongs to.")
@click.option("--name", "display_name", default="")
@click.option("--email", default="")
@click.option("--unit", default="", help="Policy unit or association the account acts for.")
@click.pass_context
def users_create(ctx: click.Context, username: str, role: str, password: str, talent_id: str | None,
                 display_name: str, email: str, unit: str) -> None:
    from kb.accounts import create_user
    from kb.talents.changes import get_talent

    kb = _kb(ctx)
    _require_schema(kb)
    try:
        with unit_of_work(kb.sessions) as session:
            talent = get_talent(session, talent_id) if talent_id else None
            create_user(session, Actor.system("kb users create"), username, role, password,
                        display_name=display_name, email=email, unit=unit, talent=talent)
    except KbError as exc:
        _fail(str(exc))
    click.echo(f"created {role} account {username}")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    from kb.models import Talent, User

    kb = _kb(ctx)
    _require_schema(kb)
    with kb.sessions() as session:
        for u in session.scalars(select(User).order_by(User.username)):
            talent = session.get(Talent, u.talent_id) if u.talent_id else None
            click.echo(f"{u.username:<20} {u.role:<13} {'active' if u.active else 'disabled':<9}"
                       f" {talent.external_id if talent else '':<12} {u.unit}")


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.pass_context
def users_set_password(ctx: click.Context, username: str, password: str) -> None:
    from kb.accounts import get_user, set_password

    kb = _kb(ctx)
    try:
        with unit_of_work(kb.sessions) as session:
            set_password(session, get_user(session, username), password)
    except KbError as exc:
        _fail(str(exc))
    click.echo(f"password of {username} changed")


@users.command("disable")
@click.argument("username")
@click.pass_context
def users_disable(ctx: click.Context, username: str) -> None:
    from kb.accounts import get_user

    kb = _kb(ctx)
    try:
        with unit_of_work(kb.sessions) as session:
            get_user(session, username).active = False
    except KbError as exc:
        _fail(str(exc))
    click.echo(f"{username} disabled")


@users.command("token")
@click.argument("username")
@click.option("--label", default="cli")
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="Expire after this many days (default: never; revoke it on the account page).")
@click.pass_context
def users_token(ctx: click.Context, username: str, label: str, days: int | None) -> None:
    """Print a new API token for USERNAME (shown once)."""
    from kb.accounts import get_user, issue_token

    kb = _kb(ctx)
    try:
        with unit_of_work(kb.sessions) as session:
            token = issue_token(session, get_user(session, username), label, lifetime_days=days)
    except KbError as exc:
        _fail(str(exc))
    click.echo(token)


if __name__ == "__main__":
    main()
