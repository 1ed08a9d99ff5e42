"""A reorganisation from a spreadsheet (`tiendo reorganize FILE.xlsx`): one row per
(old unit, new unit), for the hundreds of changes of a real resolution.

An old unit on one row without a share (or share 1) merges whole into its new unit (its users
and tokens go with it); on several rows, with shares summing to 1, it is split (its users and
tokens go to `roles_to` if given, else are revoked). A row whose new code is its old code
renames (new_name) and/or moves (parent) that unit. Name, kind and parent of a new unit are
given on at least one of its rows."""

from __future__ import annotations

from datetime import date

from tiendo.directory.sheet import read_rows, template
from tiendo.errors import Invalid
from tiendo.reorg.schemas import ReorganizationCreate

COLUMNS = ("old_code", "new_code", "new_name", "kind", "parent", "share", "roles_to")
NOTES = {
    "old_code": "Mã đơn vị cũ (trước sắp xếp)",
    "new_code": "Mã đơn vị mới; trùng mã cũ: chỉ đổi tên và/hoặc chuyển đơn vị cha",
    "new_name": "Tên đơn vị mới (ít nhất ở một dòng của đơn vị mới)",
    "kind": "Loại đơn vị mới: commune, agency, school, village…",
    "parent": "Mã đơn vị cha của đơn vị mới",
    "share": "Tỷ lệ của đơn vị cũ chuyển sang đơn vị mới (0–1; trống: cả đơn vị). "
             "Các tỷ lệ của một đơn vị cũ cộng lại bằng 1",
    "roles_to": "Khi chia tách: mã đơn vị mới nhận người dùng và mã tích hợp (trống: thu hồi)",
}
EXAMPLE = {"old_code": "GL-X-DATON", "new_code": "HN-X-BATTRANG", "new_name": "Xã Bát Tràng",
           "kind": "commune", "parent": "HN", "share": "0,8", "roles_to": "HN-X-BATTRANG"}


def reorg_template() -> bytes:
    return template("Sắp xếp đơn vị", COLUMNS, NOTES, EXAMPLE)


def _share(text: str, number: int) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise Invalid(f"Dòng {number}: tỷ lệ '{text}' không phải số.", field="share",
                      code="reorg_shares") from None
    return value


def request_of(data: bytes, effective_date: date, note: str = "") -> ReorganizationCreate:
    rows = read_rows(data, COLUMNS, ("old_code", "new_code"))
    by_old: dict[str, list] = {}
    changes: list[dict] = []
    for row in rows:
        c = row.cells
        if "old_code" not in c or "new_code" not in c:
            raise Invalid(f"Dòng {row.number}: cần cả mã cũ và mã mới.", field="old_code",
                          code="wrong_columns")
        if c["old_code"] == c["new_code"]:
            if c.get("new_name"):
                changes.append({"kind": "rename", "unit": c["old_code"], "name": c["new_name"]})
            if c.get("parent"):
                changes.append({"kind": "move", "unit": c["old_code"], "parent": c["parent"]})
            continue
        by_old.setdefault(c["old_code"], []).append(row)
    for old, mine in by_old.items():
        shares = [_share(r.cells.get("share", ""), r.number) for r in mine]
        split = len(mine) > 1 or (shares[0] is not None and shares[0] < 1)

        def to(row, share: float | None, split: bool = split) -> dict:  # noqa: ANN001
            c = row.cells
            return {"code": c["new_code"], "name": c.get("new_name"), "kind": c.get("kind"),
                    "parent": c.get("parent"), **({"share": share} if split else {})}

        roles_to = next((r.cells["roles_to"] for r in mine if r.cells.get("roles_to")), None)
        changes.append({"kind": "split" if split else "merge", "from": [old],
                        "to": [to(r, s) for r, s in zip(mine, shares, strict=True)],
                        "roles_to": roles_to if split else (roles_to or mine[0].cells["new_code"])})
    if not changes:
        raise Invalid("Tệp không có thay đổi nào.", field="file", code="empty_file")
    return ReorganizationCreate.model_validate({"effective_date": effective_date, "note": note,
                                                "changes": changes})
