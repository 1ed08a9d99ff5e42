"""Cần đôn đốc: who the district office chases on Thursday, grouped by kind, with whom to call."""

from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import assert_error
from factories import login
from tiendo.config import get_settings
from tiendo.figures import status

HN = ZoneInfo("Asia/Ho_Chi_Minh")
LIVE = "ihanoi-live"
GROUP_ORDER = ["communes", "agencies", "schools", "party", "other"]
STATUS_ORDER = {"missing": 0, "pending": 1, "returned": 2, "late": 3}


def chase(client, headers, **params) -> dict:
    r = client.get("/api/v1/chase", headers=headers, params={"campaign": LIVE, **params})
    assert r.status_code == 200, r.text
    return r.json()


def completeness(client, headers, period: str) -> dict:
    r = client.get("/api/v1/completeness", headers=headers,
                   params={"campaign": LIVE, "period": period, "limit": 500})
    assert r.status_code == 200, r.text
    return r.json()


def test_thursday_morning_chases_this_week_and_last_week_still_open(client, auth):
    manager = auth("vanphong")
    body = chase(client, manager)
    assert body["under"]["code"] == "HN-GL"
    # Thursday 10:00: this week is due at 15:00; last week is still open (locks at 15:00) and
    # comes first, its deadline long past.
    assert [w["period"] for w in body["weeks"]] == ["2024-W35", "2024-W36"]
    for w in body["weeks"]:
        done = completeness(client, manager, w["period"])
        # One definition of "not reported": the same count as completeness, tiles and lists.
        assert w["not_reported"] == done["missing"] == w["missing"] + w["pending"]
        assert w["late"] == done["late"]
        listed = [u for g in w["groups"] for u in g["units"]]
        want = {u["unit"]: u["status"] for u in done["data"]
                if u["status"] in ("missing", "pending", "late")
                or u["report_status"] == "returned"}
        assert {u["unit"] for u in listed} == set(want)
        keys = [g["key"] for g in w["groups"]]
        assert keys == [k for k in GROUP_ORDER if k in keys]
        for g in w["groups"]:
            kinds = {u["kind"] for u in g["units"]}
            assert kinds <= {"communes": {"commune"}, "agencies": {"agency", "public_service"},
                             "schools": {"school"}, "party": {"party", "mass_org"}}.get(
                                 g["key"], kinds)
            order = [(STATUS_ORDER[u["status"]], -(u["shortfall"] if u["shortfall"] is not None
                                                   else 10)) for u in g["units"]]
            assert order == sorted(order), g["key"]
    last, this = body["weeks"]
    assert this["overdue"] is False and this["pending"] > 0 and this["missing"] == 0
    assert last["overdue"] is True and last["missing"] > 0 and last["locked"] is False
    # Units that reported some earlier week show when they last did.
    assert any(u["last_report_at"] for g in last["groups"] for u in g["units"])
    # The Zalo message names the units still missing and the deadline.
    msg = body["message"]
    assert "trước 15:00 thứ Năm 05/09/2024" in msg
    assert "đề nghị nộp ngay" in msg
    first_missing = next(u for g in last["groups"] for u in g["units"] if u["status"] == "missing")
    assert first_missing["unit_name"] in msg


def test_friday_only_this_week_and_contacts_to_call(client, auth, clock):
    clock.set(datetime(2024, 9, 6, 9, 0, tzinfo=HN))  # last week locked itself at 15:00 Thursday
    admin, manager = login(client, "admin"), login(client, "vanphong")
    body = chase(client, manager)
    assert [w["period"] for w in body["weeks"]] == ["2024-W36"]
    week = body["weeks"][0]
    assert week["pending"] == 0 and week["missing"] > 0
    unit = next(u for g in week["groups"] for u in g["units"] if u["status"] == "missing")
    r = client.put(f"/api/v1/units/{unit['unit']}/contact", headers=admin,
                   json={"name": "Nguyễn Thị Hoa", "title": "Công chức VH-XH",
                         "phone": "0912 345 678"})
    assert r.status_code == 200, r.text
    again = {u["unit"]: u for g in chase(client, manager)["weeks"][0]["groups"]
             for u in g["units"]}[unit["unit"]]
    assert again["contact"]["name"] == "Nguyễn Thị Hoa"
    assert again["phone"] and again["tel"] == "tel:" + again["phone"].replace(" ", "")
    assert "head_name" in again and "last_report_at" in again


def test_chase_is_for_managers_of_the_unit(client, auth):
    assert_error(client.get("/api/v1/chase", headers=auth("daton"),
                            params={"campaign": LIVE}), 403)
    assert_error(client.get("/api/v1/chase", headers=auth("vanphong"),
                            params={"campaign": LIVE, "under": "NOPE"}), 404)


def test_a_group_lists_its_first_units_and_counts_them_all(client, auth):
    """A province has thousands of units to chase: each group lists the first `limit` in the
    same order and counts the rest, and the Zalo message says how many more."""
    manager = auth("vanphong")
    full = chase(client, manager)
    short = chase(client, manager, limit=2)
    for whole, cut in zip(full["weeks"], short["weeks"], strict=True):
        assert [g["key"] for g in cut["groups"]] == [g["key"] for g in whole["groups"]]
        for g, c in zip(whole["groups"], cut["groups"], strict=True):
            assert c["count"] == g["count"] == len(g["units"])
            assert c["units"] == g["units"][:2]
        assert (cut["missing"], cut["pending"], cut["late"]) == (
            whole["missing"], whole["pending"], whole["late"])
    last = short["weeks"][0]
    named = sum(1 for g in last["groups"] for u in g["units"] if u["status"] in ("missing",
                                                                               "pending"))
    more = last["missing"] + last["pending"] - named
    assert more > 0 and f"và {more} đơn vị khác" in short["message"]
    assert_error(client.get("/api/v1/chase", headers=manager,
                            params={"campaign": LIVE, "limit": 0}), 422)


AREA_FIELDS = ("expected", "reported", "not_reported", "missing", "pending", "late", "returned")


def test_a_large_subtree_is_chased_by_its_areas_worst_first(client, auth, monkeypatch):
    """Above a few thousand expected units (a province, the nation) the list names the child
    areas with how many units each has not sent, the highest share first, from the same counts
    as completeness; opening an area gives its units."""
    admin, manager = auth("admin"), auth("vanphong")
    for n in (1, 2, 3):  # Đa Tốn gets schools of its own that have never reported
        r = client.post("/api/v1/units", headers=admin, json={
            "code": f"GL-X-DATON-TH{n}", "name": f"Trường Đa Tốn {n}", "kind": "school",
            "parent": "GL-X-DATON", "opened_on": "2024-01-01"})
        assert r.status_code == 201, r.text
    late = completeness(client, manager, "2024-W35")
    sent_late = next(u for u in late["data"] if u["status"] == "late")
    r = client.post(f"/api/v1/reports/{sent_late['report_id']}/return", headers=manager,
                    json={"reason": "Thiếu số liệu"})
    assert r.status_code == 200, r.text
    by_units = chase(client, manager)
    monkeypatch.setattr(get_settings(), "chase_areas_above", 100)  # Gia Lâm expects ~140
    by_areas = chase(client, manager)
    assert (by_units["by"], by_areas["by"]) == ("units", "areas")
    with monkeypatch.context() as m:  # the same from live counts, without the kept ones
        m.setattr(status, "enabled", lambda session: False)
        assert chase(client, manager) == by_areas
    for units, areas in zip(by_units["weeks"], by_areas["weeks"], strict=True):
        # The week's counts are the same whichever way it is chased.
        assert {k: areas[k] for k in AREA_FIELDS} == {k: units[k] for k in AREA_FIELDS}
        assert areas["groups"] == [] and areas["areas_count"] == len(areas["areas"]) > 1
        assert sum(a["not_reported"] for a in areas["areas"]) == areas["not_reported"]
        assert sum(a["returned"] for a in areas["areas"]) == areas["returned"]
        shares = [a["not_reported"] / a["expected"] for a in areas["areas"]]
        assert shares == sorted(shares, reverse=True)
        for a in areas["areas"]:
            done = client.get("/api/v1/completeness", headers=manager, params={
                "campaign": LIVE, "period": areas["period"], "under": a["unit"]}).json()
            assert (a["expected"], a["not_reported"], a["reported"]) == (
                done["expected"], done["missing"], done["on_time"] + done["late"]), a["unit"]
        daton = next(a for a in areas["areas"] if a["unit"] == "GL-X-DATON")
        assert daton["expected"] == 4 and daton["not_reported"] >= 3
    last, this = by_areas["weeks"]
    assert last["returned"] == 1 and any(a["returned"] == 1 for a in last["areas"])
    # The Zalo message asks the areas to chase their units, the worst first, with counts.
    msg, worst = by_areas["message"], last["areas"][0]
    assert f"Còn {last['not_reported']} đơn vị chưa nộp báo cáo" in msg
    assert "đề nghị các địa bàn đôn đốc nộp ngay" in msg
    assert f"{worst['unit_name']} ({worst['not_reported']} đơn vị)" in msg
    assert "đề nghị các địa bàn đôn đốc nộp trước 15:00 thứ Năm 05/09/2024" in msg
    short = chase(client, manager, limit=2)["weeks"][0]
    assert short["areas"] == last["areas"][:2] and short["areas_count"] == last["areas_count"]
    # Opening an area: its own units, as a district's list.
    inside = chase(client, manager, under="GL-X-DATON")
    assert inside["by"] == "units"
    listed = {u["unit"] for g in inside["weeks"][0]["groups"] for u in g["units"]}
    assert {"GL-X-DATON-TH1", "GL-X-DATON-TH2", "GL-X-DATON-TH3"} <= listed
