"""API shapes of the weekly cycle (see the contract: completeness, due, locks)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tiendo.core.periods import Period
from tiendo.units.schemas import Code, UnitContact

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
OptionalReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class UnitSummary(BaseModel):
    id: int
    code: str
    name: str


CompletenessStatus = Literal["on_time", "late", "missing", "pending"]


class CompletenessUnit(BaseModel):
    unit_id: int
    unit: str
    unit_name: str
    kind: str
    status: CompletenessStatus = Field(
        description="pending = chưa báo cáo, hạn nộp chưa đến; missing = quá hạn chưa báo cáo")
    report_id: int | None
    received_at: datetime | None
    sender_name: str | None
    report_status: Literal["submitted", "approved", "returned"] | None


class CompletenessPublic(BaseModel):
    campaign: str
    period: str
    due_at: datetime
    as_of: datetime
    locked: bool
    under: UnitSummary
    expected: int
    on_time: int
    late: int
    missing: int = Field(description="Chưa báo cáo (kể cả các đơn vị đang chờ hạn)")
    pending: int = Field(description="Trong số `missing`: chưa báo cáo nhưng hạn chưa đến")
    reporting_rate: float = Field(description="(on_time + late) / expected, 0..1")
    on_time_rate: float = Field(description="on_time / expected, 0..1")
    data: list[CompletenessUnit] = Field(
        description="Một trang đơn vị theo thứ tự đôn đốc: chưa nộp, muộn, chờ hạn, đúng hạn; "
                    "rồi theo loại đơn vị và mã")
    count: int = Field(description="Số đơn vị khớp bộ lọc (mọi trang); các số đếm ở trên luôn "
                                   "tính cho cả cây đơn vị")
    limit: int
    offset: int


class DueEntry(BaseModel):
    campaign: str
    unit: str
    unit_name: str
    period: str
    due_at: datetime
    status: Literal["due", "overdue", "submitted", "late", "on_time"]
    report_id: int | None


class ReturnBody(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"reason": "Thiếu số liệu thôn 3"}]})

    reason: Reason


class LockCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"campaign": "ihanoi-live", "period": "2024-W36", "unit": "HN-GL",
         "reason": "Đã tổng hợp gửi thành phố"}]})

    campaign: Code
    period: Period
    unit: Code
    reason: OptionalReason = ""


class UnlockCreate(LockCreate):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"campaign": "ihanoi-live", "period": "2024-W36", "unit": "GL-X-DATON",
         "reason": "Xã Đa Tốn cần sửa số liệu theo đối chiếu của Phòng VH-TT"}]})

    reason: Reason


class LockPublic(BaseModel):
    id: int | None = Field(description="null cho khoá tự động")
    campaign: str
    period: str
    unit: str
    unit_name: str
    locked_at: datetime
    locked_by_name: str
    reason: str
    automatic: bool


class UnlockPublic(BaseModel):
    id: int
    campaign: str
    period: str
    unit: str
    unit_name: str
    unlocked_at: datetime
    unlocked_by_name: str
    reason: str


class ChaseUnit(BaseModel):
    unit_id: int
    unit: str
    unit_name: str
    kind: str
    status: Literal["missing", "pending", "returned", "late"] = Field(
        description="missing = quá hạn chưa nộp; pending = chưa nộp, hạn chưa đến; "
                    "returned = bị trả lại chờ sửa; late = đã nộp muộn")
    report_id: int | None
    head_name: str | None
    head_title: str | None
    contact: UnitContact | None = Field(description="Người báo cáo của đơn vị")
    phone: str | None
    tel: str | None = Field(description="Liên kết gọi điện, ví dụ `tel:0912345678`")
    last_report_at: datetime | None = Field(description="Lần báo cáo gần nhất (tuần này hoặc trước)")
    last_period: str | None
    ratio: float | None = Field(description="Tỉ lệ thấp nhất của đơn vị so với các chỉ tiêu")
    shortfall: float | None = Field(description="Khoảng cách lớn nhất tới mục tiêu (0..1)")


class ChaseGroup(BaseModel):
    key: Literal["communes", "agencies", "schools", "party", "other"]
    label: str
    count: int = Field(description="Số đơn vị cần đôn đốc của nhóm (có thể nhiều hơn `units`)")
    units: list[ChaseUnit] = Field(description="Các đơn vị đầu tiên theo thứ tự đôn đốc, "
                                               "nhiều nhất `limit`")


class ChaseArea(BaseModel):
    """A child area of a large subtree (a province, a district) and its units to chase."""

    unit_id: int
    unit: str
    unit_name: str
    kind: str
    expected: int
    reported: int
    not_reported: int = Field(description="Chưa nộp = missing + pending, cả cây đơn vị của địa bàn")
    missing: int
    pending: int
    late: int
    returned: int
    reporting_rate: float = Field(description="reported / expected, 0..1")
    head_name: str | None
    head_title: str | None
    contact: UnitContact | None = Field(description="Người báo cáo của địa bàn")
    phone: str | None
    tel: str | None = Field(description="Liên kết gọi điện, ví dụ `tel:0912345678`")


class ChaseWeek(BaseModel):
    period: str
    due_at: datetime
    locked: bool
    overdue: bool = Field(description="Hạn nộp của tuần đã qua")
    expected: int
    reported: int
    not_reported: int = Field(description="Chưa nộp = missing + pending (cùng định nghĩa với "
                                          "`missing` của completeness)")
    missing: int
    pending: int
    late: int
    returned: int
    groups: list[ChaseGroup] = Field(description="Theo đơn vị (`by` = units); rỗng theo địa bàn")
    areas: list[ChaseArea] = Field(
        default_factory=list,
        description="Theo địa bàn (`by` = areas): các địa bàn cấp dưới còn đơn vị chưa nộp, nộp "
                    "muộn hoặc bị trả lại, tỉ lệ chưa nộp cao nhất trước; nhiều nhất `limit`")
    areas_count: int = Field(0, description="Số địa bàn cần đôn đốc (có thể nhiều hơn `areas`)")


class ChasePublic(BaseModel):
    campaign: str
    campaign_name: str
    as_of: datetime
    under: UnitSummary
    by: Literal["units", "areas"] = Field(
        "units", description="units: danh sách từng đơn vị theo nhóm; areas: cây đơn vị lớn "
                             "(hơn vài nghìn đơn vị), đôn đốc theo địa bàn cấp dưới")
    weeks: list[ChaseWeek] = Field(description="Tuần hiện tại, và tuần trước khi chưa khoá sổ")
    message: str = Field(description="Tin nhắn ngắn (tiếng Việt) gửi nhóm Zalo: các đơn vị "
                                     "chưa nộp và hạn nộp; rỗng khi không còn ai")


class ApproveMany(BaseModel):
    """Either a week and a unit (every submitted report of the unit's subtree), or ids."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"campaign": "ihanoi-live", "period": "2024-W36", "unit": "HN-GL"},
        {"ids": [101, 102, 103]}]})

    campaign: Code | None = None
    period: Period | None = None
    unit: Code | None = None
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, min_length=1, max_length=1000)


class ApprovedReport(BaseModel):
    id: int
    unit: str
    unit_name: str
    period: str


class SkippedReport(BaseModel):
    id: int
    unit: str | None = Field(description="null khi báo cáo không tồn tại hoặc bạn không được xem")
    unit_name: str | None
    period: str | None
    code: Literal["report_not_found", "forbidden", "report_approved", "report_returned",
                  "report_changed"]
    reason: str


class ApproveManyResult(BaseModel):
    approved: list[ApprovedReport]
    skipped: list[SkippedReport]
