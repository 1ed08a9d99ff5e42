from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class OfficialCount(SQLModel, table=True):
    """A figure from an outside source (e.g. HANOI EIC) for a unit at a minute, shown beside
    what the units report. One row per source × unit × metric × observed minute, so that
    pulling the same feed twice changes nothing. `campaign_id` is optional: a count of app
    users is a fact about the world, shown in every campaign whose target counts that metric,
    unless it was recorded for one campaign."""

    __tablename__ = "official_count"
    __table_args__ = (
        UniqueConstraint("source", "unit_id", "metric", "observed_at"),
        Index("ix_official_count_unit_metric_observed", "unit_id", "metric", "observed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    metric: str = Field(max_length=64)
    source: str = Field(max_length=255)
    value: int = Field(sa_type=BigInteger)
    observed_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by_name: str = Field(default="", max_length=255)
