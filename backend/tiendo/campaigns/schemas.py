from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tiendo.core.patch import KEEP, PatchBody
from tiendo.units.models import UnitKind
from tiendo.units.schemas import Code, Name

MetricCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
_LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


def _local_time(value: object) -> object:
    if isinstance(value, str) and not re.match(_LOCAL_TIME, value):
        raise ValueError("giờ địa phương dạng HH:MM hoặc HH:MM:SS, không kèm múi giờ")
    return value


# A wall-clock time in the campaign's zone. JSON Schema's "time" format demands an offset,
# which a local due time does not have: declared as a pattern instead.
LocalTime = Annotated[time, BeforeValidator(_local_time),
                      WithJsonSchema({"type": "string", "pattern": _LOCAL_TIME,
                                      "examples": ["15:00"]})]
MAX_COUNT = 100_000_000  # no unit anywhere counts more people than this


class MetricIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: MetricCode
    name: Name
    unit_kinds: list[UnitKind] = Field(min_length=1, max_length=20)
    is_baseline: StrictBool = False


class MetricUpdate(PatchBody):
    name: Name = KEEP
    unit_kinds: list[UnitKind] = Field(default=KEEP, min_length=1, max_length=20)


class MetricPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    unit_kinds: list[str]
    is_baseline: bool


ShortText = Annotated[str, Field(max_length=255)]


class ReportSettings(BaseModel):
    """What heads and closes the weekly report sent upward (Decree 30/2020/ND-CP layout)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "parent_body": "UBND THÀNH PHỐ HÀ NỘI", "issuing_body": "UBND HUYỆN GIA LÂM",
            "number_pattern": "{n}/BC-UBND", "place": "Gia Lâm",
            "recipients": ["UBND Thành phố (để b/c)", "Sở Thông tin và Truyền thông"],
            "signer_title": "PHÓ CHỦ TỊCH", "signer_name": "",
        }]},
    )

    parent_body: ShortText = Field(default="", description="Cơ quan cấp trên (dòng trên)")
    issuing_body: ShortText = Field(default="", description="Cơ quan ban hành báo cáo")
    number_pattern: Annotated[str, Field(max_length=64)] = Field(
        default="/BC-UBND", description="Số hiệu, ví dụ '/BC-UBND' (số để trống cho văn thư)")
    place: ShortText = Field(default="", description="Địa danh ghi trước ngày tháng")
    recipients: list[ShortText] = Field(default_factory=list, max_length=30,
                                        description="Nơi nhận (không kể 'Lưu: VT')")
    signer_title: ShortText = Field(default="", description="Chức vụ người ký")
    signer_name: ShortText = Field(default="", description="Họ tên người ký")


class CampaignBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Annotated[str, Field(max_length=4000)] = ""
    timezone: Annotated[str, Field(max_length=64)] = "Asia/Ho_Chi_Minh"
    due_weekday: Annotated[StrictInt, Field(ge=1, le=7, description="1 = thứ Hai … 7 = Chủ nhật")] = 4
    due_time: LocalTime = time(15, 0)
    start_date: date
    end_date: date
    lock_after_days: Annotated[StrictInt, Field(ge=0, le=366)] = 7
    public_leaderboard: StrictBool = False
    report_settings: ReportSettings = Field(default_factory=ReportSettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        if v not in available_timezones():
            raise ValueError("unknown time zone")
        ZoneInfo(v)
        return v

    @model_validator(mode="after")
    def _dates(self) -> CampaignBase:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class CampaignCreate(CampaignBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "code": "ihanoi-2024", "name": "Cài đặt ứng dụng iHanoi", "owner": "HN-GL",
            "start_date": "2024-07-08", "end_date": "2024-09-01",
            "metrics": [{"code": "staff_total", "name": "Tổng số CBCCVC, NLĐ",
                         "unit_kinds": ["agency", "school"]}],
        }]},
    )

    code: Code
    owner: Code = Field(description="Mã đơn vị chủ trì (ví dụ huyện)")
    metrics: list[MetricIn] = Field(default_factory=list, max_length=100)


class CampaignUpdate(PatchBody):
    name: Name = KEEP
    description: Annotated[str, Field(max_length=4000)] = KEEP
    due_weekday: Annotated[StrictInt, Field(ge=1, le=7)] = KEEP
    due_time: LocalTime = KEEP
    start_date: date = KEEP
    end_date: date = KEEP
    lock_after_days: Annotated[StrictInt, Field(ge=0, le=366)] = KEEP
    public_leaderboard: StrictBool = KEEP
    report_settings: ReportSettings = KEEP


class CampaignPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    description: str
    owner_unit_id: int
    timezone: str
    due_weekday: int
    due_time: LocalTime
    start_date: date
    end_date: date
    lock_after_days: int
    public_leaderboard: bool
    is_demo: bool
    report_settings: ReportSettings
    created_at: datetime
    metrics: list[MetricPublic] = []


class TargetBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    goal_ratio: Annotated[float, Field(gt=0, le=1, description="1 = 100 %")] = 1.0
    deadline: date
    upstream_deadline: date | None = Field(default=None, description="Hạn của cấp trên")
    unit_kinds: list[UnitKind] = Field(default_factory=list, max_length=20)
    unit: Code | None = Field(default=None, description="Áp dụng riêng cho một đơn vị")


class TargetCreate(TargetBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "campaign": "ihanoi-2024", "code": "staff", "name": "100% CBCCVC cài đặt",
            "numerator": "staff_installed", "denominator": "staff_total", "goal_ratio": 1.0,
            "deadline": "2024-07-26", "upstream_deadline": "2024-07-30",
            "unit_kinds": ["agency", "school", "commune"],
        }]},
    )

    campaign: Code
    code: MetricCode
    numerator: MetricCode
    denominator: MetricCode

    @model_validator(mode="after")
    def _check(self) -> TargetCreate:
        if not self.unit_kinds and not self.unit:
            raise ValueError("give unit_kinds or unit")
        if self.numerator == self.denominator:
            raise ValueError("numerator and denominator must differ")
        return self


class TargetUpdate(PatchBody):
    name: Name = KEEP
    goal_ratio: Annotated[float, Field(gt=0, le=1)] = KEEP
    deadline: date = KEEP
    upstream_deadline: date | None = None  # null: no upstream (city) deadline
    unit_kinds: list[UnitKind] = Field(default=KEEP, max_length=20)


class TargetPublic(BaseModel):
    id: int
    campaign_id: int
    campaign: str
    code: str
    name: str
    numerator: str
    denominator: str
    goal_ratio: float
    deadline: date
    upstream_deadline: date | None
    unit_kinds: list[str]
    unit_id: int | None


class BaselineSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"campaign": "ihanoi-2024", "unit": "GL-X-DATON",
                                         "metric": "residents_total", "value": 27000}]},
    )

    campaign: Code
    unit: Code
    metric: MetricCode
    value: Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
    note: Annotated[str, Field(max_length=500)] = ""


class BaselinePublic(BaseModel):
    campaign: str
    unit_id: int
    unit: str
    metric: str
    value: int
    note: str
    updated_at: datetime


class CampaignClone(BaseModel):
    """A new campaign made from an earlier one: same metrics, unit kinds and targets, every
    date moved by the distance between the two start dates."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "code": "ihanoi-2025", "name": "Cài đặt iHanoi 2025", "start_date": "2025-07-07",
            "copy_baselines": True,
        }]},
    )

    code: Code
    name: Name
    start_date: date
    end_date: date | None = Field(default=None,
                                  description="Mặc định: giữ độ dài của chiến dịch gốc")
    owner: Code | None = Field(default=None, description="Mặc định: đơn vị chủ trì của bản gốc")
    copy_baselines: StrictBool = Field(default=False,
                                       description="Chép số liệu nền (ví dụ dân số) của bản gốc")

    @model_validator(mode="after")
    def _dates(self) -> CampaignClone:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self
