"""Spreadsheet import (.xlsx, .csv) and the template a unit downloads to fill in."""

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from conftest import assert_error
from factories import new_unit

LIVE = "ihanoi-live"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, headers, content: bytes, name: str = "bao-cao.xlsx", **form):
    return client.post("/api/v1/reports/import", headers=headers,
                       files={"file": (name, content, XLSX if name.endswith("xlsx")
                                       else "text/csv")},
                       data={"campaign": LIVE, "period": "2024-W36", **form})


@pytest.fixture
def schools(client, auth):
    admin = auth("admin")
    return [new_unit(client, admin, kind="school", parent="GL-X-DATON")["code"]
            for _ in range(3)]


def test_xlsx_import_gives_the_bulk_summary(client, auth, schools):
    daton = auth("daton")
    a, b, c = schools
    content = xlsx([
        ["unit", "unit_name", "staff_total", "staff_installed", "note"],
        [a, "Trường thử", 40, 30, None],
        [b, None, "bốn mươi", 3, None],
        ["GL-X-BATTRANG", None, 5, 1, None],
        [None, None, None, None, None],
        [c, None, 12.0, "2", "số mới"],
        ["GL-X-DATON", "Xã Đa Tốn", None, "", "chưa có số"],
    ])
    r = upload(client, daton, content)
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["total"], s["created"], s["updated"], s["unchanged"], s["skipped"],
            s["rejected"]) == (5, 2, 0, 0, 1, 2)
    assert [(x["index"], x["unit"], x["code"], x["field"]) for x in s["conflicts"]] == [
        (3, b, "not_an_integer", "values.staff_total"),
        (4, "GL-X-BATTRANG", "unit_not_found", "unit")]
    got = client.get("/api/v1/reports", headers=daton, params={"unit": c}).json()["data"][0]
    assert got["values"] == {"staff_total": 12, "staff_installed": 2}
    assert got["source"] == "import" and got["note"] == "số mới"
    kept = client.get("/api/v1/imports", headers=auth("admin")).json()["data"][0]
    assert (kept["source"], kept["filename"], kept["created"], kept["skipped"]) == (
        "import", "bao-cao.xlsx", 2, 1)
    assert reports_of(client, daton, "GL-X-DATON", "2024-W36") == []
    again = upload(client, daton, content).json()
    assert (again["created"], again["unchanged"], again["skipped"], again["rejected"]) == (
        0, 2, 1, 2)


def test_csv_import_with_semicolons_and_thousands(client, auth, schools):
    content = ("\ufeffunit;staff_total;staff_installed\n"
               f"{schools[0]};1.200;1.150\n").encode()
    s = upload(client, auth("daton"), content, "bao-cao.csv", dry_run="true").json()
    assert (s["created"], s["dry_run"]) == (1, True)
    assert client.get("/api/v1/reports", headers=auth("daton"),
                      params={"unit": schools[0]}).json()["count"] == 0
    s = upload(client, auth("daton"), content, "bao-cao.csv").json()
    got = client.get("/api/v1/reports", headers=auth("daton"), params={"unit": schools[0]})
    assert got.json()["data"][0]["values"] == {"staff_total": 1200, "staff_installed": 1150}


@pytest.mark.parametrize(("content", "code"), [
    (b"unit,staff_total,staff_installd\nX,1,1\n", "unknown_column"),
    (b"unit,staff_total,staff_total\nX,1,2\n", "duplicate_column"),
    ("Mã đơn vị,Tổng số\nX,1\n".encode(), "missing_unit_column"),
    (b"don_vi,staff_total\nX,1\n", "missing_unit_column"),
    (b"PK\x03\x04 not really a workbook", "unreadable_file"),
    ("unit,staff_total\nX,1\n".encode("utf-16"), "unreadable_file"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(client, auth, content, code):
    assert_error(upload(client, auth("daton"), content, "x.csv"), 422, code, "file")


def reports_of(client, headers, unit: str, period: str) -> list[dict]:
    return client.get("/api/v1/reports", headers=headers, params={
        "unit": unit, "campaign": LIVE, "period": period}).json()["data"]


def template(client, headers, **params):
    r = client.get("/api/v1/reports/import-template", headers=headers,
                   params={"campaign": LIVE, **params})
    assert r.status_code == 200, r.text
    return r


def test_csv_template_has_empty_values_and_last_week_apart(client, auth):
    daton = auth("daton")
    r = template(client, daton, format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="ihanoi-live-2024-W36.csv"' in r.headers["content-disposition"]
    names, codes, *rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert codes == ["unit", "unit_name", "staff_total", "staff_installed", "residents_accounts",
                     "broadcasts", "posters", "meetings", "note", "last_week:period",
                     "last_week:staff_total", "last_week:staff_installed",
                     "last_week:residents_accounts"]
    assert names[:4] == ["Mã đơn vị", "Tên đơn vị", "Tổng số CBCCVC, NLĐ",
                         "Số CBCCVC, NLĐ đã cài đặt iHanoi"]
    assert names[9:11] == ["Tuần trước (2024-W35): báo cáo gần nhất",
                           "Tuần trước: Tổng số CBCCVC, NLĐ"]
    assert [row[0] for row in rows] == ["GL-X-DATON"]
    assert rows[0][2:9] == [""] * 7  # nothing to send back by accident
    last = reports_of(client, daton, "GL-X-DATON", "2024-W35")[0]["values"]
    assert rows[0][9] == "2024-W35"
    assert {c.removeprefix("last_week:"): int(v) for c, v in zip(codes[10:], rows[0][10:],
                                                                 strict=True)} == {
        k: last[k] for k in ("staff_total", "staff_installed", "residents_accounts")}
    # Sent back untouched, it invents nothing: the unit's row is skipped.
    s = upload(client, daton, r.content, "mau.csv").json()
    assert (s["total"], s["created"], s["updated"], s["unchanged"], s["skipped"],
            s["rejected"]) == (1, 0, 0, 0, 1, 0)
    assert reports_of(client, daton, "GL-X-DATON", "2024-W36") == []


def test_xlsx_template_for_the_district_imports_as_nothing(client, auth):
    manager = auth("vanphong")
    r = template(client, manager, period="2024-W35")
    assert r.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.title == "2024-W35"
    names, codes, *rows = list(ws.iter_rows(values_only=True))
    assert names[:3] == ("Mã đơn vị", "Tên đơn vị", "Tổng số CBCCVC, NLĐ")
    assert codes[:4] == ("unit", "unit_name", "staff_total", "staff_installed")
    assert len(rows) == 139
    assert all(v is None for row in rows for v in row[2:9])
    # Last week's figures, carried forward from an older week for a unit that skipped it.
    w34 = {r["unit"] for r in client.get("/api/v1/reports", headers=manager, params={
        "campaign": LIVE, "period": "2024-W34", "limit": 500}).json()["data"]}
    assert {row[0] for row in rows if row[9] == "2024-W34"} == w34
    assert {row[9] for row in rows} - {"2024-W34"} == {"2024-W33", None}
    # Only the value cells a unit reports and the note can be typed in; the rest is locked,
    # and last week's columns are grey.
    assert ws.protection.sheet
    school = next(n for n, row in enumerate(rows, start=3) if row[0].startswith("GL-MN-"))
    residents = codes.index("residents_accounts") + 1
    assert not ws.cell(school, 3).protection.locked and not ws.cell(school, 9).protection.locked
    assert ws.cell(school, residents).protection.locked  # schools count no residents
    for column in range(10, len(codes) + 1):
        assert ws.cell(school, column).protection.locked
        assert ws.cell(school, column).fill.start_color.rgb == ws.cell(1, column).fill.start_color.rgb
        assert ws.cell(1, column).fill.fill_type == "solid"
    assert all(ws.cell(n, 1).protection.locked for n in (1, 2, school))
    before = client.get("/api/v1/reports", headers=manager, params={"campaign": LIVE}).json()
    for dry_run in ("true", "false"):
        s = upload(client, manager, r.content, "mau.xlsx", period="2024-W35",
                   dry_run=dry_run).json()
        assert (s["total"], s["created"], s["updated"], s["unchanged"], s["skipped"],
                s["rejected"]) == (139, 0, 0, 0, 139, 0)
    assert client.get("/api/v1/reports", headers=manager,
                      params={"campaign": LIVE}).json() == before
    assert_error(client.get("/api/v1/reports/import-template", headers=auth("lanhdao"),
                            params={"campaign": LIVE}), 403)


def test_last_week_columns_are_ignored_even_when_edited(client, auth):
    daton = auth("daton")
    wb = load_workbook(io.BytesIO(template(client, daton).content))
    ws = wb.active
    codes = [c.value for c in ws[2]]
    col = {c: n for n, c in enumerate(codes, start=1)}
    for code in codes:
        if code.startswith("last_week:"):
            ws.cell(3, col[code]).value = "=1/0" if code.endswith("period") else 999_999_999
    ws.cell(4, col["unit"]).value = "GL-X-DATON-X"  # a second row with only last week's cells
    ws.cell(4, col["last_week:staff_total"]).value = 5
    out = io.BytesIO()
    wb.save(out)
    s = upload(client, daton, out.getvalue()).json()
    assert (s["created"], s["skipped"], s["rejected"]) == (0, 2, 0)
    last = reports_of(client, daton, "GL-X-DATON", "2024-W35")[0]["values"]
    more = {**last, "staff_installed": last["staff_installed"] + 1}
    for code, value in more.items():
        ws.cell(3, col[code]).value = value
    out = io.BytesIO()
    wb.save(out)
    s = upload(client, daton, out.getvalue()).json()
    assert (s["created"], s["skipped"], s["rejected"]) == (1, 1, 0), s
    assert reports_of(client, daton, "GL-X-DATON", "2024-W36")[0]["values"] == more


def _with_cached_result(content: bytes, formula: str, cached: str) -> bytes:
    """The workbook as Excel saves it: the formula with the result it computed."""
    src, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                # openpyxl writes the empty value as <v />, <v/> or <v></v> (with or without lxml)
                for empty in ("<v />", "<v/>", "<v></v>"):
                    data = data.replace(f"<f>{formula}</f>{empty}".encode(),
                                        f"<f>{formula}</f><v>{cached}</v>".encode())
                assert f"<v>{cached}</v>".encode() in data
            dst.writestr(info, data)
    return out.getvalue()


def test_formulas_are_not_evaluated(client, auth, schools):
    daton = auth("daton")
    a, b, _ = schools
    book = _with_cached_result(xlsx([["unit", "staff_total", "staff_installed"],
                                     [a, "=SUM(20,20)", 10], [b, 40, "=1+1"]]), "1+1", "2")
    s = upload(client, daton, book).json()
    assert [(c["index"], c["code"], c["field"]) for c in s["conflicts"]] == [
        (2, "not_an_integer", "values.staff_total"), (3, "not_an_integer", "values.staff_installed")]
    assert "công thức" in s["conflicts"][0]["message"]
    text = f"unit,staff_total,staff_installed\n{a},=2+3,1\n{b},\"=HYPERLINK(\"\"x\"\")\",1\n"
    s = upload(client, daton, text.encode(), "bao-cao.csv").json()
    assert (s["created"], s["rejected"]) == (0, 2)
    assert reports_of(client, daton, a, "2024-W36") == reports_of(client, daton, b, "2024-W36") == []


def test_import_strategy(client, auth):
    daton = auth("daton")
    last = reports_of(client, daton, "GL-X-DATON", "2024-W35")[0]
    more = {**last["values"], "staff_installed": last["values"]["staff_installed"] + 1}
    content = (f"unit,{','.join(more)},note\n"
               f"GL-X-DATON,{','.join(map(str, more.values()))},đối chiếu lại\n").encode()
    form = {"period": "2024-W35"}
    s = upload(client, daton, content, "bao-cao.csv", **form).json()
    assert [(c["index"], c["code"]) for c in s["conflicts"]] == [(2, "report_exists")]
    assert reports_of(client, daton, "GL-X-DATON", "2024-W35")[0] == last
    s = upload(client, daton, content, "bao-cao.csv", strategy="create_and_update", **form).json()
    assert (s["updated"], s["rejected"], s["strategy"]) == (1, 0, "create_and_update")
    got = reports_of(client, daton, "GL-X-DATON", "2024-W35")[0]
    assert (got["version"], got["values"]) == (last["version"] + 1, more)
    assert_error(upload(client, daton, content, "bao-cao.csv", strategy="replace"), 422,
                 field="strategy")
