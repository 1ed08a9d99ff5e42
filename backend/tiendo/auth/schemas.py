from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, StrictInt, StringConstraints

from tiendo.auth.models import Role, Scope
from tiendo.core.patch import KEEP, PatchBody
from tiendo.units.schemas import Code, Name

Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
Password = Annotated[str, Field(min_length=8, max_length=128)]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class RoleGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    unit: Code


class RolePublic(BaseModel):
    role: str
    unit_id: int
    unit: str
    unit_name: str


class UserCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "username": "daton.reporter", "full_name": "Nguyễn Thị B", "password": "mat-khau-dai",
            "roles": [{"role": "reporter", "unit": "GL-X-DATON"}],
        }]},
    )

    username: Username
    full_name: Name
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")] | None = None
    password: Password
    roles: list[RoleGrant] = Field(min_length=1, max_length=20)


class UserUpdate(PatchBody):
    full_name: Name = KEEP
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")] | None = None
    active: StrictBool = KEEP


class RolesReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[RoleGrant] = Field(min_length=1, max_length=20)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(max_length=128)]
    new_password: Password


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: Password


class UserPublic(BaseModel):
    id: int
    username: str
    full_name: str
    email: str | None
    phone: str | None
    active: bool
    created_at: datetime
    roles: list[RolePublic]


class TokenCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "HANOI EIC", "unit": "HN-GL",
                                         "scopes": ["official-counts:write"],
                                         "expires_in_days": 90}]},
    )

    name: Name
    unit: Code = Field(description="Token chỉ có hiệu lực với đơn vị này và các cấp dưới")
    scopes: list[Scope] = Field(min_length=1, max_length=3,
                                description="`read` (đọc), `reports:write` (gửi/sửa báo cáo, "
                                            "không kèm quyền đọc), `official-counts:write`")
    expires_in_days: Annotated[StrictInt, Field(ge=1, le=730)] = 90


class ApiTokenPublic(BaseModel):
    id: int
    name: str
    prefix: str
    unit_id: int
    unit: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="Chỉ hiển thị một lần")
