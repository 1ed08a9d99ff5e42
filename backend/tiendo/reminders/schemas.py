"""API shapes of reminders, their schedule, the delivery ledger and webhooks."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from tiendo.core.patch import KEEP, PatchBody
from tiendo.core.periods import Period
from tiendo.units.schemas import Code, Name

ScheduleKind = Literal["due_soon", "last_hours", "late", "digest"]
ChannelName = Literal["email", "zalo", "sms", "webhook"]


class ReminderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"campaign": "ihanoi-live"}]})

    campaign: Code
    period: Period | None = None
    under: Code | None = None


class QueuedMessage(BaseModel):
    id: int
    unit: str
    unit_name: str
    channel: str
    recipient: str


class ReminderQueued(BaseModel):
    period: str
    kind: str
    missing: int = Field(description="Số đơn vị chưa báo cáo trong phạm vi")
    queued: list[QueuedMessage] = Field(description="Tin vừa xếp hàng, được gửi ngay sau khi "
                                        "trả lời (nền), thử lại khi lỗi")
    already: int = Field(description="Tin đã gửi (hoặc đang chờ gửi) trước đó: không gửi lại")
    unreachable: list[str] = Field(description="Mã các đơn vị chưa báo cáo mà không kênh nào "
                                   "tới được (thiếu thông tin liên hệ, kênh chưa cấu hình)")
    channels: list[str] = Field(description="Các kênh đang được cấu hình trên máy chủ")


class ReminderMessagePublic(BaseModel):
    id: int
    campaign: str
    period: str
    unit: str
    unit_name: str
    kind: str
    channel: str
    recipient: str
    source: str
    status: Literal["queued", "sending", "delivered", "retry", "failed"]
    attempts: int
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None


class ScheduleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=1, le=7, strict=True, description="1 = thứ Hai … 7 = Chủ nhật")
    at: time = Field(description="Giờ địa phương của chiến dịch, ví dụ 09:00")
    kind: ScheduleKind


class ScheduleReplace(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"entries": [
        {"weekday": 3, "at": "09:00", "kind": "due_soon"},
        {"weekday": 4, "at": "13:00", "kind": "last_hours"},
        {"weekday": 4, "at": "15:30", "kind": "late"},
        {"weekday": 4, "at": "15:30", "kind": "digest"}]}]})

    entries: list[ScheduleEntry] = Field(min_length=1, max_length=28)


class SchedulePublic(BaseModel):
    campaign: str
    timezone: str
    is_default: bool
    entries: list[ScheduleEntry]


class UnitChannels(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": True, "zalo": True, "sms": False}]})

    email: StrictBool = True
    zalo: StrictBool = True
    sms: StrictBool = True


class UnitChannelsPublic(UnitChannels):
    unit: str
    configured: list[str] = Field(description="Các kênh máy chủ đã cấu hình")


class TestMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"channel": "email", "to": "it@gialam.gov.vn"}]})

    channel: ChannelName
    to: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                         max_length=254)] | None = Field(
        default=None, description="E-mail hoặc số điện thoại nhận tin thử (mặc định: e-mail "
                                  "của tài khoản đang đăng nhập)")
    webhook_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                   description="Webhook nhận tin thử (kênh webhook)")


class TestResult(BaseModel):
    channel: str
    recipient: str
    delivered: bool
    error: str | None


Url = Annotated[AnyHttpUrl, Field(max_length=2000)]
Secret = Annotated[str, StringConstraints(min_length=8, max_length=255)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Zalo OA của huyện", "url": "https://hooks.example.vn/tiendo", "unit": "HN-GL",
         "active": True}]})

    name: Name
    url: Url
    unit: Code = Field(description="Nhắc các đơn vị thuộc đơn vị này (và cấp dưới)")
    active: StrictBool = True
    secret: Secret | None = Field(default=None, description="Ký nội dung (HMAC-SHA256) vào "
                                  "header X-Tiendo-Signature; không bao giờ được trả về")


class WebhookUpdate(PatchBody):
    name: Name = KEEP
    url: Url = KEEP
    unit: Code = KEEP
    active: StrictBool = KEEP
    secret: Secret | None = None  # null: stop signing


class WebhookPublic(BaseModel):
    id: int
    name: str
    url: str
    unit: str
    unit_name: str
    active: bool
    has_secret: bool
    created_at: datetime


class WebhookDeliveryPublic(BaseModel):
    id: int
    webhook_id: int
    campaign_id: int
    period: str
    kind: str
    units: int
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
