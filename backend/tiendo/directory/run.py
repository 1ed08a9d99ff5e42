"""One row at a time, each in its own savepoint: a rejected row leaves no trace and does not
stop the others; a dry run rolls everything back and answers what would have happened."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import ValidationError
from sqlmodel import Session

from tiendo.directory.schemas import DirectoryImportSummary, RowConflict
from tiendo.directory.sheet import Row
from tiendo.errors import DomainError, validation_detail


class RowOutcome(StrEnum):
    created = "created"
    updated = "updated"
    skipped = "skipped"


class RowError(Exception):
    def __init__(self, field: str | None, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def run_rows(session: Session, rows: list[Row], key: str, dry_run: bool,
             handle: Callable[[Row], RowOutcome]) -> DirectoryImportSummary:
    summary = DirectoryImportSummary(dry_run=dry_run, rows=len(rows), created=0, updated=0,
                                     skipped=0, rejected=0, conflicts=[])
    seen: dict[str, int] = {}
    outer = session.begin_nested()
    for row in rows:
        name = row.cells.get(key)
        try:
            if name and name.lower() in seen:
                raise RowError(key, "duplicate_in_file",
                               f"'{name}' đã có ở dòng {seen[name.lower()]} của tệp.")
            if name:
                seen[name.lower()] = row.number
            with session.begin_nested():
                outcome = handle(row)
                session.flush()
        except RowError as e:
            summary.conflicts.append(RowConflict(row=row.number, key=name, field=e.field,
                                                 code=e.code, message=e.message))
        except DomainError as e:
            summary.conflicts.append(RowConflict(row=row.number, key=name, field=e.field,
                                                 code=e.code, message=e.message))
        except ValidationError as e:
            d = validation_detail(e.errors()[0])
            summary.conflicts.append(RowConflict(row=row.number, key=name, field=d["field"],
                                                 code="validation_error",
                                                 message=d["message"]))
        else:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    summary.rejected = len(summary.conflicts)
    if dry_run:
        outer.rollback()
    else:
        outer.commit()
    return summary
