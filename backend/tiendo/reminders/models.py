"""Tables of reminders: webhooks, the delivery ledger, campaign schedules, unit channel choice."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class Webhook(SQLModel, table=True):
    """Where reminders for the units of a subtree are sent (JSON over HTTP)."""

    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    url: str = Field(max_length=2000)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    active: bool = True
    secret: str | None = Field(default=None, max_length=255)  # signs the body (HMAC-SHA256)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReminderMessage(SQLModel, table=True):
    """One message of the ledger. The unique key is what "never twice" means: a unit is told
    of a week's `kind` once per channel; retries update the same row."""

    __tablename__ = "reminder_message"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "period", "kind", "channel"),
        Index("ix_reminder_message_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    # The unit the message is about (a webhook's own unit; the owner unit for a digest).
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: str = Field(max_length=8)
    kind: str = Field(max_length=16)  # due_soon | last_hours | late | digest | manual
    channel: str = Field(max_length=32)  # email | zalo | sms | webhook:<id>
    recipient: str = Field(max_length=2000)  # address, phone or URL
    source: str = Field(default="schedule", max_length=16)  # schedule | manual
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # queued → sending → delivered, or → retry (waits for next_attempt_at) … → failed (gave up)
    status: str = Field(default="queued", max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReminderScheduleEntry(SQLModel, table=True):
    """When a campaign's reminders go out (local time of the campaign). A campaign without
    entries follows the default schedule (tiendo.reminders.schedule.DEFAULT)."""

    __tablename__ = "reminder_schedule"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    at: time
    kind: str = Field(max_length=16)  # due_soon | last_hours | late | digest


class UnitReminderChannels(SQLModel, table=True):
    """Which channels a unit's contact is reminded by (chosen by the unit's admin); a unit
    without a row uses every channel it has an address for."""

    __tablename__ = "unit_reminder_channels"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    email: bool = True
    zalo: bool = True
    sms: bool = True
