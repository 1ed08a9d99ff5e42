"""Users from a spreadsheet, through tiendo.auth.service. The file holds no password: a new
user gets a random initial password, shown once in the answer to the admin who imported it
(never stored but as its hash, nor written to the audit); an existing user's details are
corrected and the row's role added to the ones they hold."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, select

from tiendo.auth import service
from tiendo.auth.models import Role, User
from tiendo.auth.principal import Principal
from tiendo.auth.schemas import RoleGrant, UserCreate, UserUpdate
from tiendo.directory.run import RowError, RowOutcome, run_rows
from tiendo.directory.schemas import DirectoryImportSummary, NewUserPassword
from tiendo.directory.sheet import Row, read_rows, template

COLUMNS = ("username", "full_name", "email", "phone", "role", "unit")
REQUIRED = ("username", "full_name", "role", "unit")
NOTES = {
    "username": "Tên đăng nhập: chữ thường không dấu, số, . _ - (3–64 ký tự). Đã có: dòng sửa "
                "thông tin và thêm vai trò cho người đó.",
    "full_name": "Họ và tên",
    "email": "E-mail (không bắt buộc)",
    "phone": "Điện thoại (không bắt buộc)",
    "role": "Vai trò: " + ", ".join(r.value for r in Role) + " (người xem, người báo cáo, "
            "quản lý, quản trị)",
    "unit": "Mã đơn vị nơi giữ vai trò (vai trò áp dụng cho cả các đơn vị cấp dưới)",
}
EXAMPLE = {"username": "daton.hoa", "full_name": "Nguyễn Thị Hoa", "email": "hoa@example.vn",
           "phone": "0912 345 678", "role": "reporter", "unit": "GL-X-DATON"}
# No 0/O, 1/l/I: read aloud or copied from a screen without mistakes.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def users_template() -> bytes:
    return template("Người dùng", COLUMNS, NOTES, EXAMPLE)


def initial_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))


def import_users(session: Session, principal: Principal, data: bytes, dry_run: bool,
                 now: datetime) -> DirectoryImportSummary:
    rows = read_rows(data, COLUMNS, REQUIRED)
    passwords: list[NewUserPassword] = []

    def handle(row: Row) -> RowOutcome:
        c = row.cells
        grant = RoleGrant.model_validate({"role": c.get("role", "").lower(),
                                          "unit": c.get("unit", "")})
        username = c.get("username", "").lower()
        existing = session.exec(select(User).where(User.username == username)).first()
        if existing is None:
            password = initial_password()
            create = UserCreate.model_validate({
                "username": username, "full_name": c.get("full_name", ""),
                "email": c.get("email"), "phone": c.get("phone"), "password": password,
                "roles": [grant.model_dump()]})
            user = service.create_user(session, principal, create, now)
            passwords.append(NewUserPassword(row=row.number, username=user.username,
                                             password=password))
            return RowOutcome.created
        user = service.get_user(session, principal, existing.id, write=True)
        details = {k: c[k] for k in ("full_name", "email", "phone")
                   if k in c and c[k] != (getattr(user, k) or "")}
        held = service.roles_of(session, [user.id])[user.id]
        has_role = any(r.role == grant.role and r.unit == grant.unit for r in held)
        if not details and has_role:
            return RowOutcome.skipped
        if details:
            service.update_user(session, principal, user.id, UserUpdate.model_validate(details),
                                now)
        if not has_role:
            if user.id == principal.user_id:
                raise RowError("role", "self_grant", "Không thể tự thay đổi vai trò của mình.")
            grants = [RoleGrant(role=r.role, unit=r.unit) for r in held] + [grant]
            if len(grants) > 20:
                raise RowError("role", "too_many_roles", "Người dùng đã có tối đa 20 vai trò.")
            service.replace_roles(session, principal, user.id, grants, now)
        return RowOutcome.updated

    summary = run_rows(session, rows, "username", dry_run, handle)
    if not dry_run:
        # Rows rolled back after their password was drawn have no user: keep only the created.
        made = set(session.exec(select(User.username).where(
            User.username.in_([p.username for p in passwords]))).all()) if passwords else set()
        summary.passwords = [p for p in passwords if p.username in made]
    return summary
