"""Sending what the ledger holds due: claim (a short transaction), send (no transaction open:
the network may be slow), record the outcomes (another short transaction). The same function
runs after `POST /reminders` answers and in `tiendo remind`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from tiendo.config import get_settings
from tiendo.db import SessionFactory
from tiendo.reminders.channels import Channels, Message, Result
from tiendo.reminders.models import ReminderMessage, Webhook

# A claimed message is not claimed again by another run before this, unless recorded first
# (a run that died mid-way leaves its messages to the next run after the lease).
LEASE = timedelta(minutes=15)
ACTIVE = ("queued", "retry", "sending")


@dataclass
class Outcome:
    id: int
    channel: str
    recipient: str
    kind: str
    period: str
    status: str  # delivered | retry | failed
    attempts: int
    error: str | None


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: retry_seconds × 2^(n-1) (5, 10, 20, 40 min by default)."""
    return timedelta(seconds=get_settings().reminder_retry_seconds * 2 ** (attempts - 1))


def deliver_due(sessions: SessionFactory, now: datetime, channels: Channels | None = None,
                limit: int = 1000) -> list[Outcome]:
    with sessions() as session:
        rows = session.exec(select(ReminderMessage)
                            .where(ReminderMessage.status.in_(ACTIVE),
                                   ReminderMessage.next_attempt_at <= now)
                            .order_by(ReminderMessage.id).limit(limit)
                            .with_for_update(skip_locked=True)).all()
        hook_ids = {int(r.channel.split(":")[1]) for r in rows if r.channel.startswith("webhook:")}
        hooks = {h.id: h for h in session.exec(select(Webhook).where(
            Webhook.id.in_(hook_ids)))} if hook_ids else {}
        messages = []
        for r in rows:
            secret = None
            if r.channel.startswith("webhook:"):
                hook = hooks.get(int(r.channel.split(":")[1]))
                if hook is None or not hook.active:  # switched off after it was queued
                    r.status, r.next_attempt_at = "failed", None
                    r.last_error = "Webhook đã bị tắt."
                    session.add(r)
                    continue
                secret = hook.secret
            r.status, r.next_attempt_at = "sending", now + LEASE
            session.add(r)
            messages.append(Message(r.id, r.channel, r.recipient, r.kind, r.payload,
                                    secret=secret, now=now))
        periods = {r.id: r.period for r in rows}
    if not messages:
        return []
    own = channels is None
    channels = channels or Channels()
    try:
        results: list[tuple[Message, Result]] = [(m, channels.send(m)) for m in messages]
    finally:
        if own:
            channels.close()
    max_attempts = get_settings().reminder_max_attempts
    out = []
    with sessions() as session:
        for m, result in results:
            row = session.get(ReminderMessage, m.id)
            if row is None:  # its webhook was deleted meanwhile
                continue
            row.attempts += 1
            row.last_attempt_at = now
            if result.ok:
                row.status, row.delivered_at, row.next_attempt_at = "delivered", now, None
                row.last_error = None
            elif result.permanent or row.attempts >= max_attempts:
                row.status, row.next_attempt_at = "failed", None
                row.last_error = result.error
            else:
                row.status, row.next_attempt_at = "retry", now + backoff(row.attempts)
                row.last_error = result.error
            if row.last_error:
                row.last_error = row.last_error[:1000]
            session.add(row)
            out.append(Outcome(m.id, m.channel, m.recipient, m.kind, periods[m.id], row.status,
                               row.attempts, row.last_error))
    return out
