from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from tiendo.campaigns.schemas import MAX_COUNT, MetricCode
from tiendo.core.periods import Period
from tiendo.units.schemas import Code

Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
Values = Annotated[dict[MetricCode, Count], Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=2000)]

_EXAMPLE_VALUES = {"staff_total": 42, "staff_installed": 40}


class ReportCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"campaign": "ihanoi-2024", "unit": "GL-P-VHTT",
                                         "period": "2024-W30", "values": _EXAMPLE_VALUES,
                                         "note": ""}]},
    )

    campaign: Code
    unit: Code
    period: Period
    values: Values
    note: Note = ""


class ReportReplace(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"values": _EXAMPLE_VALUES, "version": 1,
                                         "note": "Bổ sung 2 người mới cài"}]},
    )

    values: Values
    note: Note = ""
    version: Annotated[StrictInt, Field(ge=1, le=2**31 - 1,
                                        description="Phiên bản hiện tại (hoặc gửi If-Match)")] | None = None


class ReportPublic(BaseModel):
    id: int
    campaign_id: int
    campaign: str
    unit_id: int
    unit: str
    unit_name: str
    period: str
    due_at: datetime
    values: dict[str, int]
    status: str
    timeliness: str
    version: int
    source: str
    sender_name: str
    note: str
    received_at: datetime
    updated_at: datetime
    reviewed_by_name: str | None
    reviewed_at: datetime | None
    review_reason: str | None


class RevisionPublic(BaseModel):
    version: int
    values: dict[str, int]
    note: str
    source: str
    changed_by_name: str
    changed_at: datetime


# --- bulk posts and spreadsheet imports -------------------------------------------------------
MAX_BULK_ITEMS = 10_000
Version = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]


class BulkStrategy(StrEnum):
    """What a bulk post or an import does to a report that already exists for the unit and
    week. An item that carries `version` updates it whatever the strategy, if that version is
    still the current one."""

    create_only = "create_only"
    create_and_update = "create_and_update"


_STRATEGY_DOC = ("create_only (mặc định): báo cáo đã có thì giữ nguyên, mục đó bị từ chối "
                 "(report_exists), trừ khi mục gửi kèm `version` đúng phiên bản hiện tại; "
                 "create_and_update: tạo mới hoặc cập nhật.")


class BulkItem(BaseModel):
    """One report of a bulk post; each item is validated on its own, so that one bad item is
    rejected without rejecting the others."""

    model_config = ConfigDict(extra="forbid")

    unit: Code
    period: Period
    values: Values
    note: Note = ""
    version: Version | None = Field(
        default=None, description="Cập nhật có điều kiện: chỉ khi báo cáo đang ở đúng phiên "
                                  "bản này (không thì version_mismatch)")


class BulkPost(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "campaign": "ihanoi-live", "strategy": "create_only", "atomic": False,
            "dry_run": False,
            "items": [{"unit": "GL-P-VHTT", "period": "2024-W36", "values": _EXAMPLE_VALUES},
                      {"unit": "GL-X-DATON", "period": "2024-W35", "values": _EXAMPLE_VALUES,
                       "version": 2}]}]},
    )

    campaign: Code
    strategy: BulkStrategy = Field(default=BulkStrategy.create_only, description=_STRATEGY_DOC)
    items: Annotated[list[Any], Field(
        min_length=1, max_length=MAX_BULK_ITEMS,
        json_schema_extra={"items": BulkItem.model_json_schema()},
        description="Tối đa 10.000 mục, mỗi mục một báo cáo (đơn vị theo mã)")]
    atomic: StrictBool = Field(default=False, description="true: một mục lỗi thì không ghi mục nào")
    dry_run: StrictBool = Field(default=False, description="true: chỉ kiểm tra, không ghi")


class ImportConflict(BaseModel):
    index: int = Field(description="Vị trí mục (từ 0) trong bulk; số dòng trong tệp nhập")
    unit: str | None
    field: str | None
    code: str
    message: str


class ImportSummary(BaseModel):
    """total = created + updated + unchanged + skipped + rejected."""

    import_id: int | None
    dry_run: bool
    atomic: bool
    strategy: BulkStrategy
    total: int
    created: int
    updated: int
    unchanged: int
    skipped: int = Field(description="Dòng có mã đơn vị nhưng mọi ô số liệu để trống: "
                                     "không tạo báo cáo")
    rejected: int
    conflicts: list[ImportConflict]


class ImportRecordPublic(BaseModel):
    id: int
    at: datetime
    actor_name: str
    source: str
    filename: str | None
    campaign: str
    items: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    dry_run: bool
    atomic: bool


class ImportRecordDetail(ImportRecordPublic):
    conflicts: list[ImportConflict]
