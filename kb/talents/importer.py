"""Import talent records: validate each, save each in its own transaction.

A bad record is reported with its line and field and does not stop the others;
a record is either saved whole (talent, outputs, revision, search-sync row) or
not at all, so an interrupted import can simply be run again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kb.actors import Actor
from kb.errors import KbError, ValidationError
from kb.permissions import require
from kb.talents.changes import apply_record
from kb.talents.readers import read_records
from kb.talents.records import validate_record


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
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    talent_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def failed(self) -> int:
        """Records that were not saved (one record may have several errors)."""
        return len({(e.line, e.record_id) for e in self.errors})

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )


def import_file(
    factory: sessionmaker[Session], path: Path, actor: Actor, *, dry_run: bool = False, data: bytes | None = None
) -> ImportReport:
    require(actor, "talent.import")
    report = ImportReport()
    seen: Counter[str] = Counter()
    for line, rec, error in read_records(path, data):
        if error is not None or rec is None:
            report.errors.append(LineError(line, "", "", error or "unreadable record"))
            continue
        rid = rec.get("id") if isinstance(rec.get("id"), str) else ""
        problems = validate_record(rec)
        if problems:
            report.errors.extend(LineError(line, rid, p.field, p.message) for p in problems)
            continue
        seen[rid] += 1
        if seen[rid] > 1:
            report.errors.append(LineError(line, rid, "id", "the same id appears earlier in this file"))
            continue
        if dry_run:
            report.unchanged += 1
            continue
        try:
            with factory() as session, session.begin():
                _talent, outcome = apply_record(session, rec, actor)
        except ValidationError as exc:
            report.errors.extend(LineError(line, rid, f, m) for f, m in exc.errors.items())
            continue
        except KbError as exc:
            report.errors.append(LineError(line, rid, "", str(exc)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        report.talent_ids.append(rid)
    return report
