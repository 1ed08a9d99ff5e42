from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from tiendo.campaigns.schemas import MetricCode
from tiendo.core.periods import Period
from tiendo.quality.models import FlagKind, FlagState, Measure, Op, RightSide, Severity
from tiendo.units.models import UnitKind

Factor = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
Constant = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
Message = Annotated[str, Field(min_length=1, max_length=500)]

_RULE_EXAMPLE = {"metric": "residents_accounts", "measure": "value", "op": "le",
                 "right": "metric", "right_metric": "residents_total", "factor": 1.05,
                 "unit_kinds": ["commune"], "severity": "warning",
                 "message": "Số tài khoản vượt quá 105% dân số trên địa bàn."}


class QualityRuleIn(BaseModel):
    """`measure(metric) op factor × right` must hold; `right` is another metric (of the same
    report, or the unit's baseline) or a constant. Examples: residents_accounts value ≤ 1,05 ×
    residents_total; staff_total change_pct ≤ 10 (steady within ±10 % of last week);
    broadcasts change ≥ 1 (at least one broadcast a week)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_RULE_EXAMPLE]})

    metric: MetricCode
    measure: Measure = Field(default=Measure.value, description=(
        "value: giá trị trong báo cáo; change: tăng thêm so với số liệu tuần trước; "
        "change_pct: mức thay đổi (tuyệt đối) tính theo % số liệu tuần trước"))
    op: Op
    right: RightSide
    right_metric: MetricCode | None = None
    factor: Factor = 1.0
    constant: Constant | None = None
    unit_kinds: list[UnitKind] = Field(default_factory=list, max_length=20)
    severity: Severity = Severity.warning
    message: Message
    active: StrictBool = True

    @model_validator(mode="after")
    def _sides(self) -> QualityRuleIn:
        if self.right == RightSide.metric and self.right_metric is None:
            raise ValueError("right_metric là bắt buộc khi right = metric")
        if self.right == RightSide.constant and self.constant is None:
            raise ValueError("constant là bắt buộc khi right = constant")
        return self


class QualityRulePublic(BaseModel):
    id: int
    campaign: str
    metric: str
    measure: Measure
    op: Op
    right: RightSide
    right_metric: str | None
    factor: float
    constant: float | None
    unit_kinds: list[str]
    severity: Severity
    message: str
    active: bool
    updated_at: datetime


class QualitySettingsIn(BaseModel):
    """Thresholds of the outlier and pattern checks. The defaults keep flags few: a flag
    should be worth a phone call."""

    model_config = ConfigDict(extra="forbid")

    z_threshold: float = Field(default=3.5, ge=1, le=50, allow_inf_nan=False, description=(
        "Ngưỡng điểm z hiệu chỉnh (0,6745·(x − trung vị)/MAD) của mức tăng tuần"))
    history_length: int = Field(default=6, ge=3, le=26,
                               description="Số tuần gần nhất dùng làm lịch sử của đơn vị")
    min_history: int = Field(default=3, ge=2, le=26, description=(
        "Số mức tăng tuần tối thiểu của đơn vị trước khi xét bất thường"))
    min_peers: int = Field(default=5, ge=3, le=1000,
                           description="Số đơn vị cùng loại tối thiểu để so sánh")
    min_jump: int = Field(default=5, ge=1, le=1_000_000, description=(
        "Mức tăng phải vượt trung vị ít nhất chừng này mới bị coi là bất thường"))
    over_denominator_ratio: float = Field(default=1.05, ge=1, le=100, allow_inf_nan=False,
                                          description="Tử số vượt mẫu số quá tỉ lệ này")
    stale_streak: int = Field(default=4, ge=2, le=26,
                             description="Số tuần liền giữ nguyên số liệu trong khi nơi khác tăng")
    churn_streak: int = Field(default=3, ge=2, le=26,
                             description="Số tuần liền mẫu số (vd. tổng CBCCVC) đều thay đổi")
    official_ratio: float = Field(default=1.5, ge=1, le=100, allow_inf_nan=False, description=(
        "Số báo cáo vượt số liệu chính thức của địa bàn quá tỉ lệ này"))


class QualitySettingsPublic(QualitySettingsIn):
    campaign: str


class Finding(BaseModel):
    """One rule a report does not meet."""

    rule_id: int | None
    severity: Severity
    message: str
    metric: str
    figures: dict[str, Any]


class ReportCheck(BaseModel):
    """What the rules say about a report before it is sent: nothing is stored."""

    ok: bool = Field(description="false khi có quy tắc chặn: gửi báo cáo sẽ bị từ chối")
    warnings: list[Finding]
    blocking: list[Finding]


class FlagPublic(BaseModel):
    id: int
    campaign: str
    unit_id: int
    unit: str
    unit_name: str
    unit_kind: str
    period: str
    kind: FlagKind
    key: str
    severity: Severity
    message: str
    figures: dict[str, Any]
    state: FlagState
    reviewed_by_name: str | None
    reviewed_at: datetime | None
    note: str
    created_at: datetime
    updated_at: datetime


class FlagReview(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"note": "Đã gọi xác minh: đúng"}]})

    note: str = Field(min_length=1, max_length=2000)


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"campaign": "ihanoi-live",
                                                               "period": "2024-W35"}]})

    campaign: Annotated[str, Field(min_length=1, max_length=64)]
    period: Period | None = None


class ScanSummary(BaseModel):
    campaign: str
    period: str
    raised: int = Field(description="Cờ mới")
    changed: int = Field(description="Cờ có số liệu khác trước (cờ đã xem được mở lại)")
    cleared: int = Field(description="Cờ chưa xem không còn đúng, đã gỡ")
    open: int = Field(description="Cờ chưa xem của tuần")
