"""A reporter sees only their own commune: pages and data of another commune stay closed."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.helpers import api_get, login, shoot
from browser.server import PASSWORD


def test_reporter_cannot_reach_another_communes_pages_or_data(page) -> None:  # noqa: ANN001
    login(page, "daton")

    page.goto("/units/GL-X-BATTRANG")
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy đơn vị.")
    expect(page.get_by_role("heading", name="Xã Bát Tràng")).to_have_count(0)
    expect(page.get_by_text("Lịch sử báo cáo")).to_have_count(0)

    # Asking the form for Bát Tràng still gives Đa Tốn's form.
    page.goto("/report?unit=GL-X-BATTRANG")
    expect(page.get_by_role("heading", name="Xã Đa Tốn", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Bát Tràng", exact=False)).to_have_count(0)

    for path in ("/manage", "/admin", "/admin/users"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()

    # The data behind the pages: nothing of Bát Tràng, nothing above the commune.
    assert api_get(page, "/api/v1/reports?unit=GL-X-BATTRANG")[0] == 404
    assert api_get(page, "/api/v1/units/GL-X-BATTRANG")[0] == 404
    assert api_get(page, "/api/v1/reports?under=HN-GL")[0] == 404
    status, body = api_get(page, "/api/v1/reports?limit=500")
    assert status == 200 and body["count"] > 0
    assert {r["unit"] for r in body["data"]} == {"GL-X-DATON"}
    assert api_get(page, "/api/v1/users")[0] == 403


def test_logging_out_closes_the_app(page) -> None:  # noqa: ANN001
    login(page, "lanhdao")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    # A viewer reads; no report form.
    expect(nav.get_by_role("link", name="Báo cáo tuần")).to_have_count(0)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.goto("/units/HN-GL")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('tiendo.token')") is None


def test_the_app_speaks_english_on_request(page) -> None:  # noqa: ANN001
    login(page, "lanhdao")
    page.get_by_label("Ngôn ngữ").select_option("en")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Overview")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    page.get_by_label("Language").select_option("vi")
    expect(page.get_by_role("heading", name="Tổng quan", level=1)).to_be_visible()


def _focused_text(page) -> str:  # noqa: ANN001
    return page.evaluate("() => document.activeElement?.textContent?.trim() ?? ''")


def test_keyboard_alone_logs_in_and_reaches_the_report_form(page) -> None:  # noqa: ANN001
    page.goto("/login")
    shoot(page, "login")
    page.keyboard.press("Tab")
    page.keyboard.type("battrang")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Tổng quan", level=1)).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="Tổng quan", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    assert _focused_text(page) == "Bỏ qua, đến nội dung chính"
    for _ in range(15):
        page.keyboard.press("Tab")
        if _focused_text(page) == "Báo cáo tuần":
            break
    assert _focused_text(page) == "Báo cáo tuần"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Báo cáo tuần", level=1)).to_be_focused()
