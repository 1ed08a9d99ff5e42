from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
)

from tiendo.core.patch import KEEP, PatchBody
from tiendo.units.models import UnitKind

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


class UnitCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "code": "GL-X-DATON-T1", "name": "Thôn 1", "kind": "village", "parent": "GL-X-DATON",
        }]},
    )

    code: Code = Field(description="Mã ổn định, duy nhất (chữ, số, . _ -)")
    name: Name
    kind: UnitKind
    parent: Code = Field(description="Mã đơn vị cấp trên")
    head_name: OptionalText | None = None
    head_title: OptionalText | None = None
    gso_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,16}$")] | None = None
    opened_on: date | None = Field(
        default=None, description="Ngày đơn vị bắt đầu hoạt động (mặc định: hôm nay); các tuần "
                                  "có hạn nộp trước ngày này không tính đơn vị")


class UnitClose(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"closed_on": "2025-07-01"}]})

    closed_on: date | None = Field(
        default=None, description="Ngày đơn vị thôi hoạt động (mặc định: hôm nay); các tuần có "
                                  "hạn nộp từ ngày này trở đi không còn chờ báo cáo của nó")


class UnitUpdate(PatchBody):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"head_name": "Nguyễn Văn A",
                                                               "head_title": "Chủ tịch"}]})

    name: Name = KEEP
    kind: UnitKind = KEEP
    parent: Code = Field(default=KEEP, description="Chuyển sang đơn vị cấp trên khác")
    head_name: OptionalText | None = None
    head_title: OptionalText | None = None
    gso_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,16}$")] | None = None
    active: StrictBool = KEEP


_PHONE_SEPARATORS = re.compile(r"[\s.()-]")
# Vietnamese numbers: mobiles 0[35789]x xxx xxxx (10 digits), landlines 02xx xxxx xxx (11).
_VN_PHONE = re.compile(r"^0(?:[35789][0-9]{8}|2[0-9]{9})$")


def _vn_phone(text: str) -> str:
    """'+84 912.345.678' → '0912345678'; anything that is not a Vietnamese number is refused."""
    digits = _PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _VN_PHONE.match(digits):
        raise ValueError("Số điện thoại Việt Nam gồm 10 số (di động) hoặc 11 số (cố định), "
                         "ví dụ 0912 345 678 hoặc +84 912 345 678.")
    return digits


VnPhone = Annotated[str, StringConstraints(max_length=20), AfterValidator(_vn_phone)]


class UnitContact(BaseModel):
    """The person who reports for a unit and receives its reminders."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "name": "Nguyễn Thị Hoa", "title": "Công chức Văn hoá - Xã hội",
            "phone": "0912345678", "email": "hoa.nt@daton.gialam.gov.vn",
            "zalo_phone": "0912345678",
        }]},
    )

    name: OptionalText | None = None
    title: OptionalText | None = None
    phone: VnPhone | None = None
    email: Annotated[EmailStr, StringConstraints(max_length=254)] | None = None
    zalo_phone: VnPhone | None = None

    @classmethod
    def of(cls, unit) -> UnitContact:  # noqa: ANN001 - a Unit row or object
        return cls.model_construct(name=unit.contact_name, title=unit.contact_title,
                                   phone=unit.contact_phone, email=unit.contact_email,
                                   zalo_phone=unit.contact_zalo_phone)


class UnitLink(BaseModel):
    """A unit this one was formed from, or merged into, by a reorganisation."""

    code: str
    name: str
    share: float
    effective_date: date
    reorganization_id: int


class UnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    depth: int
    head_name: str | None
    head_title: str | None
    gso_code: str | None
    active: bool
    opened_on: date | None = Field(description="Mở từ ngày (trống: từ trước mọi đợt)")
    closed_on: date | None = Field(description="Đóng từ ngày (trống: đang hoạt động)")
    created_at: datetime
    updated_at: datetime
    contact: UnitContact | None = Field(
        default=None, description="Người báo cáo của đơn vị; chỉ người quản lý trở lên thấy")
    formed_from: list[UnitLink] = Field(
        default_factory=list, description="Thành lập từ (sắp xếp đơn vị): đơn vị cũ và tỷ lệ")
    merged_into: list[UnitLink] = Field(
        default_factory=list, description="Đã sáp nhập vào / chia tách thành: đơn vị mới")
