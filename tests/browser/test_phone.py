"""At 360 × 740 the report form is usable: no sideways scrolling, fields and button reachable."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.helpers import login, shoot


def _no_sideways_scroll(page) -> None:  # noqa: ANN001
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_report_form_is_usable_on_a_phone(phone) -> None:  # noqa: ANN001
    login(phone, "battrang")
    _no_sideways_scroll(phone)
    shoot(phone, "overview-reporter")
    # The menu folds behind a button on a phone.
    nav = phone.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Báo cáo tuần")).to_be_hidden()
    phone.get_by_role("button", name="Menu").click()
    nav.get_by_role("link", name="Báo cáo tuần").click()
    expect(phone.get_by_role("heading", name="Báo cáo tuần", exact=False).last).to_be_visible()
    total = phone.get_by_label("Tổng số CBCCVC, NLĐ")
    total.scroll_into_view_if_needed()
    box = total.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 40
    _no_sideways_scroll(phone)
    shoot(phone, "report-form")
    # Type with the keyboard, the way a phone user would, and send.
    total.fill("")
    total.type("7")
    phone.get_by_label("Số CBCCVC, NLĐ đã cài đặt iHanoi").fill("9")
    button = phone.get_by_role("button", name="Gửi báo cáo").or_(
        phone.get_by_role("button", name="Lưu sửa đổi"))
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
    button.click()
    expect(phone.get_by_text("Không được lớn hơn “Tổng số CBCCVC, NLĐ” (7).")).to_be_in_viewport()
    _no_sideways_scroll(phone)


def test_every_main_page_fits_a_phone(phone) -> None:  # noqa: ANN001
    login(phone, "admin")
    for path, name in (("/units/HN-GL", "unit-district"), ("/account", "account"),
                       ("/manage", "manage"), ("/admin/units", "admin-units"),
                       ("/admin/users", "admin-users"), ("/admin/tokens", "admin-tokens"),
                       ("/admin/targets", "admin-targets")):
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        phone.wait_for_load_state("networkidle")
        _no_sideways_scroll(phone)
        shoot(phone, name)
