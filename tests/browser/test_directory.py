"""Units and people in the admin, and the next campaign: an admin adds a unit from a date and
closes it on another, imports users from the template; a manager clones the demo campaign
to new dates and edits its settings."""

from __future__ import annotations

import re
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect

from browser.helpers import api_get, login, shoot


def test_admin_adds_and_closes_a_unit(page) -> None:  # noqa: ANN001
    login(page, "admin")
    page.goto("/admin/units")
    search = page.get_by_label("Tìm đơn vị theo tên hoặc mã")
    search.fill("Đa Tốn")
    results = page.get_by_role("list", name=re.compile("Kết quả tìm kiếm"))
    expect(results.get_by_role("link", name="Xã Đa Tốn", exact=True)).to_be_visible()
    results.get_by_role("button", name="Thêm đơn vị trực thuộc Xã Đa Tốn").click()
    form = page.get_by_role("form", name="Thêm đơn vị trực thuộc Xã Đa Tốn")
    form.get_by_label("Mã đơn vị").fill("GL-X-DATON-T20")
    form.get_by_label("Tên đơn vị").fill("Thôn 20 (thử)")
    expect(form.get_by_label("Loại đơn vị")).to_have_value("village")
    form.get_by_label("Bắt đầu hoạt động từ ngày").fill("01/08/2024")
    form.get_by_role("button", name="Lưu").click()
    expect(results.get_by_role("status")).to_contain_text("Đã thêm Thôn 20 (thử).")

    search.fill("Thôn 20")
    row = page.locator("li[data-unit='GL-X-DATON-T20']")
    expect(row).to_contain_text("từ 01/08/2024")
    row.get_by_role("button", name="Đóng Thôn 20 (thử)").click()
    close = row.get_by_role("form", name="Đóng Thôn 20 (thử)")
    expect(close).to_contain_text("mọi đơn vị trực thuộc")
    close.get_by_label("Thôi hoạt động từ ngày").fill("30/09/2024")
    close.get_by_role("button", name="Đóng đơn vị").click()
    expect(row.get_by_role("status")).to_contain_text("Đã đóng Thôn 20 (thử) từ 30/09/2024.")
    expect(row).to_contain_text("đóng từ 30/09/2024")
    expect(row.get_by_role("button", name="Mở lại Thôn 20 (thử)")).to_be_visible()
    shoot(page, "admin-unit-closed")
    status, unit = api_get(page, "/api/v1/units/GL-X-DATON-T20")
    assert status == 200
    assert (unit["opened_on"], unit["closed_on"], unit["active"]) == ("2024-08-01", "2024-09-30",
                                                                      False)

    # The tree itself opens one level at a time, and shows the contact form of a unit.
    search.fill("")
    tree = page.locator("main")
    expect(tree.get_by_role("link", name="Xã Đa Tốn", exact=True)).to_be_visible()
    datn = page.locator("li[data-unit='GL-X-DATON']")
    datn.get_by_role("button", name="Người báo cáo của Xã Đa Tốn").click()
    contact = datn.get_by_role("form", name="Người báo cáo của Xã Đa Tốn")
    contact.get_by_label("Họ tên người báo cáo").fill("Nguyễn Thị Hoa")
    contact.get_by_label("Điện thoại").fill("12345")
    contact.get_by_role("button", name="Lưu").click()
    expect(contact.get_by_label("Điện thoại")).to_have_attribute("aria-invalid", "true")
    contact.get_by_label("Điện thoại").fill("0912 345 678")
    contact.get_by_role("button", name="Lưu").click()
    expect(datn.get_by_role("status").first).to_contain_text("Đã lưu.")
    expect(datn.locator("summary").first).to_contain_text(
        "Người báo cáo: Nguyễn Thị Hoa (0912345678)")


def test_admin_imports_users_from_the_template(page, tmp_path) -> None:  # noqa: ANN001
    login(page, "admin")
    page.goto("/admin/users")
    panel = page.get_by_role("form", name="Nhập người dùng từ tệp Excel")
    with page.expect_download() as got:
        panel.get_by_role("button", name="Tải tệp mẫu").click()
    template = tmp_path / got.value.suggested_filename
    got.value.save_as(template)
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][:6] == ["username", "full_name", "email", "phone", "role",
                                            "unit"]
    ws.append(["thuky.battrang", "Thư ký UBND xã Bát Tràng", None, "0912 345 679", "reporter",
               "GL-X-BATTRANG"])
    ws.append(["thuky.nowhere", "Không có đơn vị", None, None, "reporter", "GL-KHONG-CO"])
    wb.save(template)

    panel.get_by_label("Tệp .xlsx theo mẫu").set_input_files(template)
    panel.get_by_label("Chỉ kiểm tra, chưa ghi").check()
    panel.get_by_role("button", name="Nhập tệp").click()
    result = panel.get_by_role("status")
    expect(result).to_contain_text("Kết quả kiểm tra (chưa ghi gì)")
    expect(result).to_contain_text("Tạo mới 1 · cập nhật 0 · không đổi 0 · bị từ chối 1")
    expect(result).to_contain_text("thuky.nowhere")

    panel.get_by_label("Chỉ kiểm tra, chưa ghi").uncheck()
    panel.get_by_role("button", name="Nhập tệp").click()
    expect(result).to_contain_text("Đã nhập")
    passwords = result.get_by_role("region", name="Mật khẩu ban đầu: chỉ hiện một lần")
    expect(passwords).to_contain_text("thuky.battrang")
    password = passwords.locator("code").inner_text()
    shoot(page, "admin-users-import")
    expect(page.get_by_role("listitem").filter(has_text="(thuky.battrang)")).to_contain_text(
        "Cán bộ báo cáo — Xã Bát Tràng")
    r = page.request.post("/api/v1/auth/token", form={"username": "thuky.battrang",
                                                      "password": password})
    assert r.status == 200


def test_manager_clones_the_demo_campaign_to_new_dates(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Chiến dịch").click()
    _, source = api_get(page, "/api/v1/campaigns/ihanoi-2024")
    form = page.get_by_role("form", name="Tạo từ chiến dịch cũ")
    form.get_by_label("Chiến dịch gốc", exact=True).select_option("ihanoi-2024")
    form.get_by_label("Mã chiến dịch").fill("ihanoi-2025")
    form.get_by_label("Tên chiến dịch").fill("Cài đặt iHanoi 2025")
    form.get_by_label("Ngày bắt đầu").fill("07/07/2025")
    expect(form.get_by_label("Chép số liệu nền")).to_be_checked()
    form.get_by_role("button", name="Tạo từ chiến dịch cũ", exact=True).click()
    shift = date(2025, 7, 7) - date.fromisoformat(source["start_date"])
    end = date.fromisoformat(source["end_date"]) + shift
    expect(form.get_by_role("status")).to_contain_text(
        f"Đã tạo Cài đặt iHanoi 2025 (07/07/2025 – {end:%d/%m/%Y}).")
    shoot(page, "campaign-cloned")

    _, targets = api_get(page, "/api/v1/targets?campaign=ihanoi-2025")
    _, old = api_get(page, "/api/v1/targets?campaign=ihanoi-2024")
    assert sorted((date.fromisoformat(t["deadline"]) - shift).isoformat()
                  for t in targets["data"]) == sorted(t["deadline"] for t in old["data"])

    # Its settings: deadline day and time, auto-lock, and the heading of the weekly report.
    page.get_by_role("button", name="Thiết lập Cài đặt iHanoi 2025").click()
    settings = page.get_by_role("form", name="Thiết lập Cài đặt iHanoi 2025")
    settings.get_by_label("Hạn nộp hằng tuần: thứ").select_option("5")
    settings.get_by_label("Giờ hạn nộp").fill("16:00")
    settings.get_by_label("Tự khoá tuần sau hạn").fill("3")
    settings.get_by_label("Cơ quan ban hành").fill("UBND HUYỆN GIA LÂM")
    settings.get_by_label("Nơi nhận").fill("UBND Thành phố (để b/c)\nSở TT&TT")
    settings.get_by_role("button", name="Lưu").click()
    expect(settings.get_by_role("status")).to_contain_text("Đã lưu thiết lập.")
    _, clone = api_get(page, "/api/v1/campaigns/ihanoi-2025")
    assert (clone["due_weekday"], clone["due_time"], clone["lock_after_days"]) == (5, "16:00:00", 3)
    assert clone["report_settings"]["issuing_body"] == "UBND HUYỆN GIA LÂM"
    assert clone["report_settings"]["recipients"] == ["UBND Thành phố (để b/c)", "Sở TT&TT"]


def test_reporting_on_behalf_finds_the_unit_by_name(page) -> None:  # noqa: ANN001
    login(page, "vanphong")
    page.goto("/report")
    choose = page.get_by_label("Đơn vị báo cáo")
    expect(choose).to_be_visible()
    total = choose.locator("option").count()
    assert total > 12
    page.get_by_label("Tìm đơn vị theo tên hoặc mã").fill("bát tràng")
    page.wait_for_function("n => document.querySelectorAll('#report-unit option').length < n",
                           arg=total)
    names = choose.locator("option").all_inner_texts()
    assert "Xã Bát Tràng" in names
    assert len([n for n in names if "Bát Tràng" not in n]) <= 1  # at most the one chosen
    choose.select_option(label="Xã Bát Tràng")
    expect(page).to_have_url(re.compile(r"unit=GL-X-BATTRANG"))
