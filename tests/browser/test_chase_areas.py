"""A province or the nation chases its areas: the chase card names the areas below, worst
first, with how many units each has not sent; opening one shows that area's own units. Gia Lâm
(~140 units) stands in for a large subtree on a server of its own that switches to areas above
100 expected units."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from browser.conftest import _new_page
from browser.helpers import api_get, login, shoot
from browser.server import Server, start, stop


@pytest.fixture(scope="module")
def area_server(tmp_path_factory) -> Iterator[Server]:  # noqa: ANN001
    os.environ["TIENDO_CHASE_AREAS_ABOVE"] = "100"
    try:
        srv = start(tmp_path_factory.mktemp("tiendo-areas"))
    finally:
        del os.environ["TIENDO_CHASE_AREAS_ABOVE"]
    yield srv
    stop(srv)


@pytest.fixture
def area_page(browser, area_server: Server):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, area_server, 1280, 900)
    yield page
    context.close()


def test_a_large_subtree_is_chased_by_areas_and_one_opens_an_area(area_page) -> None:  # noqa: ANN001
    page = area_page
    login(page, "vanphong")
    chase = page.get_by_role("region", name="Cần đôn đốc")
    areas = chase.get_by_role("group", name=re.compile("Địa bàn còn đơn vị chưa nộp"))
    expect(areas.first).to_be_visible()
    status, body = api_get(page, "/api/v1/chase?campaign=ihanoi-live")
    assert status == 200 and body["by"] == "areas"
    week = next(w for w in body["weeks"] if w["areas"])
    worst = week["areas"][0]
    first = areas.first.get_by_role("listitem").first
    expect(first.get_by_role("link")).to_have_text(worst["unit_name"])
    if worst["not_reported"]:
        expect(first).to_contain_text(f"chưa nộp {worst['not_reported']}/{worst['expected']}")
    # No unit is listed one by one at this level.
    expect(chase.get_by_role("group", name=re.compile("^Trường học"))).to_have_count(0)
    shoot(page, "chase-areas")
    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"under=" + re.escape(worst["unit"])))
    # The area's own chase list: its units, grouped by kind, each with its state.
    expect(chase.get_by_role("group", name=re.compile("Địa bàn"))).to_have_count(0)
    unit = chase.get_by_role("group").first.get_by_role("listitem").first
    expect(unit).to_contain_text(re.compile("Chưa nộp|Nộp muộn|Trả lại|Chờ hạn|Chưa đến hạn"))
    assert not page.js_errors
