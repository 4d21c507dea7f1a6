"""A search that fails for want of a node is read again: a node lost mid-search costs a pause, not an error.

Found by ``tests/reliability/test_node_loss.py``: a search whose query phase ran
on the killed node's copy failed in its fetch phase (``node_disconnected``)
although the other copy was alive.
"""

from __future__ import annotations

import pytest

from indexer.backends.elasticsearch import backend
from indexer.errors import SearchError, SearchUnavailable


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    paused: list[float] = []
    monkeypatch.setattr(backend.time, "sleep", paused.append)
    return paused


def failing(times: int, error: Exception) -> tuple[list[int], object]:
    calls: list[int] = []

    def read() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "hits"
    return calls, read


@pytest.mark.parametrize("failures", range(len(backend.READ_RETRY_PAUSES_S) + 1))
def test_a_read_that_lost_its_node_is_answered_on_a_later_try(failures: int, no_pauses: list[float]) -> None:
    calls, read = failing(failures, SearchUnavailable("node_disconnected_exception"))
    assert backend.read_again_after_node_loss(read) == "hits"  # type: ignore[arg-type]
    assert len(calls) == failures + 1
    assert no_pauses == list(backend.READ_RETRY_PAUSES_S[:failures])


def test_a_cluster_that_stays_down_still_fails_after_the_last_try() -> None:
    calls, read = failing(99, SearchUnavailable("down"))
    with pytest.raises(SearchUnavailable):
        backend.read_again_after_node_loss(read)  # type: ignore[arg-type]
    assert len(calls) == len(backend.READ_RETRY_PAUSES_S) + 1


def test_a_refused_request_is_not_repeated() -> None:
    calls, read = failing(1, SearchError("parse error in the query"))
    with pytest.raises(SearchError):
        backend.read_again_after_node_loss(read)  # type: ignore[arg-type]
    assert len(calls) == 1
