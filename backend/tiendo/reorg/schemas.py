"""API shapes of a reorganisation: the request (changes of four kinds) and what it did."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tiendo.units.models import UnitKind
from tiendo.units.schemas import UnitLink

__all__ = ["UnitLink"]

Code = Annotated[str, Field(min_length=1, max_length=64)]


class SuccessorBaseline(BaseModel):
    """A successor's baseline (e.g. its population) given explicitly for one campaign."""

    model_config = ConfigDict(extra="forbid")
    campaign: Code
    metric: Code
    value: int = Field(ge=0, le=10**12)


class Successor(BaseModel):
    """A unit the change opens on the effective date. Name, kind and parent are given at least
    once among the changes that name it; `share` is the predecessor's part (splits only)."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    name: str | None = Field(default=None, min_length=1, max_length=255)
    kind: UnitKind | None = None
    parent: Code | None = None
    share: float | None = Field(default=None, gt=0, le=1)
    baselines: list[SuccessorBaseline] = Field(default_factory=list, max_length=50)


class _FromChange(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: list[Code] = Field(alias="from", min_length=1, max_length=100)
    to: list[Successor] = Field(min_length=1, max_length=100)
    roles_to: Code | None = Field(
        default=None, description="Người dùng, vai trò và mã tích hợp của đơn vị cũ chuyển sang "
        "đơn vị mới này (một trong `to`); trống: thu hồi")


class MergeChange(_FromChange):
    """Whole units merged into one successor."""

    kind: Literal["merge"]


class SplitChange(_FromChange):
    """One unit split into successors by shares that sum to 1."""

    kind: Literal["split"]


class RenameChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["rename"]
    unit: Code
    name: str = Field(min_length=1, max_length=255)


class MoveChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["move"]
    unit: Code
    parent: Code


Change = Annotated[MergeChange | SplitChange | RenameChange | MoveChange,
                   Field(discriminator="kind")]


class ReorganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "effective_date": "2025-07-01", "note": "Nghị quyết 1656/NQ-UBTVQH15",
        "changes": [
            {"kind": "merge", "from": ["GL-X-KIMDUC", "GL-X-BATTRANG"],
             "to": [{"code": "HN-X-BATTRANG", "name": "Xã Bát Tràng", "kind": "commune",
                     "parent": "HN"}], "roles_to": "HN-X-BATTRANG"},
            {"kind": "split", "from": ["GL-X-DATON"],
             "to": [{"code": "HN-X-BATTRANG", "share": 0.8},
                    {"code": "HN-X-GIALAM", "name": "Xã Gia Lâm", "kind": "commune",
                     "parent": "HN", "share": 0.2}]}]}]})
    effective_date: date
    note: str = Field(default="", max_length=2000)
    changes: list[Change] = Field(min_length=1, max_length=2000)


class UnitBrief(BaseModel):
    code: str
    name: str
    kind: str | None = None
    parent: str | None = None


class RenamedUnit(BaseModel):
    code: str
    old_name: str
    name: str


class MovedUnit(BaseModel):
    code: str
    old_parent: str
    parent: str


class LinkPublic(BaseModel):
    """A predecessor's share going to a successor."""

    from_: str = Field(serialization_alias="from")
    to: str
    share: float


class CarriedFigures(BaseModel):
    """A successor's figures carried across the change for one campaign: its figure in the
    weeks it is expected until its first own report (stale, "chuyển từ sắp xếp")."""

    campaign: str
    unit: str
    period: str = Field(description="Tuần cuối trước khi đơn vị mới được tính")
    values: dict[str, int]


class SuccessorBaselineSet(BaseModel):
    campaign: str
    unit: str
    metric: str
    value: int
    derived: bool = Field(description="Tính theo tỷ lệ từ đơn vị cũ (không nhập trực tiếp)")


class AccessChange(BaseModel):
    """A role or an integration token on a closed unit: moved to a successor or revoked."""

    what: Literal["role", "token"]
    holder: str = Field(description="Tên đăng nhập, hoặc tên mã tích hợp")
    role: str | None = None
    from_unit: str
    to_unit: str | None = None
    action: Literal["moved", "revoked"]


class ReorganizationPublic(BaseModel):
    id: int | None = Field(description="Trống khi chạy thử")
    status: Literal["applied", "undone", "dry_run"]
    effective_date: date
    note: str
    anchor: UnitBrief
    created_by_name: str
    created_at: datetime
    undone_at: datetime | None = None
    units_opened: list[UnitBrief]
    units_closed: list[UnitBrief] = Field(description="Đơn vị cũ (và cấp dưới) đóng từ ngày hiệu lực")
    renamed: list[RenamedUnit]
    moved: list[MovedUnit]
    links: list[LinkPublic]
    baselines: list[SuccessorBaselineSet]
    carried: list[CarriedFigures]
    access: list[AccessChange]
    undoable: bool = Field(description="Còn hoàn tác được (chưa đơn vị mới nào báo cáo)")
