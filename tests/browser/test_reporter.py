"""A commune reporter (daton, Xã Đa Tốn) sends this week's report, sees it, corrects it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from browser.helpers import api_get, login, shoot
from browser.server import LIVE, current_week

STAFF_TOTAL = "Tổng số CBCCVC, NLĐ"
STAFF_INSTALLED = "Số CBCCVC, NLĐ đã cài đặt iHanoi"
MEETINGS = "Số cuộc họp thôn, tổ dân phố có tuyên truyền"


def _int(locator) -> int:  # noqa: ANN001
    """A count as the form shows it, the Vietnamese way ("1.234")."""
    return int(locator.input_value().replace(".", ""))


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_reporter_sends_sees_and_corrects_the_weekly_report(page) -> None:  # noqa: ANN001
    login(page, "daton")
    # Who is logged in, for which unit; a reporter's menu has no manager or admin pages.
    expect(page.get_by_role("banner")).to_contain_text("Cán bộ UBND xã Đa Tốn (demo)")
    expect(page.get_by_role("banner")).to_contain_text("Xã Đa Tốn")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Báo cáo tuần")).to_be_visible()
    expect(nav.get_by_role("link", name="Quản trị")).to_have_count(0)
    expect(nav.get_by_role("link", name="Quản lý báo cáo")).to_have_count(0)
    mine = page.get_by_role("region", name=re.compile("Báo cáo của đơn vị bạn"))
    expect(mine).to_contain_text("Chưa nộp")
    shoot(page, "overview-reporter")

    nav.get_by_role("link", name="Báo cáo tuần").click()
    expect(page.get_by_role("heading", name="Báo cáo tuần — Xã Đa Tốn")).to_be_visible()
    # The commune's metrics, prefilled from last week; the population is a baseline, not asked.
    total, installed = page.get_by_label(STAFF_TOTAL), page.get_by_label(STAFF_INSTALLED)
    expect(total).not_to_have_value("")
    expect(page.get_by_label(re.compile("Dân số"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Tuần trước: "))).to_have_count(6)
    expect(page.get_by_text(re.compile("Số liệu đã điền sẵn từ báo cáo Tuần"))).to_be_visible()
    shoot(page, "report-form")
    staff, done = _int(total), _int(installed)

    # Inline checks mirror the API: installed ≤ total, whole numbers only.
    meetings = page.get_by_label(MEETINGS)
    meetings_before = meetings.input_value()
    installed.fill(str(staff + 5))
    meetings.fill("2,5")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_text(f"Không được lớn hơn “{STAFF_TOTAL}” ({staff}).")).to_be_visible()
    whole = "Chỉ nhập số nguyên không âm, ví dụ 1234 hoặc 1.234 (không có phần thập phân)."
    expect(page.get_by_text(whole)).to_be_visible()
    expect(installed).to_have_attribute("aria-invalid", "true")

    total.fill(str(staff + 2))
    installed.fill(str(done + 2))
    meetings.fill(meetings_before)
    page.get_by_role("button", name="Gửi báo cáo").click()
    confirmation = page.get_by_role("status").filter(has_text="Đã gửi báo cáo")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("Xã Đa Tốn")
    expect(confirmation).to_contain_text(re.compile(r"lúc \d{2}:\d{2} \d{2}/\d{2}/\d{4}"))
    shoot(page, "report-sent")

    status, body = api_get(page, f"/api/v1/reports?campaign={LIVE}&unit=GL-X-DATON"
                                 f"&period={current_week()}")
    assert status == 200 and body["count"] == 1
    report = body["data"][0]
    assert report["values"]["staff_total"] == staff + 2
    assert report["values"]["staff_installed"] == done + 2
    assert report["version"] == 1  # the refused attempt sent nothing

    # The overview now shows the unit's report as sent.
    page.get_by_role("link", name="Tổng quan").first.click()
    mine = page.get_by_role("region", name=re.compile("Báo cáo của đơn vị bạn"))
    expect(mine).to_contain_text("Đã gửi lúc")
    expect(mine).not_to_contain_text("Chưa nộp")

    # Correct it: a count below last week's needs a note.
    mine.get_by_role("link", name="Xem, sửa báo cáo").click()
    expect(page.get_by_role("heading", name="Sửa báo cáo tuần — Xã Đa Tốn")).to_be_visible()
    expect(page.get_by_label(STAFF_TOTAL)).to_have_value(_vn(staff + 2))
    page.get_by_label(STAFF_TOTAL).fill(str(staff - 1))
    page.get_by_label(STAFF_INSTALLED).fill(str(min(done, staff - 1)))
    page.get_by_role("button", name="Lưu sửa đổi").click()
    note = page.get_by_label(re.compile("^Ghi chú"))
    expect(note).to_have_attribute("aria-invalid", "true")
    went_down = "Có số liệu giảm so với tuần trước: hãy ghi chú lý do."
    expect(page.get_by_text(went_down)).to_be_visible()
    note.fill("Bớt 1 người chuyển công tác.")
    page.get_by_role("button", name="Lưu sửa đổi").click()
    saved = page.get_by_role("status").filter(has_text="Đã lưu sửa đổi")
    expect(saved).to_contain_text("phiên bản 2")

    # The unit page lists it with its revisions.
    saved.get_by_role("link", name="Xem lịch sử báo cáo").click()
    expect(page.get_by_role("heading", name="Xã Đa Tốn", level=1)).to_be_visible()
    history = page.get_by_role("region", name="Lịch sử báo cáo")
    history.get_by_role("button", name="Phiên bản 2").click()
    expect(history.get_by_text("“Bớt 1 người chuyển công tác.”")).to_be_visible()
    expect(history.get_by_role("listitem").filter(has_text="Phiên bản 1")).to_be_visible()
    shoot(page, "unit")


def test_a_correction_from_a_stale_page_shows_the_servers_refusal(page) -> None:  # noqa: ANN001
    """Two tabs on the same report: the second save is refused with the API's own message."""
    login(page, "daton")
    page.goto("/report")
    expect(page.get_by_role("heading", name="Sửa báo cáo tuần — Xã Đa Tốn")).to_be_visible()
    other = page.context.new_page()
    other.goto("/report")
    broadcasts = other.get_by_label("Số buổi phát thanh tuyên truyền")
    broadcasts.fill(str(_int(broadcasts) + 1))
    other.get_by_role("button", name="Lưu sửa đổi").click()
    expect(other.get_by_role("status").filter(has_text="Đã lưu sửa đổi")).to_be_visible()

    posters = page.get_by_label("Số pano, áp phích có mã QR")
    posters.fill(str(_int(posters) + 1))
    page.get_by_role("button", name="Lưu sửa đổi").click()
    expect(page.get_by_role("alert")).to_contain_text("đã cũ")
    # "Thử lại" loads the newer version, with the other tab's change in it.
    page.get_by_role("alert").get_by_role("button", name="Thử lại").click()
    newer = broadcasts.input_value()
    expect(page.get_by_label("Số buổi phát thanh tuyên truyền")).to_have_value(newer)
    expect(page.get_by_role("alert")).to_have_count(0)
