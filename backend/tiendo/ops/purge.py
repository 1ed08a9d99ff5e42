"""Removing rows that only serve for a while: idempotency keys (a client retries within
minutes or hours, not weeks) and failed log-ins (they count only inside the throttling window;
every failed log-in is also in the audit trail, which is never purged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from tiendo.auth.models import LoginFailure
from tiendo.cycle.models import IdempotencyKey

KEEP_IDEMPOTENCY_DAYS = 7
KEEP_LOGIN_FAILURES = timedelta(days=1)  # far beyond any sensible throttling window


@dataclass
class Purged:
    idempotency_keys: int
    login_failures: int


def purge(session: Session, now: datetime, keep_idempotency_days: int = KEEP_IDEMPOTENCY_DAYS,
          login_window: timedelta = KEEP_LOGIN_FAILURES) -> Purged:
    """Deletes idempotency keys older than `keep_idempotency_days` (a retry after that counts
    as a new request) and failed log-ins older than the window (at least a day)."""
    keys = session.exec(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - timedelta(days=keep_idempotency_days)))
    failures = session.exec(delete(LoginFailure).where(
        LoginFailure.at < now - max(login_window, KEEP_LOGIN_FAILURES)))
    return Purged(keys.rowcount, failures.rowcount)
