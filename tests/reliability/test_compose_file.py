"""docker-compose.yml is the scale-out deployment of docs/deployment.md, checked without Docker.

CI has no Docker, so the file is read as YAML and held to what the product needs of
several app servers: the same settings on every kb process (named as the settings
reference names them), a data folder per server with one shared attachments folder,
the schema migrated once before anything serves, a worker, and a balancer that asks
/readyz of exactly the app servers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.cli import main as kb_cli
from kb.settings.loader import read_defaults

ROOT = Path(__file__).resolve().parents[2]
#: What every kb process must agree on (docs/deployment.md, "Several app servers").
MUST_MATCH = ("KB_SECRET_KEY", "KB_DATABASE_URL", "KB_SEARCH_BACKEND", "KB_ELASTICSEARCH_URL",
              "KB_ELASTICSEARCH_INDEX", "KB_EMBEDDER", "KB_EMBEDDING_MODEL")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _kb_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if s.get("image") == "luohu-kb:latest"}


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def _app_servers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in _kb_services(compose).items() if _command(s)[:2] == ["kb", "serve"]}


def test_the_scale_out_services_are_there(compose: dict[str, Any]) -> None:
    kb = _kb_services(compose)
    commands = {name: _command(s)[:2] for name, s in kb.items()}
    assert len(_app_servers(compose)) >= 2, commands
    assert ["kb", "worker"] in commands.values() and ["kb", "init"] in commands.values()
    assert {"postgres", "elasticsearch", "balancer"} <= set(compose["services"])
    for _name, (_kb, sub) in commands.items():
        assert sub in kb_cli.commands, f"kb has no command {sub!r}"


def test_every_kb_process_has_the_same_settings_and_only_known_variables(compose: dict[str, Any]) -> None:
    _defaults, variables = read_defaults()
    envs = {name: s["environment"] for name, s in _kb_services(compose).items()}
    first = next(iter(envs.values()))
    for name, env in envs.items():
        unknown = sorted(k for k in env if k not in variables)
        assert not unknown, f"{name}: {unknown} are not settings (config/default.toml [environment])"
        assert env == first, f"{name} differs from the other kb processes"
    assert set(MUST_MATCH) <= set(first)
    assert first["KB_SEARCH_BACKEND"] == "elasticsearch"
    assert first["KB_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_each_server_has_its_own_folder_and_all_share_the_attachments(compose: dict[str, Any]) -> None:
    mounts: dict[str, dict[str, str]] = {}
    for name, service in _kb_services(compose).items():
        mounts[name] = {target: source for source, target in (v.split(":")[:2] for v in service["volumes"])}
    data = [m["/data"] for m in mounts.values()]
    assert len(set(data)) == len(data), f"two kb processes share a data folder: {mounts}"
    servers = set(_app_servers(compose)) | {n for n, s in _kb_services(compose).items()
                                            if _command(s)[:2] == ["kb", "worker"]}
    shared = {mounts[n].get("/data/attachments") for n in servers}
    assert len(shared) == 1 and None not in shared, mounts
    declared = set(compose["volumes"])
    assert {s for m in mounts.values() for s in m.values()} <= declared


def test_servers_and_worker_start_after_one_migration(compose: dict[str, Any]) -> None:
    kb = _kb_services(compose)
    migrate = [n for n, s in kb.items() if _command(s)[:2] == ["kb", "init"]]
    assert len(migrate) == 1
    for name, service in kb.items():
        if name in migrate:
            assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
            continue
        assert service["depends_on"][migrate[0]]["condition"] == "service_completed_successfully", name


def test_the_balancer_sends_traffic_to_every_ready_server(compose: dict[str, Any]) -> None:
    balancer = compose["services"]["balancer"]
    caddyfile_path = next(v.split(":")[0] for v in balancer["volumes"] if v.split(":")[1] == "/etc/caddy/Caddyfile")
    caddyfile = (ROOT / caddyfile_path).read_text("utf-8")
    upstreams = re.search(r"reverse_proxy\s+([^{]+)\{", caddyfile)
    assert upstreams is not None
    assert set(upstreams.group(1).split()) == {f"{n}:8000" for n in _app_servers(compose)}
    assert re.search(r"^\s*health_uri\s+/readyz\s*$", caddyfile, re.M)
    assert set(balancer["depends_on"]) == set(_app_servers(compose))
    assert all(not s.get("ports") for s in _kb_services(compose).values()), "servers are reached through the balancer"
