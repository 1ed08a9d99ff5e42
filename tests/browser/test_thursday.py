"""The district office's Thursday: the chase list first, whole-week actions, any open week,
numbers as people type them, the print layout."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from browser.helpers import api_get, login, shoot


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
