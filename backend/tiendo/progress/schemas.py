from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StrictBool
from typing_extensions import TypedDict

from tiendo.units.schemas import UnitLink


class Status(StrEnum):
    met = "met"
    on_track = "on_track"
    at_risk = "at_risk"
    behind = "behind"


class UnitRef(BaseModel):
    id: int
    code: str
    name: str
    kind: str


class OfficialFigure(BaseModel):
    """An outside count set against what the units reported for the week that contains it."""

    value: int
    observed_at: datetime
    source: str
    period: str = Field(description="Tuần (của chiến dịch) chứa thời điểm ghi nhận số chính thức")
    reported: int = Field(description="Tổng số các đơn vị báo cáo cho tuần đó")
    gap: int = Field(description="Số chính thức trừ số các đơn vị báo cáo tuần đó "
                                 "(âm: báo cáo cao hơn)")


# A child's row, a plain dict built by tiendo.progress.service._children and serialised as it
# is: a district's answer holds a thousand per target, and made into models (validated) they
# cost ~2.4 ms per thousand. No docstring: it would become the schema's description.
class ChildProgress(TypedDict):
    unit_id: int
    unit: str
    unit_name: str
    kind: str
    numerator: int
    denominator: int
    ratio: float | None
    remaining: int
    status: Status
    stale: Annotated[StrictBool, Field(
        description="Có đơn vị trong nhánh dùng số liệu của tuần trước")]
    last_period: Annotated[str | None, Field(description="Tuần cũ nhất có số liệu được dùng")]
    over_100: bool
    rank: int | None


class TargetProgress(BaseModel):
    target_id: int
    code: str
    name: str
    numerator_metric: str
    denominator_metric: str
    goal_ratio: float
    deadline: date
    upstream_deadline: date | None
    numerator: int
    denominator: int
    ratio: float | None
    remaining: int
    weekly_pace: float | None
    forecast_date: date | None
    status: Status
    upstream_status: Status | None
    over_100: bool
    units_expected: int
    units_counted: int = Field(description="Đơn vị đã báo cáo cho chính tuần này")
    units_stale: int = Field(description="Đơn vị dùng lại số liệu tuần trước")
    units_missing: int = Field(description="Đơn vị chưa từng báo cáo đến tuần này")
    official: OfficialFigure | None
    children: list[ChildProgress]


class ProgressPublic(BaseModel):
    campaign: str
    period: str
    as_of: datetime
    under: UnitRef
    targets: list[TargetProgress]


class SeriesPoint(BaseModel):
    period: str
    numerator: int
    denominator: int
    ratio: float | None


class TargetSeries(BaseModel):
    target_id: int
    code: str
    name: str
    goal_ratio: float
    points: list[SeriesPoint]
    lineage: list[SeriesPoint] = Field(
        default_factory=list, description="Trước khi đơn vị được thành lập: số liệu của các đơn "
        "vị cũ theo tỷ lệ (sắp xếp đơn vị), để biểu đồ liền một đường")


class SeriesPublic(BaseModel):
    campaign: str
    under: UnitRef
    targets: list[TargetSeries]
    formed_from: list[UnitLink] = Field(
        default_factory=list, description="Đơn vị cũ mà `under` được thành lập từ (nếu có)")


class LeaderboardUnit(BaseModel):
    unit: str
    unit_name: str
    kind: str
    ratio: float | None
    rank: int | None


class LeaderboardTarget(BaseModel):
    code: str
    name: str
    units: list[LeaderboardUnit]


class LeaderboardPublic(BaseModel):
    campaign: str
    name: str
    period: str
    as_of: datetime
    targets: list[LeaderboardTarget]
