"""Data quality in the browser: a reporter sees the rules' warnings before sending, and the
manager finds the recorded warning on "Chất lượng số liệu" and marks it reviewed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from browser.helpers import login, shoot

STAFF_TOTAL = "Tổng số CBCCVC, NLĐ"


def test_form_warns_before_sending_and_the_manager_reviews_the_flag(browser, server) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    page = context.new_page()
    login(page, "battrang")
    page.goto("/report")
    total = page.get_by_label(STAFF_TOTAL)
    expect(total).not_to_have_value("")
    total.fill(str(int(re.sub(r"\D", "", total.input_value())) * 3))
    page.get_by_role("button", name="Gửi báo cáo").click()
    warning = page.get_by_role("alert").filter(has_text="±10%")
    expect(warning).to_be_visible()
    expect(page.get_by_text("Đã gửi báo cáo")).to_have_count(0)  # not sent yet
    shoot(page, "report-form-quality-warning")
    page.get_by_role("button", name="Vẫn gửi báo cáo").click()
    expect(page.get_by_text(re.compile("Đã (gửi báo cáo|lưu sửa đổi)"))).to_be_visible()
    context.close()

    context = browser.new_context(base_url=server.url, locale="vi-VN")
    page = context.new_page()
    login(page, "vanphong")
    page.goto("/units/GL-X-BATTRANG")
    expect(page.get_by_text("Cần xác minh (1)")).to_be_visible()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Chất lượng số liệu").click()
    expect(page.get_by_role("heading", name="Chất lượng số liệu", level=1)).to_be_visible()
    flag = page.locator(".quality-flag").filter(has_text="Bát Tràng")
    expect(flag).to_contain_text("±10%")
    shoot(page, "quality")
    flag.get_by_label("Ghi chú xác minh").fill("Đã gọi xã: nhập nhầm.")
    flag.get_by_role("button", name="Đánh dấu đã xem").click()
    expect(flag).to_contain_text("Đã xem")
    rules = page.get_by_role("region", name="Quy tắc kiểm tra số liệu")
    expect(rules).to_contain_text("Số tài khoản vượt quá 105% dân số trên địa bàn.")
    # A new rule names its number itself: the form proposes none ("≤ 0" flagged every report).
    rules.get_by_label("Thông báo cho đơn vị").fill("Số áp phích phải tăng mỗi tuần.")
    add = rules.get_by_role("button", name="Thêm quy tắc")
    expect(add).to_be_disabled()
    rules.get_by_label(re.compile(r"^Chỉ số")).select_option(label="Số pano, áp phích có mã QR")
    rules.get_by_label("Đo", exact=True).select_option("change")
    rules.get_by_label("So sánh", exact=True).select_option("ge")
    rules.get_by_label("Hệ số hoặc hằng số", exact=True).fill("1")
    add.click()
    expect(rules).to_contain_text("Số áp phích phải tăng mỗi tuần.")
    listed = rules.get_by_role("listitem").filter(has_text="Số áp phích phải tăng mỗi tuần.")
    expect(listed).to_contain_text("posters tăng thêm trong tuần ≥ 1")
    # Deleted again: the other browser tests share this server and its campaign's rules.
    rules.get_by_role("listitem").filter(has_text="Số áp phích phải tăng mỗi tuần.").get_by_role(
        "button", name="Xoá").click()
    expect(rules).not_to_contain_text("Số áp phích phải tăng mỗi tuần.")
    context.close()
