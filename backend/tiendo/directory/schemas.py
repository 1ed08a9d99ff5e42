from __future__ import annotations

from pydantic import BaseModel, Field


class RowConflict(BaseModel):
    row: int = Field(description="Số dòng trong tệp (dòng 1 là tiêu đề)")
    key: str | None = Field(description="Mã đơn vị hoặc tên đăng nhập của dòng")
    field: str | None
    code: str
    message: str


class NewUserPassword(BaseModel):
    row: int
    username: str
    password: str = Field(description="Mật khẩu ban đầu; chỉ hiển thị một lần, không lưu lại")


class DirectoryImportSummary(BaseModel):
    """As DHIS2 answers an import: counts per outcome, and for each rejected row, why."""

    dry_run: bool
    rows: int = Field(description="Số dòng có dữ liệu")
    created: int
    updated: int
    skipped: int = Field(description="Dòng trùng khớp dữ liệu đã có: không có gì thay đổi")
    rejected: int
    conflicts: list[RowConflict]
    passwords: list[NewUserPassword] = Field(
        default_factory=list, description="Người dùng mới và mật khẩu ban đầu (không có khi "
                                          "dry_run); hãy trao tận tay và yêu cầu đổi ngay")
