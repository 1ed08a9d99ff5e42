from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class ReportStatus(StrEnum):
    submitted = "submitted"
    approved = "approved"
    returned = "returned"


class Timeliness(StrEnum):
    on_time = "on_time"
    late = "late"


class Source(StrEnum):
    web = "web"
    api = "api"
    import_ = "import"
    reorganization = "reorganization"  # carried across a reorganisation (tiendo.reorg.carry)


class Report(SQLModel, table=True):
    """One per campaign × unit × ISO week. Counts are cumulative ("as of now")."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "period"),
        # A week's reports of a campaign, with their units: read in index order, never
        # searched back through the history.
        Index("ix_report_campaign_period_unit", "campaign_id", "period", "unit_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: str = Field(max_length=8)  # "2024-W30"; sorts in time order as text
    status: str = Field(default=ReportStatus.submitted, max_length=16)
    timeliness: str = Field(max_length=16)
    version: int = 1
    source: str = Field(default=Source.api, max_length=16)
    sender_user_id: int | None = Field(default=None, foreign_key="user.id")
    sender_token_id: int | None = Field(default=None, foreign_key="api_token.id")
    sender_name: str = Field(default="", max_length=255)
    note: str = Field(default="", max_length=2000)
    received_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reviewed_by_name: str | None = Field(default=None, max_length=255)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_reason: str | None = Field(default=None, max_length=2000)


class ReportValue(SQLModel, table=True):
    __tablename__ = "report_value"

    report_id: int = Field(foreign_key="report.id", primary_key=True)
    metric_id: int = Field(foreign_key="metric.id", primary_key=True)
    value: int = Field(sa_type=BigInteger)


class ReportRevision(SQLModel, table=True):
    """A version of a report that a later one replaced, kept as it was (values, note, who,
    when). The current version is the report itself: a report written once has no row here."""

    __tablename__ = "report_revision"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id")  # found through the (report, version) key
    version: int
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=2000)
    source: str = Field(max_length=16)
    changed_by_name: str = Field(default="", max_length=255)
    changed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_by_token_id: int | None = Field(default=None, foreign_key="api_token.id")
    changed_at: datetime = Field(sa_type=UTCDateTime)
