"""A rebuild of the embedded index into a new generation beside the live one.

``EmbeddedRebuild`` fills ``gen-N+1``; ``commit`` carries over the talents
written to the live generation meanwhile (from its change log, through the
store's own reads) and asks the backend to publish the new generation while
writers of the old one are blocked.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from indexer.backends.base import PassageRecord, RebuildSession, TalentRecord
from indexer.backends.embedded.generation import Generation
from indexer.backends.embedded.store import Store

if TYPE_CHECKING:
    from indexer.backends.embedded.backend import EmbeddedBackend


class EmbeddedRebuild(RebuildSession):
    """Builds ``gen-N+1`` beside the live generation; ``commit`` publishes it."""

    def __init__(self, backend: EmbeddedBackend) -> None:
        self.backend = backend
        gens = backend.generations
        with gens.lock():
            self.name = gens.next_name()
            self.gen = Generation(gens.path(self.name), backend.meta, create=True)
        self.old = backend.refresh()
        self.start_seq = self.old.store.last_seq()

    def add(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        self.gen.apply_written(self.gen.store.upsert(talents, passages))

    def _copy_changes(self, old: Store, since: int) -> int:
        """Carry talents written to the old generation after ``since`` into the new one."""
        changed, last = old.changed_talents(since)
        if not changed:
            return since
        live = old.talents_by_tid(list(dict.fromkeys(tid for tid, _ in changed)))
        deleted = list(dict.fromkeys(talent_id for tid, talent_id in changed if tid not in live))
        if deleted:
            self.gen.store.delete(deleted)
        if live:
            self.gen.store.upsert(list(live.values()), old.passage_records(live))
        self.gen.catch_up()
        return last

    def commit(self) -> None:
        old_store = self.old.store
        seq = self._copy_changes(old_store, self.start_seq)
        self.gen.write_snapshot()

        def last_copy() -> None:
            if old_store.last_seq() > seq:
                self._copy_changes(old_store, seq)

        self.backend.publish(self.gen, self.old, last_copy)

    def abort(self) -> None:
        self.gen.close()
        shutil.rmtree(self.gen.path, ignore_errors=True)
