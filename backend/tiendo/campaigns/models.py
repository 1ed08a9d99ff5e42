from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


def new_config_tag() -> str:
    return uuid.uuid4().hex


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    description: str = Field(default="", max_length=4000)
    owner_unit_id: int = Field(foreign_key="unit.id", index=True)
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)
    due_weekday: int = 4  # ISO weekday: 4 = Thursday
    due_time: time = time(15, 0)
    start_date: date
    end_date: date
    # A week locks by itself this many days after its due moment (0 = never by itself).
    lock_after_days: int = 7
    public_leaderboard: bool = False
    is_demo: bool = False
    # How the weekly report to the level above is headed and signed (issuing body, number,
    # recipients…): `tiendo.campaigns.schemas.ReportSettings`, kept as JSON.
    report_settings: dict[str, Any] = Field(default_factory=dict,
                                            sa_column=Column(JSON, nullable=False,
                                                             server_default="{}"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A new random tag with every change to the campaign, its metrics or targets: processes
    # keep the configuration they read under it (tiendo.campaigns.config).
    config_tag: str = Field(default_factory=new_config_tag, max_length=32,
                            sa_column_kwargs={"server_default": ""})


class Metric(SQLModel, table=True):
    """A non-negative count that units of the given kinds report. A baseline metric (e.g. a
    commune's population) is set once per unit instead of being reported every week."""

    __tablename__ = "metric"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=255)
    unit_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_baseline: bool = False
    position: int = 0


class Target(SQLModel, table=True):
    """numerator / denominator ≥ goal_ratio by the deadline, for unit kinds or a single unit."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=255)
    numerator_metric_id: int = Field(foreign_key="metric.id")
    denominator_metric_id: int = Field(foreign_key="metric.id")
    goal_ratio: float = 1.0
    deadline: date
    upstream_deadline: date | None = None
    unit_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Baseline(SQLModel, table=True):
    __tablename__ = "baseline"
    __table_args__ = (UniqueConstraint("metric_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    metric_id: int = Field(foreign_key="metric.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    value: int = Field(sa_type=BigInteger)
    note: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
