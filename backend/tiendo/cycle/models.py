"""Tables of the weekly cycle: period locks, idempotency keys, inbound bulk posts
(webhooks and reminders live in tiendo.reminders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class PeriodLock(SQLModel, table=True):
    """A manager locked (or unlocked) a week for a unit's subtree. The deepest current row above
    a unit decides; a newer row on an ancestor supersedes the rows below it."""

    __tablename__ = "period_lock"
    __table_args__ = (Index("ix_period_lock_campaign_period", "campaign_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    period: str = Field(max_length=8)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    locked: bool = True
    at: datetime = Field(sa_type=UTCDateTime)
    by_name: str = Field(default="", max_length=255)
    by_user_id: int | None = Field(default=None, foreign_key="user.id")
    reason: str = Field(default="", max_length=2000)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IdempotencyKey(SQLModel, table=True):
    """The first answer to a write sent with an Idempotency-Key, per principal; stored in the
    request's own transaction, so it exists if and only if the write does."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=64)
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int = 0
    response_body: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    response_headers: dict[str, str] = Field(default_factory=dict,
                                             sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class BulkImport(SQLModel, table=True):
    """Every inbound bulk post or spreadsheet import: who sent it, when, and its summary."""

    __tablename__ = "bulk_import"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_name: str = Field(default="", max_length=255)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_token_id: int | None = Field(default=None, foreign_key="api_token.id")
    source: str = Field(max_length=16)
    filename: str | None = Field(default=None, max_length=255)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    items: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows of a file naming a unit with every value cell empty
    rejected: int = 0
    dry_run: bool = False
    atomic: bool = False
    conflicts: list[dict[str, Any]] = Field(default_factory=list,
                                            sa_column=Column(JSON, nullable=False))
