"""Several processes opening a new Elasticsearch index at the same moment end on one generation.

App servers started together on an empty cluster each find no alias and create the
first generation. Before ``create_first_generation`` each pointed the alias at its own
generation, the alias ended on one of them, and talents written meanwhile through the
others were in an index nobody searched. Here several backends (each its own client,
as in its own process) open one new alias at once and each writes a different talent:
every talent must be found and one generation must be left.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from indexer import ExpertSearch, open_search
from indexer.documents import TalentDoc
from tests.search.conftest import IndexFactory, hashing_embedder

pytestmark = pytest.mark.elasticsearch


@pytest.mark.parametrize("processes", [2, 4])
def test_servers_opening_a_new_index_at_once_share_one_generation(tmp_path: Path, es_url: str,
                                                                  processes: int) -> None:
    factory = IndexFactory("elasticsearch", tmp_path, es_url)
    start = threading.Barrier(processes)
    opened: list[ExpertSearch] = []
    errors: list[BaseException] = []

    def server(n: int) -> None:
        try:
            start.wait(30)
            search = open_search(replace(factory.settings), embedder=hashing_embedder())
            opened.append(search)
            search.upsert([TalentDoc(talent_id=f"p-{n}", name=f"专家{n}", category="B", fields=("banking",),
                                     research_directions=("供应链金融",))])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=server, args=(n,)) for n in range(processes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors, errors
        backend = opened[0].backend
        live = backend.connection.live_indices()  # type: ignore[attr-defined]
        assert len(live) == 1, live
        assert backend.connection.versions() == [int(live[0].rsplit("-v", 1)[-1])]  # type: ignore[attr-defined]
        assert {r.talent_id for r in (backend.talents([f"p-{n}" for n in range(processes)])).values()} == {
            f"p-{n}" for n in range(processes)}
    finally:
        if opened:
            opened[0].backend.drop()  # type: ignore[attr-defined]
        for search in opened:
            search.close()
