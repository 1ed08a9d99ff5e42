"""The administrator: unit tree, users and roles, integration tokens, targets; and a new user
changing their password."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from browser.helpers import login, shoot

NEW_PASSWORD = "mat-khau-moi-2024"


def test_admin_pages(page, browser, server) -> None:  # noqa: ANN001
    login(page, "admin")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Quản trị").click()
    tree = page.locator("main")
    expect(tree.get_by_role("link", name="Huyện Gia Lâm")).to_be_visible()
    expect(tree.get_by_role("link", name="Xã Đa Tốn")).to_be_visible()
    shoot(page, "admin-units")

    # Users: create a reporter for Đa Tốn, then reset their password.
    page.get_by_role("link", name="Người dùng").click()
    expect(page.get_by_role("listitem").filter(has_text="(daton)")).to_be_visible()
    form = page.get_by_role("form", name="Thêm người dùng")
    form.get_by_label("Tên đăng nhập").fill("thuky.daton")
    form.get_by_label("Họ và tên").fill("Thư ký UBND xã Đa Tốn")
    form.get_by_label("Mật khẩu").fill("mat-khau-dau-tien")
    form.get_by_label("Vai trò").select_option("reporter")
    # The unit is found by typing part of its name, not by its code.
    form.get_by_role("combobox", name="Đơn vị").fill("Đa Tốn")
    form.get_by_role("option", name=re.compile(r"^Xã Đa Tốn")).click()
    expect(form).to_contain_text("Đã chọn: Xã Đa Tốn (GL-X-DATON)")
    form.get_by_role("button", name="Tạo người dùng").click()
    expect(form.get_by_role("status")).to_contain_text("Đã tạo người dùng thuky.daton.")
    row = page.get_by_role("listitem").filter(has_text="(thuky.daton)")
    expect(row).to_contain_text("Cán bộ báo cáo — Xã Đa Tốn")
    row.get_by_role("button", name="Đặt lại mật khẩu của thuky.daton").click()
    row.get_by_label("Mật khẩu mới").fill("mat-khau-dat-lai")
    row.get_by_role("button", name="Lưu").click()
    expect(row.get_by_role("status")).to_contain_text("Đã đặt lại mật khẩu")
    shoot(page, "admin-users")

    # A user name already taken is refused beside the field.
    form.get_by_label("Tên đăng nhập").fill("daton")
    form.get_by_label("Họ và tên").fill("Trùng tên")
    form.get_by_label("Mật khẩu").fill("mat-khau-dau-tien")
    form.get_by_role("button", name="Tạo người dùng").click()
    expect(form.get_by_label("Tên đăng nhập")).to_have_attribute("aria-invalid", "true")

    # Integration token: the secret is shown once, then it can be revoked.
    page.get_by_role("link", name="Token tích hợp").click()
    tform = page.get_by_role("form", name="Tạo token tích hợp")
    tform.get_by_label("Tên hệ thống dùng token").fill("HANOI EIC")
    tform.get_by_role("combobox", name="Đơn vị").fill("HN-GL")  # a code typed in full works too
    tform.get_by_role("button", name="Tạo token").click()
    secret = tform.get_by_label("Mã bí mật")
    expect(secret).to_have_value(re.compile(r".{20,}"))
    shoot(page, "admin-tokens")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Thu hồi token HANOI EIC").click()
    expect(page.get_by_role("listitem").filter(has_text="HANOI EIC")).to_contain_text("đã thu hồi")

    # Targets: edit one; the list shows the change.
    page.get_by_role("link", name="Chỉ tiêu").click()
    page.get_by_role("button", name="Sửa chỉ tiêu 100% người dân tạo tài khoản iHanoi").click()
    edit = page.get_by_role("form", name="Sửa chỉ tiêu 100% người dân tạo tài khoản iHanoi")
    edit.get_by_label("Tên chỉ tiêu").fill("100% người dân tạo tài khoản iHanoi (huyện giao)")
    edit.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("listitem").filter(has_text="(huyện giao)")).to_be_visible()
    shoot(page, "admin-targets")

    # The new user logs in with the reset password and changes it.
    context = browser.new_context(base_url=server.url, locale="vi-VN")
    user = context.new_page()
    login(user, "thuky.daton", "mat-khau-dat-lai")
    user.get_by_role("link", name="Tài khoản").click()
    user.get_by_label("Mật khẩu hiện tại").fill("sai-mat-khau")
    user.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    user.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    user.get_by_role("button", name="Đổi mật khẩu").click()
    expect(user.get_by_text("Mật khẩu hiện tại không đúng.")).to_be_visible()
    user.get_by_label("Mật khẩu hiện tại").fill("mat-khau-dat-lai")
    user.get_by_role("button", name="Đổi mật khẩu").click()
    expect(user.get_by_role("status").filter(has_text="Đã đổi mật khẩu")).to_be_visible()
    shoot(user, "account")
    # Still logged in (with a new session), and the new password works next time.
    user.get_by_role("link", name="Tổng quan").click()
    expect(user.get_by_role("heading", name="Tổng quan", level=1)).to_be_visible()
    user.get_by_role("button", name="Đăng xuất").click()
    login(user, "thuky.daton", NEW_PASSWORD)
    context.close()
