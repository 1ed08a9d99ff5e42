"""Units and users imported from the .xlsx templates: the same rules as the API, a summary
with row-level conflicts, dry runs, bad files, and cells that look like formulas."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from conftest import assert_error

UNIT_HEAD = ["code", "name", "kind", "parent", "opened_on", "contact_phone"]
USER_HEAD = ["username", "full_name", "email", "phone", "role", "unit"]


def xlsx(*rows: list) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, headers, what: str, data: bytes, dry_run: bool = False):  # noqa: ANN001, ANN201
    return client.post(f"/api/v1/directory/{what}/import", headers=headers,
                       data={"dry_run": str(dry_run).lower()},
                       files={"file": ("t.xlsx", data, "application/octet-stream")})


def unit(client, headers, code: str) -> dict | None:  # noqa: ANN001
    r = client.get(f"/api/v1/units/{code}", headers=headers)
    return r.json() if r.status_code == 200 else None


def test_templates_have_the_columns_the_import_reads(client, auth):
    admin = auth("admin")
    for what, first in (("units", "code"), ("users", "username")):
        r = client.get(f"/api/v1/directory/{what}/template", headers=admin)
        assert r.status_code == 200, r.text
        assert "spreadsheetml" in r.headers["content-type"]
        wb = load_workbook(io.BytesIO(r.content))
        header = [c.value for c in wb.worksheets[0][1]]
        assert header[0] == first
        assert wb.worksheets[1].title == "Hướng dẫn"
        # The template itself, sent back empty, is a valid file with nothing in it.
        summary = upload(client, admin, what, r.content).json()
        assert (summary["rows"], summary["created"], summary["rejected"]) == (0, 0, 0)
    assert_error(client.get("/api/v1/directory/units/template", headers=auth("vanphong")), 403)


def test_units_import_creates_updates_skips_and_rejects(client, auth):
    admin = auth("admin")
    data = xlsx(
        UNIT_HEAD,
        ["GL-X-DATON-T8", "Thôn 8", "village", "GL-X-DATON", "01/02/2024", "0912 345 678"],
        # a parent created two lines above, in the same file
        ["GL-SCH-NEW", "Trường mầm non mới", "school", "HN-GL", "2024-08-01", None],
        ["GL-X-DATON-T8", "Thôn 8 (lần hai)", "village", "GL-X-DATON", None, None],
        ["GL-X-NEWV", "Thôn lạ", "village", "GL-NOWHERE", None, None],
        ["GL-X-BAD", "Sai loại", "village", "HN-GL", None, None],
        ["GL-X-DATON", "Xã Đa Tốn", "commune", "HN-GL", None, None],
        ["GL-X-BATTRANG", "Xã Bát Tràng (mới)", "commune", "HN-GL", None, "+84 987 654 321"],
        ["GL-X-PH", "Thôn có điện thoại sai", "village", "GL-X-DATON", None, "12345"],
        [None, None, None, None, None, None],
    )
    dry = upload(client, admin, "units", data, dry_run=True)
    assert dry.status_code == 200, dry.text
    d = dry.json()
    assert (d["dry_run"], d["created"], d["updated"], d["skipped"], d["rejected"]) == \
        (True, 2, 1, 1, 4)
    assert unit(client, admin, "GL-X-DATON-T8") is None  # a dry run writes nothing

    r = upload(client, admin, "units", data)
    s = r.json()
    assert (s["rows"], s["created"], s["updated"], s["skipped"], s["rejected"]) == (8, 2, 1, 1, 4)
    by_row = {c["row"]: c for c in s["conflicts"]}
    assert by_row[4]["code"] == "duplicate_in_file" and by_row[4]["key"] == "GL-X-DATON-T8"
    assert by_row[5]["field"] == "parent" and by_row[5]["code"] == "unit_not_found"
    assert by_row[6]["code"] == "invalid_parent"
    assert by_row[9]["field"] == "contact_phone" or by_row[9]["field"] == "phone"
    t8 = unit(client, admin, "GL-X-DATON-T8")
    assert t8["name"] == "Thôn 8" and t8["opened_on"] == "2024-02-01"
    assert t8["contact"]["phone"] == "0912345678"
    assert unit(client, admin, "GL-SCH-NEW")["opened_on"] == "2024-08-01"
    bt = unit(client, admin, "GL-X-BATTRANG")
    assert bt["name"] == "Xã Bát Tràng (mới)" and bt["contact"]["phone"] == "0987654321"
    assert unit(client, admin, "GL-X-PH") is None
    audit = client.get("/api/v1/audit", headers=admin, params={"action": "unit.create"}).json()
    assert {"GL-X-DATON-T8", "GL-SCH-NEW"} <= {e["detail"].get("code") for e in audit["data"]}
    # Sent again: everything there already is skipped, nothing is created twice.
    again = upload(client, admin, "units", data).json()
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 4)


def test_units_import_moves_a_unit_within_the_admins_subtree_only(client, auth):
    admin = auth("admin")
    data = xlsx(["code", "name", "kind", "parent"],
                ["GL-X-DATON-T1", "Thôn 1", "village", "GL-X-BATTRANG"])
    s = upload(client, admin, "units", data).json()
    assert s["updated"] == 1, s
    assert unit(client, admin, "GL-X-DATON-T1")["parent_id"] == \
        unit(client, admin, "GL-X-BATTRANG")["id"]
    # The commune's own admin cannot reach a unit outside it, nor create one there.
    client.post("/api/v1/users", headers=admin, json={
        "username": "dt-admin", "full_name": "Quản trị xã", "password": "mat-khau-dai-1",
        "roles": [{"role": "admin", "unit": "GL-X-DATON"}]})
    r = client.post("/api/v1/auth/token", data={"username": "dt-admin",
                                                "password": "mat-khau-dai-1"})
    commune = {"Authorization": f"Bearer {r.json()['access_token']}"}
    s = upload(client, commune, "units", xlsx(
        ["code", "name", "kind", "parent"],
        ["GL-X-DATON-T1", "Thôn 1", "village", "GL-X-DATON"],
        ["GL-NEW-AG", "Phòng mới", "agency", "HN-GL"])).json()
    assert s["rejected"] == 2 and s["created"] == s["updated"] == 0
    assert {c["code"] for c in s["conflicts"]} == {"unit_not_found"}


def test_formula_looking_cells_are_text(client, auth):
    admin = auth("admin")
    data = xlsx(["code", "name", "kind", "parent", "contact_phone", "contact_name"],
                ["GL-X-DATON-F1", "=1+2", "village", "GL-X-DATON", "+84 912 345 678",
                 "@Chị Hoa"],
                ["GL-X-DATON-F2", "-Thôn 2", "village", "GL-X-DATON", None, "+ghi chú"],
                ["=HYPERLINK(\"http://x\",\"a\")", "Tên", "village", "GL-X-DATON", None, None])
    s = upload(client, admin, "units", data).json()
    assert (s["created"], s["rejected"]) == (2, 1), s
    assert s["conflicts"][0]["field"] == "code"
    f1 = unit(client, admin, "GL-X-DATON-F1")
    assert f1["name"] == "=1+2"  # the formula's text, never 3
    assert f1["contact"]["phone"] == "0912345678" and f1["contact"]["name"] == "@Chị Hoa"
    assert unit(client, admin, "GL-X-DATON-F2")["name"] == "-Thôn 2"


def test_bad_files_are_refused_whole(client, auth):
    admin = auth("admin")
    e = assert_error(upload(client, admin, "units", xlsx(["code", "ten", "kind"],
                                                         ["A", "B", "village"])),
                     422, "wrong_columns", "file")
    assert e["details"][0]["missing"] == ["name", "parent"]
    assert e["details"][0]["unknown"] == ["ten"]
    assert_error(upload(client, admin, "users", xlsx(UNIT_HEAD)), 422, "wrong_columns")
    assert_error(upload(client, admin, "units", b"code,name\nA,B\n"), 422, "unreadable_file")
    assert_error(upload(client, admin, "units", b"PK\x03\x04broken"), 422, "unreadable_file")
    assert_error(upload(client, admin, "units", xlsx()), 422)
    many = xlsx(UNIT_HEAD, *[[f"GL-X-DATON-M{i}", "x", "village", "GL-X-DATON"]
                             for i in range(2001)])
    assert_error(upload(client, admin, "units", many), 422, "too_many_rows")
    big = b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024 + 10)
    assert_error(upload(client, admin, "units", big), 422, "file_too_large")
    assert unit(client, admin, "GL-X-DATON-M1") is None


def test_users_import_gives_new_users_a_password_shown_once(client, auth):
    admin = auth("admin")
    data = xlsx(
        USER_HEAD,
        ["daton.hoa", "Nguyễn Thị Hoa", "hoa@example.vn", "0912 345 678", "reporter",
         "GL-X-DATON"],
        ["Daton.Hoa", "Trùng tên", None, None, "viewer", "GL-X-DATON"],
        ["battrang", "Người báo cáo Bát Tràng", None, None, "viewer", "GL-X-DATON"],
        ["daton", None, None, None, "reporter", "GL-X-DATON"],
        ["x.unknown", "Đơn vị lạ", None, None, "reporter", "GL-NOWHERE"],
        ["x.role", "Vai trò lạ", None, None, "boss", "GL-X-DATON"],
        ["=cmd|' /C calc'!A0", "Công thức", None, None, "reporter", "GL-X-DATON"],
        ["x.nopass", "Không mật khẩu", "not-an-email", None, "reporter", "GL-X-DATON"],
    )
    d = upload(client, admin, "users", data, dry_run=True).json()
    assert d["passwords"] == [] and d["created"] == 1
    r = upload(client, admin, "users", data)
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["created"], s["updated"], s["skipped"], s["rejected"]) == (1, 1, 1, 5), s
    codes = {c["row"]: c["code"] for c in s["conflicts"]}
    assert codes[3] == "duplicate_in_file"
    assert codes[6] == "unit_not_found"  # the unit of the role
    assert codes[7] == codes[8] == codes[9] == "validation_error"
    [new] = s["passwords"]
    assert new["username"] == "daton.hoa" and len(new["password"]) >= 12
    login = client.post("/api/v1/auth/token", data={"username": "daton.hoa",
                                                    "password": new["password"]})
    assert login.status_code == 200
    me = client.get("/api/v1/auth/me",
                    headers={"Authorization": f"Bearer {login.json()['access_token']}"}).json()
    assert [(r["role"], r["unit"]) for r in me["roles"]] == [("reporter", "GL-X-DATON")]
    # The existing reporter of Bát Tràng gained a viewer role on Đa Tốn, kept the old one.
    users = client.get("/api/v1/users", headers=admin, params={"q": "battrang"}).json()["data"]
    assert {(r["role"], r["unit"]) for r in users[0]["roles"]} >= {("viewer", "GL-X-DATON")}
    assert len(users[0]["roles"]) == 2
    # The password is nowhere but in that one answer.
    audit = client.get("/api/v1/audit", headers=admin, params={"action": "user.create"})
    assert new["password"] not in audit.text


def test_unit_pickers_search_by_name_or_code(client, auth):
    admin = auth("admin")
    # Vietnamese capitals fold on SQLite too ("Đa" matches "đa").
    by_name = client.get("/api/v1/units", headers=admin, params={"q": "đa tốn"}).json()["data"]
    assert "GL-X-DATON" in {u["code"] for u in by_name}
    by_code = client.get("/api/v1/units", headers=admin, params={"q": "x-daton-t1"}).json()
    assert {u["code"] for u in by_code["data"]} == {"GL-X-DATON-T1"}
    # A reporter of Đa Tốn finds nothing outside it.
    other = client.get("/api/v1/units", headers=auth("daton"), params={"q": "battrang"}).json()
    assert other["count"] == 0
