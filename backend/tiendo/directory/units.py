"""Units from a spreadsheet, through tiendo.units.service: a new code is created under its
parent (which may come earlier in the same file), a known code is updated or moved, a row
that matches what is there is skipped."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.directory.run import RowError, RowOutcome, run_rows
from tiendo.directory.schemas import DirectoryImportSummary
from tiendo.directory.sheet import Row, read_rows, template
from tiendo.units import service
from tiendo.units.models import Unit, UnitKind
from tiendo.units.schemas import UnitContact, UnitCreate, UnitUpdate

COLUMNS = ("code", "name", "kind", "parent", "opened_on", "head_name", "head_title", "gso_code",
           "contact_name", "contact_title", "contact_phone", "contact_email",
           "contact_zalo_phone")
REQUIRED = ("code", "name", "kind", "parent")
FIELDS = ("name", "kind", "head_name", "head_title", "gso_code")
CONTACT = ("name", "title", "phone", "email", "zalo_phone")
NOTES = {
    "code": "Mã ổn định, duy nhất (chữ, số, . _ -). Mã đã có: dòng sửa đơn vị đó.",
    "name": "Tên đơn vị",
    "kind": "Loại: " + ", ".join(k.value for k in UnitKind),
    "parent": "Mã đơn vị cấp trên (có thể là đơn vị ở dòng trước trong tệp); khác cấp trên "
              "hiện tại thì đơn vị được chuyển",
    "opened_on": "Ngày bắt đầu hoạt động, dd/mm/yyyy (chỉ với đơn vị mới; trống: hôm nay)",
    "head_name": "Họ tên thủ trưởng", "head_title": "Chức vụ thủ trưởng",
    "gso_code": "Mã đơn vị hành chính (Tổng cục Thống kê), chỉ gồm số",
    "contact_name": "Người báo cáo", "contact_title": "Chức vụ người báo cáo",
    "contact_phone": "Điện thoại (0912 345 678 hoặc +84 912 345 678)",
    "contact_email": "E-mail", "contact_zalo_phone": "Số Zalo",
}
EXAMPLE = {"code": "GL-X-DATON-T9", "name": "Thôn 9", "kind": "village", "parent": "GL-X-DATON",
           "opened_on": "01/01/2025", "contact_phone": "0912 345 678"}


def units_template() -> bytes:
    return template("Đơn vị", COLUMNS, NOTES, EXAMPLE)


def _date(text: str, field: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(field, "invalid_date", "Ngày dạng dd/mm/yyyy, ví dụ 01/07/2025.")


def _contact(row: Row, unit: Unit | None) -> UnitContact | None:
    """The contact in the row, over the unit's current one; None when nothing changes."""
    given = {k: row.cells[f"contact_{k}"] for k in CONTACT if f"contact_{k}" in row.cells}
    if not given:
        return None
    current = UnitContact.of(unit).model_dump() if unit is not None else {}
    contact = UnitContact.model_validate({**current, **given})
    return None if unit is not None and contact.model_dump() == current else contact


def import_units(session: Session, principal: Principal, data: bytes, dry_run: bool,
                 now: datetime) -> DirectoryImportSummary:
    rows = read_rows(data, COLUMNS, REQUIRED)

    def handle(row: Row) -> RowOutcome:
        c = row.cells
        unit = service.find_unit(session, c["code"]) if "code" in c else None
        if unit is None:
            opened = _date(c["opened_on"], "opened_on") if "opened_on" in c else None
            create = UnitCreate.model_validate(
                {k: c[k] for k in ("code", "name", "kind", "parent", *FIELDS) if k in c}
                | {"opened_on": opened})
            contact = _contact(row, None)
            created = service.create_unit(session, principal, create, now)
            if contact is not None:
                service.set_contact(session, principal, created.code, contact, now)
            return RowOutcome.created
        service.get_unit(session, principal, unit.code, Action.admin, field="code")
        parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
        # Blank cells leave a field as it is: an import adds and corrects, it never erases.
        changes = {k: c[k] for k in FIELDS if k in c and c[k] != (getattr(unit, k) or "")}
        if "parent" in c and (parent is None or c["parent"] != parent.code):
            changes["parent"] = c["parent"]
        contact = _contact(row, unit)
        if not changes and contact is None:
            return RowOutcome.skipped
        update = UnitUpdate.model_validate(changes)
        if changes:
            service.update_unit(session, principal, unit.code, update, now)
        if contact is not None:
            service.set_contact(session, principal, unit.code, contact, now)
        return RowOutcome.updated

    return run_rows(session, rows, "code", dry_run, handle)
