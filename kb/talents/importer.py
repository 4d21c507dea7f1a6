"""Import talent records: validate each, save each in its own transaction.

A bad record is reported with its line and field and does not stop the others;
a record is either saved whole (talent, outputs, revision, search-sync row) or
not at all, so an interrupted import can simply be run again. Nothing in the
file's content makes ``import_file`` raise: limits (kb/talents/limits.py) and
parser failures end as file- or line-level errors in the report.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kb.actors import Actor
from kb.errors import KbError, ValidationError
from kb.permissions import require
from kb.talents.changes import apply_record
from kb.talents.limits import DEFAULT_LIMITS, ImportLimits
from kb.talents.readers import Parsed, read_records
from kb.talents.records import validate_record

log = logging.getLogger(__name__)


@dataclass
class LineError:
    line: int
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        rid = f" (id {self.record_id})" if self.record_id else ""
        fld = f" {self.field}:" if self.field else ""
        return f"{where}{rid}:{fld} {self.message}"


@dataclass
class ImportReport:
    """What an import did, or (``dry_run``) what it would do: a dry run saves nothing but counts
    each valid record as it would have been saved (created, updated, unchanged)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    talent_ids: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def saved(self) -> int:
        """Records that were (or, in a dry run, would be) saved, changed or not."""
        return self.created + self.updated + self.unchanged

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def failed(self) -> int:
        """Records that were not saved (one record may have several errors)."""
        return len({(e.line, e.record_id) for e in self.errors})

    def summary(self) -> str:
        if self.dry_run:
            return (f"dry run, nothing saved: {self.created} would be created, {self.updated} updated, "
                    f"{self.unchanged} unchanged, {self.failed} failed")
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )


def import_file(
    factory: sessionmaker[Session], path: Path, actor: Actor, *, dry_run: bool = False, data: bytes | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Never raises for the file's content: whatever is wrong with it ends in ``report.errors``."""
    require(actor, "talent.import")
    report = ImportReport(dry_run=dry_run)
    seen: Counter[str] = Counter()
    for line, rec, error in _guarded(read_records(path, data, limits), report):
        if error is not None or rec is None:
            report.errors.append(LineError(line, "", "", error or "unreadable record"))
            continue
        rid: str = rec["id"] if isinstance(rec.get("id"), str) else ""
        problems = validate_record(rec)
        if problems:
            report.errors.extend(LineError(line, rid, p.field, p.message) for p in problems)
            continue
        seen[rid] += 1
        if seen[rid] > 1:
            report.errors.append(LineError(line, rid, "id", "the same id appears earlier in this file"))
            continue
        try:
            outcome = _apply(factory, rec, actor, dry_run)
        except ValidationError as exc:
            report.errors.extend(LineError(line, rid, f, m) for f, m in exc.errors.items())
            continue
        except KbError as exc:
            report.errors.append(LineError(line, rid, "", str(exc)))
            continue
        except (DataError, IntegrityError) as exc:  # a value the database refuses, or a concurrent import
            log.warning("import line %s (id %s) refused by the database: %s", line, rid, exc.orig)
            report.errors.append(LineError(line, rid, "", "the database refused this record (a value out of "
                                                          "range, or the same id saved at the same time)"))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        if not dry_run:
            report.talent_ids.append(rid)
    return report


def _apply(factory: sessionmaker[Session], rec: dict[str, Any], actor: Actor, dry_run: bool) -> str:
    """Save one record in its own transaction; a dry run takes the same path and rolls back, so
    its counts and refusals are those of the real import."""
    with factory() as session:
        session.begin()
        try:
            _talent, outcome = apply_record(session, rec, actor)
            session.flush()
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return outcome


def _guarded(records: Iterator[Parsed], report: ImportReport) -> Iterator[Parsed]:
    """The readers report every known problem themselves; anything else they raise still ends
    as a file-level error here, so a new kind of broken file can never take the import down."""
    while True:
        try:
            item = next(records)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - the last line of defence described above
            log.exception("import reader failed")
            report.errors.append(LineError(0, "", "", f"the file could not be read ({type(exc).__name__}); "
                                                      "the rest of the file was not read"))
            return
        yield item
