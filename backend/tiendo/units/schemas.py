from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

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
    gso_code: Annotated[str, StringConstraints(pattern=r"^\d{1,16}$")] | None = None


class UnitUpdate(PatchBody):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"head_name": "Nguyễn Văn A",
                                                               "head_title": "Chủ tịch"}]})

    name: Name = KEEP
    kind: UnitKind = KEEP
    parent: Code = Field(default=KEEP, description="Chuyển sang đơn vị cấp trên khác")
    head_name: OptionalText | None = None
    head_title: OptionalText | None = None
    gso_code: Annotated[str, StringConstraints(pattern=r"^\d{1,16}$")] | None = None
    active: StrictBool = KEEP


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
    created_at: datetime
    updated_at: datetime
