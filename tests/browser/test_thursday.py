"""The district office's Thursday: the chase list first, whole-week actions, any open week,
numbers as people type them, the print layout."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect

from browser.helpers import SCREENSHOTS as SCREENSHOTS_DIR
from browser.helpers import api_get, login, shoot
from browser.server import LIVE, current_week


def _chase_first(page) -> None:  # noqa: ANN001
    chase = page.get_by_role("region", name="Cần đôn đốc")
    expect(chase).to_be_visible()
    heading = chase.get_by_role("heading", name="Cần đôn đốc")
    # The first card on the page, and its heading on the first screen without scrolling.
    assert page.evaluate("() => window.scrollY") == 0
    box = heading.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"]
    targets = page.locator("#targets-title")
    expect(targets).to_be_visible()
    assert targets.bounding_box()["y"] > box["y"]
    # Grouped by kind; missing before late inside a group; each unit with a link and its state.
    groups = chase.get_by_role("group")
    expect(groups.first).to_be_visible()
    labels = [g.get_attribute("aria-label") for g in groups.all()]
    order = ["Xã, thị trấn", "Cơ quan chuyên môn", "Trường học", "Đảng, MTTQ", "Đơn vị khác"]
    ranks = [next(i for i, o in enumerate(order) if (label or "").startswith(o))
             for label in labels]
    # Each week's groups in the office's order: the rank only falls where a new week begins.
    falls = sum(1 for a, b in zip(ranks, ranks[1:], strict=False) if b <= a)
    assert falls <= chase.get_by_role("heading", level=3).count() - 1, labels
    first = groups.first.get_by_role("listitem").first
    expect(first.get_by_role("link").first).to_be_visible()
    expect(first).to_contain_text(re.compile("Chưa nộp|Nộp muộn|Trả lại"))


def test_manager_overview_opens_on_the_chase_list_desktop(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    _chase_first(page)
    status, body = api_get(page, "/api/v1/chase?campaign=ihanoi-live")
    assert status == 200
    # Tiles and lists agree: "Chưa nộp N" is the number of units listed as not reported.
    week = page.get_by_role("region", name=re.compile("Tình hình nộp báo cáo"))
    this = body["weeks"][-1]  # the current week, as the completeness card shows
    n = f"{this['not_reported']:,}".replace(",", ".")
    tile = week.get_by_role("list", name="Tổng hợp nộp báo cáo").get_by_role("listitem").filter(
        has_text="Chưa nộp")
    expect(tile.first).to_contain_text(n)
    if this["not_reported"]:
        expect(week.get_by_text(f"Đơn vị chưa nộp ({n})")).to_be_visible()
    # Copy for Zalo puts the message on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    chase = page.get_by_role("region", name="Cần đôn đốc")
    if body["message"]:
        chase.get_by_role("button", name="Sao chép tin nhắn Zalo").click()
        expect(chase.get_by_role("status")).to_contain_text("Đã sao chép tin nhắn")
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied == body["message"]
        assert "báo cáo" in copied and re.search(r"\d\d:\d\d", copied)
    shoot(page, "chase")


def test_manager_overview_opens_on_the_chase_list_phone(phone) -> None:  # noqa: ANN001
    login(phone, "vanphong")
    _chase_first(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    shoot(phone, "chase")


# ---------------------------------------------------------------- whole-week actions, any week
def _previous_week() -> str:
    from datetime import date

    year, week = int(current_week()[:4]), int(current_week()[-2:])
    y, w, _ = date.fromordinal(date.fromisocalendar(year, week, 1).toordinal() - 7).isocalendar()
    return f"{y}-W{w:02d}"


def _api(page, method: str, path: str, **kw):  # noqa: ANN001, ANN202
    token = page.evaluate("() => localStorage.getItem('tiendo.token')")
    r = page.request.fetch(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kw)
    return r.status, r.json()


def _keep_previous_week_open(manager_page) -> None:  # noqa: ANN001
    """Monday to Thursday 15:00 last week is still open by itself; later in the week it has
    locked itself, and the manager opens it again (as the office would for a late unit)."""
    week = _previous_week()
    _, body = _api(manager_page, "GET", f"/api/v1/completeness?campaign={LIVE}&period={week}")
    if body["locked"]:
        status, _ = _api(manager_page, "POST", "/api/v1/locks/unlock", data={
            "campaign": LIVE, "period": week, "unit": "HN-GL",
            "reason": "Cho các xã nộp muộn tuần trước"})
        assert status == 200


def _forget_report(db, unit: str, week: str) -> None:  # noqa: ANN001
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT report.id FROM report JOIN unit ON unit.id = report.unit_id "
            "JOIN campaign ON campaign.id = report.campaign_id "
            "WHERE unit.code = ? AND campaign.code = ? AND report.period = ?", (unit, LIVE, week))]
        for rid in ids:
            conn.execute("DELETE FROM report_value WHERE report_id = ?", (rid,))
            conn.execute("DELETE FROM report_revision WHERE report_id = ?", (rid,))
            conn.execute("DELETE FROM report WHERE id = ?", (rid,))


def test_manager_approves_the_whole_week_in_one_click(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    _keep_previous_week_open(page)
    week = _previous_week()
    _, waiting = _api(page, "GET", f"/api/v1/reports?campaign={LIVE}&period={week}"
                                   "&status=submitted&limit=500")
    assert waiting["count"] > 1
    page.goto("/manage")
    page.get_by_label("Kỳ báo cáo").select_option(week)
    review = page.get_by_role("region", name=re.compile("Báo cáo chờ duyệt"))
    n = f"{waiting['count']:,}".replace(",", ".")
    review.get_by_role("button", name=f"Duyệt tất cả {n} báo cáo chờ duyệt").click()
    expect(review.get_by_role("status")).to_contain_text(f"Đã duyệt {n} báo cáo.")
    expect(review.get_by_text("Không có báo cáo nào chờ duyệt.")).to_be_visible()
    _, after = _api(page, "GET", f"/api/v1/reports?campaign={LIVE}&period={week}"
                                 "&status=submitted&limit=500")
    assert after["count"] == 0
    shoot(page, "approve-all")


def test_locking_asks_first_and_says_what_it_does(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    page.goto("/manage")
    locks = page.get_by_role("region", name="Khoá sổ tuần")
    label = f"Tuần {int(current_week()[-2:])} ("
    locks.get_by_role("button", name=re.compile("^Khoá sổ " + re.escape(label))).click()
    dialog = locks.get_by_role("alertdialog", name="Xác nhận khoá sổ")
    expect(dialog).to_contain_text("cho Huyện Gia Lâm và mọi đơn vị cấp dưới")
    expect(dialog).to_contain_text("không đơn vị nào gửi hoặc sửa được báo cáo")
    _, completeness = _api(page, "GET", f"/api/v1/completeness?campaign={LIVE}")
    if completeness["pending"]:
        expect(dialog).to_contain_text("Hạn nộp của tuần này chưa đến")
    shoot(page, "lock-confirm")
    # Cancel locks nothing.
    dialog.get_by_role("button", name="Huỷ").click()
    expect(dialog).to_have_count(0)
    _, current = _api(page, "GET", f"/api/v1/locks?campaign={LIVE}&period={current_week()}")
    assert [x for x in current["data"] if not x["automatic"]] == []


def test_a_commune_sends_last_week_late_typing_numbers_its_own_way(page, browser, server) -> None:  # noqa: ANN001, E501
    week = _previous_week()
    manager = browser.new_context(base_url=server.url, locale="vi-VN").new_page()
    login(manager, "vanphong")
    _keep_previous_week_open(manager)
    manager.context.close()
    _forget_report(server.db, "GL-X-DATON", week)

    login(page, "daton")
    page.goto("/report")
    picker = page.get_by_label("Kỳ báo cáo")
    # The week due is the default; last week is offered, marked overdue and not sent.
    expect(picker).to_have_value(current_week())
    late_label = picker.locator(f"option[value='{week}']")
    expect(late_label).to_contain_text("quá hạn, chưa nộp")
    picker.select_option(week)
    expect(page).to_have_url(re.compile(f"week={week}"))
    expect(page.get_by_text("Đã quá hạn: gửi bây giờ sẽ được ghi là nộp muộn.")).to_be_visible()
    # "1.234" is how the app shows a number, so it is how people type one; "1,5" is refused.
    total = page.get_by_label("Tổng số CBCCVC, NLĐ")
    installed = page.get_by_label("Số CBCCVC, NLĐ đã cài đặt iHanoi")
    total.fill("1,5")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_text("Chỉ nhập số nguyên không âm, ví dụ 1234 hoặc 1.234")).to_be_visible()
    total.fill("1.234")
    installed.fill("1 200")
    installed.blur()
    expect(installed).to_have_value("1.200")  # shown back the Vietnamese way
    note = page.get_by_label(re.compile("^Ghi chú"))
    note.fill("Nộp bù tuần trước.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    # 1.234 staff where the week before had a few dozen: the demo's data-quality rule warns
    # before sending; the commune confirms.
    expect(page.get_by_role("alert").filter(has_text="±10%")).to_be_visible()
    page.get_by_role("button", name="Vẫn gửi báo cáo").click()
    sent = page.get_by_role("status").filter(has_text="Đã gửi báo cáo")
    expect(sent).to_contain_text("Nộp muộn")
    status, body = api_get(page, f"/api/v1/reports?campaign={LIVE}&unit=GL-X-DATON&period={week}")
    assert status == 200 and body["count"] == 1
    report = body["data"][0]
    assert report["timeliness"] == "late"
    assert report["values"]["staff_total"] == 1234 and report["values"]["staff_installed"] == 1200
    shoot(page, "report-late-week")


def test_manager_downloads_the_draft_report_to_the_city(page) -> None:  # noqa: ANN001
    from docx import Document

    login(page, "vanphong")
    page.goto("/manage")
    export = page.get_by_role("region", name="Xuất báo cáo tuần")
    page.wait_for_load_state("networkidle")  # the page's own reads done: the click is alone
    with page.expect_download(timeout=60_000) as download:  # drafting takes a moment
        export.get_by_role("button", name="Tải dự thảo báo cáo gửi thành phố (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")
    doc = Document(download.value.path())
    body = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in body and "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU" in body
    expect(export.get_by_role("status")).to_contain_text(".docx")


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_overview_prints_on_one_or_two_a4_pages(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    chase = page.get_by_role("region", name="Cần đôn đốc")
    expect(chase.get_by_role("group").first).to_be_visible()
    expect(page.locator(".target-card").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    # On paper: no menu, no buttons; the chase list and the targets are there.
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_hidden()
    expect(chase.get_by_role("button", name="Sao chép tin nhắn Zalo")).to_be_hidden()
    expect(chase).to_be_visible()
    expect(page.locator(".target-card").first).to_be_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS_DIR / "overview-print.pdf").write_bytes(pdf)
    shoot(page, "overview-print")
    assert 1 <= _pdf_pages(pdf) <= 2, _pdf_pages(pdf)


def test_an_ended_campaign_says_it_ended(page) -> None:  # noqa: ANN001
    login(page, "lanhdao")
    page.get_by_label("Chiến dịch").select_option(label="Cài đặt iHanoi 2024 (dữ liệu demo)")
    expect(page.get_by_text(re.compile("Chiến dịch đã kết thúc ngày 01/09/2024; số liệu cuối "
                                       "cùng"))).to_be_visible()
    expect(page.get_by_text(re.compile("Dự kiến đạt ngày \\d\\d/\\d\\d/20(2[7-9]|[3-9]\\d)"))
           ).to_have_count(0)
