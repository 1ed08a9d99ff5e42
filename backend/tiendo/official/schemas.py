from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tiendo.campaigns.schemas import MetricCode
from tiendo.core.types import Timestamp
from tiendo.reports.schemas import Count
from tiendo.units.schemas import Code, Name


class OfficialCountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "unit": "HN-GL", "metric": "residents_accounts", "source": "HANOI EIC",
            "value": 2850, "observed_at": "2024-07-23T15:06:00+07:00", "campaign": "ihanoi-2024",
        }]},
    )

    unit: Code
    metric: MetricCode
    source: Name = Field(description="Nguồn số liệu, ví dụ HANOI EIC")
    value: Count
    observed_at: Timestamp = Field(description="Thời điểm số liệu (tính đến phút)")
    campaign: Annotated[Code | None, Field(
        description="Chỉ gắn với một chiến dịch; bỏ trống: dùng cho mọi chiến dịch có chỉ số "
                    "này")] = None


class OfficialCountPublic(BaseModel):
    id: int
    campaign: str | None
    unit_id: int
    unit: str
    unit_name: str
    metric: str
    source: str
    value: int
    observed_at: datetime
    recorded_at: datetime
    recorded_by_name: str
