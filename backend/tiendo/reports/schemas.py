from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from tiendo.campaigns.schemas import MAX_COUNT, MetricCode
from tiendo.units.schemas import Code

Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
Values = Annotated[dict[MetricCode, Count], Field(min_length=1, max_length=100)]
Period = Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$", examples=["2024-W30"])]
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
