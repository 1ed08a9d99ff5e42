"""The weekly report to the city, read back from the files and compared with the API."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from conftest import assert_error
from factories import new_unit, staff_report

HN = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER_ROW = 9


@pytest.fixture
def manager(auth):
    return auth("vanphong")


def export(client, headers, fmt, **params):
    r = client.get(f"/api/v1/exports/weekly-report.{fmt}", headers=headers,
                   params={"campaign": "ihanoi-2024", **params})
    assert r.status_code == 200, r.text
    return r


def progress(client, headers, **params):
    r = client.get("/api/v1/progress", headers=headers,
                   params={"campaign": "ihanoi-2024", **params})
    assert r.status_code == 200, r.text
    return {t["code"]: t for t in r.json()["targets"]}


def sheet_rows(ws):
    """Unit rows (integer STT) and the total row of a sheet, as dicts by unit name."""
    units, total = {}, None
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        stt, name, den, num, rate, remaining, status, received, note = row[:9]  # + propaganda
        record = {"denominator": den, "numerator": num, "rate": rate, "remaining": remaining,
                  "status": status, "received": received, "note": note}
        if isinstance(stt, int):
            units[name] = record
        elif name == "TỔNG CỘNG":
            total = record
    return units, total


def test_xlsx_holds_the_api_figures_and_is_ready_to_print(client, manager):
    r = export(client, manager, "xlsx", period="2024-W33")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-tuan-ihanoi-2024-2024-W33-HN-GL.xlsx" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    api = progress(client, manager, period="2024-W33")
    assert len(wb.worksheets) == len(api) == 2
    for ws, code in zip(wb.worksheets, ("staff", "residents"), strict=True):
        t = api[code]
        assert ws["A1"].value == "UBND HUYỆN GIA LÂM"
        assert ws["D1"].value == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        texts = [ws.cell(row, 1).value for row in range(1, HEADER_ROW)]
        assert "Số liệu tính đến 18/08/2024 23:59" in texts  # the last minute of W33
        assert f"Chỉ tiêu: {t['name']} (hạn {datetime.fromisoformat(t['deadline']):%d/%m/%Y})" \
            in texts
        assert ws.cell(HEADER_ROW, 1).value == "STT"
        units, total = sheet_rows(ws)
        assert (total["denominator"], total["numerator"], total["remaining"]) == \
            (t["denominator"], t["numerator"], t["remaining"])
        assert round(total["rate"], 3) == t["ratio"]
        # Every unit of the district is a direct child of it: one row each, same figures.
        assert len(units) == len(t["children"]) == t["units_expected"]
        for child in t["children"]:
            row = units[child["unit_name"]]
            if row["numerator"] == "—":  # never reported: shown as a dash
                assert child["numerator"] == 0 and child["last_period"] is None
                continue
            assert (row["denominator"] or 0, row["numerator"]) == (child["denominator"],
                                                                    child["numerator"])
        # Print setup: the whole table, landscape A4, one page wide, header on every page.
        # the nine columns of the table and the three propaganda counts (I → L)
        assert ws.print_area.endswith(f"$A$1:$L${ws.max_row}")
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    resident_groups = [ws.cell(row, 2).value for row in range(HEADER_ROW + 1, ws.max_row)
                    if ws.cell(row, 1).value in ("I", "II")]
    assert resident_groups == ["UBND các xã, thị trấn"]  # residents: communes only


def test_reporting_status_and_dates_for_each_unit(client, manager, auth, clock):
    admin = auth("admin")
    parent = new_unit(client, admin, "agency")
    early = new_unit(client, admin, "public_service", parent=parent["code"])
    late = new_unit(client, admin, "public_service", parent=parent["code"])
    stale = new_unit(client, admin, "school", parent=parent["code"])
    clock.set(datetime(2024, 8, 15, 14, 59, tzinfo=HN))
    client.post("/api/v1/reports", headers=admin, json=staff_report(early["code"], "2024-W33"))
    client.post("/api/v1/reports", headers=admin,
                json=staff_report(stale["code"], "2024-W32", 20, 10))
    clock.set(datetime(2024, 8, 16, 9, 30, tzinfo=HN))
    client.post("/api/v1/reports", headers=admin,
                json=staff_report(late["code"], "2024-W33", 10, 10))
    wb = openpyxl.load_workbook(io.BytesIO(export(
        client, manager, "xlsx", period="2024-W33", under=parent["code"]).content))
    (ws,) = wb.worksheets
    assert ws["A1"].value == f"UBND {parent['name'].upper()}"
    assert "Số liệu tính đến 16/08/2024 09:30" in [ws.cell(r, 1).value for r in range(1, 9)]
    units, total = sheet_rows(ws)
    assert units[early["name"]]["status"] == "đúng hạn"
    assert units[early["name"]]["received"] == datetime(2024, 8, 15, 14, 59)
    assert ws.cell(HEADER_ROW + 2, 8).number_format == "dd/mm/yyyy hh:mm"
    assert units[late["name"]]["status"] == "muộn"
    assert (units[late["name"]]["rate"], units[late["name"]]["remaining"]) == (1, 0)
    assert units[stale["name"]]["status"] == "chưa nộp"
    assert units[stale["name"]]["note"] == "Dùng số liệu tuần 2024-W32"
    assert units[stale["name"]]["received"] is None
    assert units[parent["name"]]["status"] == "chưa nộp"
    assert units[parent["name"]]["note"] == "Chưa có số liệu"
    # No figures at all: dashes, not "còn lại 0".
    assert [units[parent["name"]][k] for k in ("denominator", "numerator", "rate",
                                                "remaining")] == ["—"] * 4
    assert (total["denominator"], total["numerator"], total["status"]) == (70, 50, "2/4 đã nộp")
    groups = [ws.cell(r, 2).value for r in range(HEADER_ROW + 1, ws.max_row)
              if ws.cell(r, 1).value in ("I", "II", "III")]
    assert groups == ["Cơ quan chuyên môn", "Đơn vị sự nghiệp công lập", "Trường học"]


def test_csv_is_the_same_table_in_utf8_with_bom(client, manager):
    r = export(client, manager, "csv", period="2024-W33")
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    api = progress(client, manager, period="2024-W33")
    for code, t in api.items():
        mine = [row for row in rows if row["Chỉ tiêu"] == code]
        units, total = mine[:-1], mine[-1]
        assert total["Đơn vị"] == "TỔNG CỘNG"
        assert (int(total["Tổng số"]), int(total["Đã đạt"]), int(total["Còn lại"])) == \
            (t["denominator"], t["numerator"], t["remaining"])
        assert total["Tỷ lệ (%)"] == f"{t['numerator'] / t['denominator'] * 100:.1f}" \
            .replace(".", ",")
        by_code = {row["Mã đơn vị"]: row for row in units}
        assert len(by_code) == len(t["children"])
        for child in t["children"]:
            row = by_code[child["unit"]]
            assert int(row["Đã đạt"]) == child["numerator"]
            assert int(row["Tổng số"] or 0) == child["denominator"]
    statuses = {row["Tình trạng báo cáo"] for row in rows if row["Mã đơn vị"]}
    assert statuses == {"đúng hạn", "muộn", "chưa nộp"}
    assert "Đa Tốn" in r.content.decode("utf-8-sig")


def test_the_current_week_is_as_of_now(client, manager):
    ws = openpyxl.load_workbook(io.BytesIO(export(
        client, manager, "xlsx", campaign="ihanoi-live").content)).worksheets[0]
    texts = [ws.cell(r, 1).value for r in range(1, HEADER_ROW)]
    assert "Số liệu tính đến 05/09/2024 10:00" in texts
    assert "Tuần 36 (từ 02/09/2024 đến 08/09/2024)" in texts  # the week as its dates


def test_titles_and_sheet_names_are_written_as_they_are(client, manager):
    wb = openpyxl.load_workbook(io.BytesIO(export(client, manager, "xlsx",
                                                  period="2024-W33").content))
    # Full names (Excel allows 31 characters): cut at a word, never "…cài đặt iHa".
    assert wb.sheetnames == ["100% CBCCVC, NLĐ cài đặt iHanoi", "100% người dân tạo tài khoản…"]
    texts = [wb.worksheets[0].cell(r, 1).value for r in range(1, HEADER_ROW)]
    assert "BÁO CÁO TIẾN ĐỘ" in texts
    assert "Cài đặt iHanoi 2024 (dữ liệu demo)" in texts  # not "CÀI ĐẶT IHANOI"
    assert not any("IHANOI" in (t or "") for t in texts)


def test_only_managers_export(client, auth):
    for user in ("daton", "lanhdao"):
        r = client.get("/api/v1/exports/weekly-report.xlsx", headers=auth(user),
                       params={"campaign": "ihanoi-2024"})
        assert_error(r, 403)
    assert_error(client.get("/api/v1/exports/weekly-report.csv",
                            params={"campaign": "ihanoi-2024"}), 401)
    r = client.get("/api/v1/exports/weekly-report.csv", headers=auth("vanphong"),
                   params={"campaign": "ihanoi-2024", "period": "2024-W99"})
    assert_error(r, 422, "invalid_period", "period")


def test_official_count_against_the_week_it_was_observed_in(client, manager):
    w30 = progress(client, manager, period="2024-W30")["residents"]["numerator"]
    reported = f"{w30:,}".replace(",", ".")
    sentence = (f"Số liệu chính thức ngày 23/07 (tuần 30): 2.850 — các đơn vị báo cáo tuần đó: "
                f"{reported} (nguồn: HANOI EIC)")
    rows = list(csv.DictReader(io.StringIO(
        export(client, manager, "csv", period="2024-W35").content.decode("utf-8-sig"))))
    totals = {row["Chỉ tiêu"]: row for row in rows if row["Đơn vị"] == "TỔNG CỘNG"}
    assert totals["residents"]["Ghi chú"] == sentence
    assert totals["staff"]["Ghi chú"] == ""  # no outside count for staff
    wb = openpyxl.load_workbook(io.BytesIO(export(client, manager, "xlsx",
                                                  period="2024-W35").content))
    cells = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert sentence in cells


def test_propaganda_metrics_are_columns_with_each_units_figure(client, manager):
    """Broadcasts, posters and meetings (no target uses them) sit beside the targets' figures,
    each unit's as of the week (its latest report at or before it), '—' / empty where the
    unit does not report them, summed in the total."""
    rows = list(csv.DictReader(io.StringIO(
        export(client, manager, "csv", period="2024-W33").content.decode("utf-8-sig"))))
    labels = ["Số buổi phát thanh tuyên truyền", "Số pano, áp phích có mã QR",
              "Số cuộc họp thôn, tổ dân phố có tuyên truyền"]
    assert all(label in rows[0] for label in labels)
    daton = next(r for r in rows if r["Mã đơn vị"] == "GL-X-DATON" and r["Chỉ tiêu"] == "residents")
    report = client.get("/api/v1/reports", headers=manager, params={
        "campaign": "ihanoi-2024", "unit": "GL-X-DATON", "limit": 50}).json()["data"]
    latest = max((r for r in report if r["period"] <= "2024-W33"), key=lambda r: r["period"])
    assert int(daton[labels[0]]) == latest["values"]["broadcasts"]
    assert int(daton[labels[2]]) == latest["values"]["meetings"]
    school = next(r for r in rows if r["Chỉ tiêu"] == "staff" and r["Nhóm"] == "Trường học")
    assert school[labels[2]] == ""  # schools do not hold village meetings
    staff = [r for r in rows if r["Chỉ tiêu"] == "residents"]
    assert int(staff[-1][labels[0]]) == sum(int(r[labels[0]] or 0) for r in staff[:-1])
    wb = openpyxl.load_workbook(io.BytesIO(export(client, manager, "xlsx",
                                                  period="2024-W33").content))
    header = [c.value for c in wb.worksheets[0][9]]  # the heading row
    assert labels[0] in header


def csv_rows(client, headers, **params) -> list[dict]:
    return list(csv.DictReader(io.StringIO(
        export(client, headers, "csv", **params).content.decode("utf-8-sig"))))


def test_a_row_per_child_with_its_subtree_and_depth_two_for_one_more_level(client, auth, clock):
    """#14: a district lists its children, a child's row is its whole subtree (the progress
    child's figures) with "sent/expected"; depth=2 puts each child's own rows beneath it."""
    admin = auth("admin")
    parent = new_unit(client, admin, "agency")
    kids = [new_unit(client, admin, "public_service", parent=parent["code"]) for _ in range(2)]
    clock.set(datetime(2024, 8, 15, 14, 0, tzinfo=HN))
    assert client.post("/api/v1/reports", headers=admin, json=staff_report(
        kids[0]["code"], "2024-W33", 10, 4)).status_code == 201
    rows = [r for r in csv_rows(client, admin, period="2024-W33", under="HN-GL")
            if r["Chỉ tiêu"] == "staff"]
    api = progress(client, admin, period="2024-W33", under="HN-GL")["staff"]
    units, total = rows[:-1], rows[-1]
    assert [r["Mã đơn vị"] for r in units] == [c["unit"] for c in sorted(
        api["children"], key=lambda c: c["unit_id"])] or {r["Mã đơn vị"] for r in units} == {
        c["unit"] for c in api["children"]}
    mine = next(r for r in units if r["Mã đơn vị"] == parent["code"])
    assert (mine["Tổng số"], mine["Đã đạt"]) == ("10", "4")  # the agency and its two units
    assert mine["Tình trạng báo cáo"] == "1/3 đã nộp"
    assert mine["Ghi chú"] == "2 đơn vị chưa có số liệu"
    assert int(total["Đã đạt"]) == api["numerator"] and total["Tình trạng báo cáo"] == \
        f"{sum(int(r['Tình trạng báo cáo'].split('/')[0]) if '/' in r['Tình trạng báo cáo'] else r['Tình trạng báo cáo'] in ('đúng hạn', 'muộn') for r in units)}/{api['units_expected']} đã nộp"  # noqa: E501

    deep = [r for r in csv_rows(client, admin, period="2024-W33", under="HN-GL", depth=2)
            if r["Chỉ tiêu"] == "staff"]
    at = next(i for i, r in enumerate(deep) if r["Mã đơn vị"] == parent["code"])
    stt = deep[at]["STT"]
    beneath = deep[at + 1:at + 4]
    assert [r["STT"] for r in beneath] == [f"{stt}.1", f"{stt}.2", f"{stt}.3"]
    assert [r["Mã đơn vị"] for r in beneath] == [parent["code"], kids[0]["code"], kids[1]["code"]]
    assert [r["Tình trạng báo cáo"] for r in beneath] == ["chưa nộp", "đúng hạn", "chưa nộp"]
    assert beneath[1]["Đã đạt"] == "4"
    # The sub-rows are the child's own export; totals do not count them twice.
    theirs = [r for r in csv_rows(client, admin, period="2024-W33", under=parent["code"])
              if r["Chỉ tiêu"] == "staff"]
    assert [(r["Mã đơn vị"], r["Đã đạt"]) for r in theirs[:-1]] == \
        [(r["Mã đơn vị"], r["Đã đạt"]) for r in beneath]
    assert deep[-1]["Đã đạt"] == total["Đã đạt"] and deep[-1]["Tổng số"] == total["Tổng số"]
    assert len([r for r in deep if "." not in r["STT"] and r["STT"]]) == len(units)


def test_subtotals_by_kind_add_up_to_the_total(client, manager):
    wb = openpyxl.load_workbook(io.BytesIO(export(client, manager, "xlsx", period="2024-W33")
                                           .content))
    for ws in wb.worksheets:
        groups, rows, current = {}, [], None
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            stt, name, num = ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 4).value
            if stt in ("I", "II", "III", "IV", "V", "VI", "VII"):
                current = name
                groups[current] = [num, 0, ws.cell(r, 7).value]
            elif isinstance(stt, int):
                groups[current][1] += 0 if num == "—" else num
                rows.append(num)
            elif name == "TỔNG CỘNG":
                assert num == sum(g[0] for g in groups.values())
        assert all(sub == listed for sub, listed, _ in groups.values()), groups
        assert all(status.endswith(" đã nộp") for _, _, status in groups.values())


@pytest.mark.parametrize("depth", ["0", "3", "x"])
def test_depth_is_one_or_two(client, manager, depth):
    r = client.get("/api/v1/exports/weekly-report.csv", headers=manager,
                   params={"campaign": "ihanoi-2024", "depth": depth})
    assert_error(r, 422, "validation_error", "depth")
