"""API shapes of the weekly cycle (see the contract: completeness, due, locks)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tiendo.core.periods import Period
from tiendo.units.schemas import Code

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
OptionalReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class UnitSummary(BaseModel):
    id: int
    code: str
    name: str


class CompletenessUnit(BaseModel):
    unit_id: int
    unit: str
    unit_name: str
    kind: str
    status: Literal["on_time", "late", "missing", "pending"] = Field(
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
    units: list[CompletenessUnit]


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
