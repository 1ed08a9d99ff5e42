from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from tiendo.core.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """Who did what, when, from where, to which object."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_token_id: int | None = Field(default=None, foreign_key="api_token.id")
    actor_name: str = Field(default="", max_length=255)
    address: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str | None = Field(default=None, max_length=64)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
