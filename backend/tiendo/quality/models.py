from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class Severity(StrEnum):
    warning = "warning"
    blocking = "blocking"


class Measure(StrEnum):
    """The left side of a rule: the metric's value in the report, its change since the unit's
    figure of the week before, or the absolute size of that change in % of last week's."""

    value = "value"
    change = "change"
    change_pct = "change_pct"


class Op(StrEnum):
    le = "le"
    lt = "lt"
    ge = "ge"
    gt = "gt"


class RightSide(StrEnum):
    metric = "metric"  # another metric of the same report, or the unit's baseline of it
    constant = "constant"


class FlagKind(StrEnum):
    rule = "rule"
    outlier = "outlier"
    over_denominator = "over_denominator"
    stale = "stale"
    denominator_churn = "denominator_churn"
    above_official = "above_official"


class FlagState(StrEnum):
    open = "open"
    reviewed = "reviewed"


class QualityRule(SQLModel, table=True):
    """`measure(metric) op factor × right` must hold for a report of the unit kinds listed
    (all kinds that report the metric when empty); else the report is refused (blocking) or
    flagged (warning) with `message`."""

    __tablename__ = "quality_rule"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    metric: str = Field(max_length=64)
    measure: str = Field(default=Measure.value, max_length=16)
    op: str = Field(max_length=4)
    right: str = Field(max_length=16)
    right_metric: str | None = Field(default=None, max_length=64)
    factor: float = 1.0
    constant: float | None = None
    unit_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    severity: str = Field(default=Severity.warning, max_length=16)
    message: str = Field(max_length=500)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QualitySettings(SQLModel, table=True):
    """A campaign's thresholds for outliers and patterns; a campaign without a row uses the
    defaults of `tiendo.quality.schemas.QualitySettingsIn`."""

    __tablename__ = "quality_settings"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QualityFlag(SQLModel, table=True):
    """One finding for a unit and week. `key` tells findings of one kind apart (the rule id,
    the metric, the target). `fingerprint` hashes the figures that raised it: a reviewed flag
    stays quiet until a later check finds different figures."""

    __tablename__ = "quality_flag"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "period", "kind", "key"),
        Index("ix_quality_flag_campaign_period", "campaign_id", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: str = Field(max_length=8)
    kind: str = Field(max_length=32)
    key: str = Field(max_length=64)
    severity: str = Field(default=Severity.warning, max_length=16)
    message: str = Field(max_length=1000)
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Field(max_length=64)
    state: str = Field(default=FlagState.open, max_length=16)
    reviewed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_by_name: str | None = Field(default=None, max_length=255)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
