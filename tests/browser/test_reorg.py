"""The administrator reorganises two villages into one: a dry run first, then apply; the new
village's page says what it was formed from, the old one's what it merged into."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.helpers import login, shoot


def test_merge_two_villages_from_the_admin_screen(page, server) -> None:  # noqa: ANN001
    login(page, "admin")
    token = page.evaluate("() => localStorage.getItem('tiendo.token')")
    for code, name in (("T-BR-V1", "Thôn Một"), ("T-BR-V2", "Thôn Hai")):
        r = page.request.post("/api/v1/units", headers={"Authorization": f"Bearer {token}"},
                              data={"code": code, "name": name, "kind": "village",
                                    "parent": "GL-X-DATON", "opened_on": "2024-01-01"})
        assert r.status == 201, r.text()
    page.goto("/admin/reorg")
    form = page.locator("main form")
    form.get_by_label("Ngày hiệu lực (dd/mm/yyyy)").fill("01/11/2026")
    form.get_by_label("Căn cứ (số nghị quyết)").fill("Quyết định thử")
    form.get_by_label("Mỗi dòng").fill(
        "T-BR-V1, T-BR-VN, Thôn Một Hai, village, GL-X-DATON\nT-BR-V2, T-BR-VN")
    apply = form.get_by_role("button", name="Áp dụng")
    expect(apply).to_be_disabled()  # a dry run comes first
    form.get_by_role("button", name="Chạy thử").click()
    result = page.get_by_role("status").filter(has_text="Kết quả chạy thử")
    expect(result).to_contain_text("Đơn vị mở: Thôn Một Hai (T-BR-VN)")
    expect(result).to_contain_text("Thôn Một (T-BR-V1)")
    shoot(page, "admin-reorg")
    expect(apply).to_be_enabled()
    apply.click()
    expect(page.get_by_role("status").filter(has_text="Đã áp dụng")).to_be_visible()

    page.goto("/units/T-BR-VN")
    expect(page.locator("main")).to_contain_text("Thành lập từ Thôn Một, Thôn Hai (01/11/2026)")
    page.goto("/units/T-BR-V1")
    expect(page.locator("main")).to_contain_text("Đã sáp nhập vào Thôn Một Hai (01/11/2026)")
    page.goto("/admin/units")
    page.get_by_role("searchbox").first.fill("T-BR-V")
    expect(page.locator("main")).to_contain_text("Thành lập từ")
