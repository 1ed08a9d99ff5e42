"""The district office (vanphong, manager of HN-GL): late and missing units, review, lock,
export."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from browser.helpers import login, shoot
from browser.server import current_week


def _week_label(week: str) -> str:
    return f"Tuần {int(week[-2:])} ("


def _previous_week() -> str:
    from datetime import date

    year, week = int(current_week()[:4]), int(current_week()[-2:])
    monday = date.fromisocalendar(year, week, 1)
    y, w, _ = date.fromordinal(monday.toordinal() - 7).isocalendar()
    return f"{y}-W{w:02d}"


def test_manager_menu_and_reports_waiting_for_review(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    expect(page.get_by_role("banner")).to_contain_text("Huyện Gia Lâm")
    shoot(page, "overview-manager")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Quản trị")).to_have_count(0)
    nav.get_by_role("link", name="Quản lý báo cáo").click()
    review = page.get_by_role("region", name=re.compile("Báo cáo chờ duyệt"))
    approve = review.get_by_role("button", name=re.compile("^Duyệt báo cáo của "))
    expect(approve.first).to_be_visible()
    expect(page.get_by_label("Kỳ báo cáo")).to_contain_text(_week_label(current_week()))
    shoot(page, "manage")


def test_overview_shows_progress_by_target_and_ranking(page) -> None:  # noqa: ANN001
    login(page, "lanhdao")
    staff = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name="100% CBCCVC, NLĐ cài đặt iHanoi"))
    expect(staff.get_by_role("progressbar")).to_be_visible()
    expect(staff).to_contain_text("Hạn của huyện")
    expect(staff).to_contain_text("Hạn của thành phố")
    expect(staff).to_contain_text(re.compile(r"còn \d+ ngày|đã qua \d+ ngày|hạn chót hôm nay"))
    expect(staff).to_contain_text(re.compile(r"\d+(,\d)?\u00a0%"))
    expect(staff).to_contain_text("Còn phải thực hiện")
    residents = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=re.compile("người dân")))
    expect(residents).to_be_visible()
    ranking = page.get_by_role("region", name="Xếp hạng đơn vị")
    expect(ranking.get_by_role("listitem").first).to_be_visible()
    expect(ranking.get_by_role("link").first).to_be_visible()
    # A viewer reads; reminders are for managers.
    expect(page.get_by_role("button", name="Gửi nhắc nhở đơn vị chưa nộp")).to_have_count(0)
    shoot(page, "overview-viewer")


def test_manager_sees_late_and_missing_units_and_reminds(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    week = page.get_by_role("region", name=re.compile("Tình hình nộp báo cáo"))
    missing = week.get_by_role("group").filter(
        has=page.get_by_text(re.compile(r"^Đơn vị chưa nộp \([1-9]\d*\)$")))
    expect(missing.get_by_role("link").first).to_be_visible()
    week.get_by_role("button", name="Gửi nhắc nhở đơn vị chưa nộp").click()
    expect(week.get_by_role("status").filter(has_text="đơn vị chưa nộp")).to_be_visible()
    shoot(page, "overview-manager-reporting")

    page.get_by_role("link", name="Quản lý báo cáo").click()
    page.get_by_label("Kỳ báo cáo").select_option(_previous_week())
    week = page.get_by_role("region", name=re.compile("Tình hình nộp báo cáo"))
    week.get_by_label("Hiển thị").select_option(label="Nộp muộn")  # the list shows one state
    late = week.get_by_role("group").filter(
        has=page.get_by_text(re.compile(r"^Đơn vị nộp muộn \([1-9]\d*\)$")))
    expect(late.get_by_role("listitem").first).to_contain_text("Nộp muộn")


def test_manager_approves_a_report_and_locks_the_week(page, browser, server) -> None:  # noqa: ANN001
    login(page, "vanphong")
    page.goto("/manage")
    review = page.get_by_role("region", name=re.compile("Báo cáo chờ duyệt"))
    item = review.get_by_role("listitem").filter(has_not_text="Đa Tốn").first
    unit = item.get_by_role("link").first.inner_text()
    item.get_by_role("button", name=f"Duyệt báo cáo của {unit}").click()
    expect(review.get_by_role("status")).to_have_text(f"Đã duyệt báo cáo của {unit}.")
    expect(review.get_by_role("link", name=unit, exact=True)).to_have_count(0)

    locks = page.get_by_role("region", name="Khoá sổ tuần")
    locks.get_by_role("button", name=re.compile("^Khoá sổ " + re.escape(_week_label(current_week())))).click()
    locks.get_by_role("alertdialog", name="Xác nhận khoá sổ").get_by_role(
        "button", name="Khoá sổ", exact=True).click()
    expect(locks.get_by_role("status")).to_contain_text("Đã khoá sổ")
    expect(locks.get_by_role("listitem").filter(has_text="Huyện Gia Lâm")).to_be_visible()
    shoot(page, "manage-locked")

    # A reporter of the district can no longer write into the locked week.
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    reporter = context.new_page()
    login(reporter, "battrang")
    reporter.goto("/report")
    locked = "Tuần này đã khoá sổ: không thể gửi hoặc sửa báo cáo nữa."
    expect(reporter.get_by_text(locked)).to_be_visible()
    expect(reporter.get_by_role("button", name="Gửi báo cáo")).to_have_count(0)
    context.close()

    # Unlocking needs a reason, and gives the week back.
    locks.get_by_role("button", name=re.compile("^Mở khoá ")).click()
    expect(locks.get_by_role("alert")).to_contain_text("Hãy ghi lý do mở khoá.")
    locks.get_by_label(re.compile("^Lý do")).fill("Bổ sung số liệu của các trường")
    locks.get_by_role("button", name=re.compile("^Mở khoá ")).click()
    expect(locks.get_by_role("status")).to_contain_text("Đã mở khoá")


def test_manager_checks_a_spreadsheet_before_importing(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    page.goto("/manage")
    imp = page.get_by_role("region", name="Nhập số liệu từ bảng tính")
    imp.get_by_label("Tệp .xlsx hoặc .csv").set_input_files(files=[{
        "name": "bao-cao.csv", "mimeType": "text/csv",
        "buffer": b"unit,staff_total,staff_installed\nGL-X-BATTRANG,40,41\nGL-X-DATON,,\n",
    }])
    expect(imp.get_by_label("Chỉ kiểm tra, chưa ghi số liệu")).to_be_checked()
    # Reports units already sent are kept unless the manager asks to update them.
    expect(imp.get_by_label(re.compile("^Cập nhật cả báo cáo"))).not_to_be_checked()
    imp.get_by_role("button", name="Kiểm tra tệp").click()
    summary = imp.get_by_role("status").filter(has_text="Kết quả kiểm tra")
    expect(summary).to_contain_text("Bị từ chối")
    expect(summary.get_by_role("listitem").filter(has_text="Bỏ qua (để trống)")).to_contain_text("1")
    expect(summary.get_by_role("table")).to_contain_text("GL-X-BATTRANG")
    row = summary.get_by_role("row").filter(has_text="GL-X-BATTRANG")
    expect(row.get_by_role("cell").first).to_have_text("2")  # the line in the file


def test_manager_downloads_the_weekly_export(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    page.goto("/manage")
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải báo cáo tuần (.xlsx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as f:
        assert f.read(2) == b"PK"  # an .xlsx is a zip
    expect(page.get_by_role("status").filter(has_text="Đã tải tệp")).to_be_visible()


def test_completeness_pages_through_the_district_with_filters(page) -> None:  # noqa: ANN001
    """The card lists one page of units in chasing order; "Xem thêm" appends the next page
    until every unit the filter matches is shown; the kind filter narrows the same list."""
    from browser.helpers import api_get
    from browser.server import LIVE

    login(page, "vanphong")
    status, whole = api_get(page, f"/api/v1/completeness?campaign={LIVE}&limit=500")
    assert status == 200 and whole["expected"] > 100  # more than two pages of 50
    card = page.get_by_role("region", name=re.compile("Tình hình nộp báo cáo"))
    card.get_by_label("Hiển thị").select_option(label="Tất cả đơn vị")
    n = f"{whole['expected']:,}".replace(",", ".")
    expect(card.get_by_text(f"Các đơn vị phải báo cáo ({n})")).to_be_visible()
    items = card.locator(".unit-list > li")
    expect(items).to_have_count(50)
    # The first page is the API's, in its chasing order.
    names = [u["unit_name"] for u in whole["data"]]
    expect(items.first).to_contain_text(names[0])
    shown = 50
    while shown < whole["expected"]:
        step = min(50, whole["expected"] - shown)
        card.get_by_role("button", name=f"Xem thêm {step} đơn vị").click()
        shown += step
        expect(items).to_have_count(shown)
    expect(card.get_by_role("button", name=re.compile("^Xem thêm"))).to_have_count(0)
    expect(items.last).to_contain_text(names[-1])
    shoot(page, "completeness-all")

    card.get_by_label("Loại đơn vị").select_option(label="Trường học")
    schools = [u for u in whole["data"] if u["kind"] == "school"]
    expect(card.get_by_text(f"Các đơn vị phải báo cáo ({len(schools)})")).to_be_visible()
    expect(items).to_have_count(min(50, len(schools)))
    expect(items.first).to_contain_text(schools[0]["unit_name"])
    # The tiles stay the whole district's.
    tiles = card.get_by_role("list", name="Tổng hợp nộp báo cáo")
    expect(tiles).to_contain_text(f"{whole['on_time']:,}".replace(",", "."))
