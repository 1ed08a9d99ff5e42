"""Removing rows that only serve for a while: idempotency keys (a client retries within
minutes or hours, not weeks), failed log-ins (they count only inside the throttling window;
every failed log-in is also in the audit trail, which is never purged) and the ledger of bulk
posts and imports (GET /imports: what integrations sent lately; every real post is also in the
audit trail)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from tiendo.auth.models import LoginFailure
from tiendo.cycle.models import BulkImport, IdempotencyKey

KEEP_IDEMPOTENCY_DAYS = 7
KEEP_LOGIN_FAILURES = timedelta(days=1)  # far beyond any sensible throttling window
KEEP_IMPORT_LEDGER_DAYS = 90


@dataclass
class Purged:
    idempotency_keys: int
    login_failures: int
    bulk_imports: int = 0


def purge(session: Session, now: datetime, keep_idempotency_days: int = KEEP_IDEMPOTENCY_DAYS,
          login_window: timedelta = KEEP_LOGIN_FAILURES,
          keep_import_days: int = KEEP_IMPORT_LEDGER_DAYS) -> Purged:
    """Deletes idempotency keys older than `keep_idempotency_days` (a retry after that counts
    as a new request), failed log-ins older than the window (at least a day) and records of
    bulk posts and imports older than `keep_import_days`."""
    keys = session.exec(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - timedelta(days=keep_idempotency_days)))
    failures = session.exec(delete(LoginFailure).where(
        LoginFailure.at < now - max(login_window, KEEP_LOGIN_FAILURES)))
    imports = session.exec(delete(BulkImport).where(
        BulkImport.at < now - timedelta(days=keep_import_days)))
    return Purged(keys.rowcount, failures.rowcount, imports.rowcount)
