"""Spreadsheet import (.xlsx, .csv) and the template a unit downloads to fill in."""

import csv
import io

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
    ])
    r = upload(client, daton, content)
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["total"], s["created"], s["updated"], s["unchanged"], s["rejected"]) == (
        4, 2, 0, 0, 2)
    assert [(x["index"], x["unit"], x["code"], x["field"]) for x in s["conflicts"]] == [
        (3, b, "not_an_integer", "values.staff_total"),
        (4, "GL-X-BATTRANG", "unit_not_found", "unit")]
    got = client.get("/api/v1/reports", headers=daton, params={"unit": c}).json()["data"][0]
    assert got["values"] == {"staff_total": 12, "staff_installed": 2}
    assert got["source"] == "import" and got["note"] == "số mới"
    kept = client.get("/api/v1/imports", headers=auth("admin")).json()["data"][0]
    assert (kept["source"], kept["filename"], kept["created"]) == ("import", "bao-cao.xlsx", 2)
    again = upload(client, daton, content).json()
    assert (again["created"], again["unchanged"], again["rejected"]) == (0, 2, 2)


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
    (b"don_vi,staff_total\nX,1\n", "missing_unit_column"),
    (b"PK\x03\x04 not really a workbook", "unreadable_file"),
    ("unit,staff_total\nX,1\n".encode("utf-16"), "unreadable_file"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(client, auth, content, code):
    assert_error(upload(client, auth("daton"), content, "x.csv"), 422, code, "file")


def test_template_lists_the_units_with_their_latest_values(client, auth):
    daton = auth("daton")
    r = client.get("/api/v1/reports/import-template", headers=daton,
                   params={"campaign": LIVE, "format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="ihanoi-live-2024-W36.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["unit", "unit_name", "staff_total", "staff_installed",
                       "residents_accounts", "broadcasts", "posters", "meetings", "note"]
    assert [row[0] for row in rows[1:]] == ["GL-X-DATON"]
    latest = client.get("/api/v1/reports", headers=daton, params={
        "unit": "GL-X-DATON", "campaign": LIVE, "limit": 1}).json()["data"][0]["values"]
    assert {k: int(v) for k, v in zip(rows[0][2:8], rows[1][2:8], strict=True)} == latest
    # Sending the template back as it came changes nothing, or reports this week's figures.
    s = upload(client, daton, r.content, "mau.csv").json()
    assert s["rejected"] == 0 and s["created"] + s["unchanged"] == 1


def test_xlsx_template_for_the_district(client, auth):
    r = client.get("/api/v1/reports/import-template", headers=auth("vanphong"),
                   params={"campaign": LIVE, "period": "2024-W35"})
    assert r.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.title == "2024-W35"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("unit", "unit_name", "staff_total", "staff_installed")
    assert len(rows) - 1 == 139
    schools = [row for row in rows[1:] if row[0].startswith("GL-MN-")]
    assert schools and all(row[4] is None for row in schools)  # schools count no residents
    assert_error(client.get("/api/v1/reports/import-template", headers=auth("lanhdao"),
                            params={"campaign": LIVE}), 403)
