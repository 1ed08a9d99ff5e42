"""Completeness as the week unfolds: the demo district replayed minute by minute around the
Thursday 15:00 deadline of 2024-W36, and the due list each unit sees."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import assert_error
from factories import integration, login, new_unit

HN = ZoneInfo("Asia/Ho_Chi_Minh")
LIVE = "ihanoi-live"


def at(hour: int, minute: int, second: int = 0, day: int = 5) -> datetime:
    return datetime(2024, 9, day, hour, minute, second, tzinfo=HN)


def view(client, headers, **params) -> dict:
    r = client.get("/api/v1/completeness", headers=headers, params={"campaign": LIVE, "limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()


def check_counts(body: dict) -> dict[str, str]:
    """The counts and rates agree with the unit list; returns unit → status."""
    statuses = {u["unit"]: u["status"] for u in body["data"]}
    n = {s: sum(1 for v in statuses.values() if v == s)
         for s in ("on_time", "late", "missing", "pending")}
    assert body["expected"] == len(statuses)
    assert (body["on_time"], body["late"]) == (n["on_time"], n["late"])
    assert body["missing"] == n["missing"] + n["pending"] and body["pending"] == n["pending"]
    assert body["reporting_rate"] == round((n["on_time"] + n["late"]) / len(statuses), 3)
    assert body["on_time_rate"] == round(n["on_time"] / len(statuses), 3)
    return statuses


def last_week_values(client, headers, unit: str) -> dict:
    r = client.get("/api/v1/reports", headers=headers,
                   params={"campaign": LIVE, "unit": unit, "period": "2024-W35"}).json()
    return r["data"][0]["values"]


def test_a_week_of_the_district_replayed_around_the_deadline(client, clock, auth):
    manager = integration(client, auth("admin"))  # a token outlives the hour-long sessions
    start = view(client, manager)
    assert start["period"] == "2024-W36" and start["due_at"] == "2024-09-05T15:00:00+07:00"
    assert start["under"]["code"] == "HN-GL" and start["locked"] is False
    expected = check_counts(start)
    assert start["expected"] == 139  # 22 communes + agencies, schools, party, mass orgs
    assert {"on_time", "pending"} == set(expected.values())
    assert start["late"] == 0 and start["missing"] == start["pending"] > 0
    units = {u["unit"]: u for u in start["data"]}
    assert all(u["received_at"] and u["sender_name"] and u["report_status"] == "submitted"
               for u in units.values() if u["status"] == "on_time")
    # Units still to report that reported last week (their values carry over, no decrease).
    reported_w35 = {r["unit"] for r in client.get(
        "/api/v1/reports", headers=manager,
        params={"campaign": LIVE, "period": "2024-W35", "limit": 500}).json()["data"]}
    pending = [code for code, s in expected.items() if s == "pending" and code in reported_w35]
    a, b, c, d, e = pending[:5]
    submissions = {at(14, 58, 30): a, at(14, 59, 59): b, at(15, 0, 0): c, at(15, 1, 10): d}
    submitted_at: dict[str, datetime] = {}

    for minute in range(-3, 6):  # 14:57 … 15:05, each minute and the moment of each submission
        moment = at(15, 0) + timedelta(minutes=minute)
        for when, unit in sorted(submissions.items()):
            if moment - timedelta(minutes=1) < when <= moment:
                clock.set(when)
                body = {"campaign": LIVE, "unit": unit, "period": "2024-W36",
                        "values": last_week_values(client, manager, unit)}
                r = client.post("/api/v1/reports", headers=manager, json=body)
                assert r.status_code == 201, r.text
                assert r.json()["timeliness"] == ("on_time" if when < at(15, 0) else "late")
                submitted_at[unit] = when
        clock.set(moment)
        now = view(client, manager)
        statuses = check_counts(now)
        for code, before in expected.items():
            if code in submitted_at:
                want = "on_time" if submitted_at[code] < at(15, 0) else "late"
            elif before == "on_time":
                want = "on_time"
            else:
                want = "pending" if moment < at(15, 0) else "missing"
            assert statuses[code] == want, (moment, code)
        if moment >= at(15, 0):
            assert now["pending"] == 0
    assert statuses[e] == "missing"
    final = view(client, manager)
    seen = {u["unit"]: u for u in final["data"]}
    assert seen[c]["status"] == "late" and seen[c]["received_at"].startswith("2024-09-05T08:00:00")
    assert final["late"] == 2 and final["on_time"] == start["on_time"] + 2

    # Friday: nothing moves any more for this week; the week is still open (locks Thursday next).
    clock.set(at(9, 0, day=6))
    friday = view(client, manager, period="2024-W36")
    assert check_counts(friday) == check_counts(final)
    assert friday["locked"] is False
    clock.set(at(15, 0, day=12))
    assert view(client, manager, period="2024-W36")["locked"] is True


def test_past_week_and_one_subtree(client, auth):
    manager = auth("vanphong")
    past = view(client, manager, period="2024-W35")
    statuses = check_counts(past)
    assert "pending" not in statuses.values() and past["missing"] > 0 and past["late"] > 0
    listed = client.get("/api/v1/reports", headers=manager,
                        params={"campaign": LIVE, "period": "2024-W35", "limit": 500}).json()
    assert past["on_time"] + past["late"] == listed["count"]
    commune = view(client, manager, under="GL-X-DATON")
    assert [u["unit"] for u in commune["data"]] == ["GL-X-DATON"]  # villages do not report
    own = view(client, auth("daton"))
    assert own["under"]["code"] == "GL-X-DATON" and own["expected"] == 1


@pytest.mark.parametrize(("params", "status", "code", "field"), [
    ({"under": "GL-X-BATTRANG"}, 404, "unit_not_found", "under"),
    ({"period": "2024-W20"}, 422, "period_outside_campaign", "period"),
    ({"period": "2024-20"}, 422, "invalid_period", "period"),
    ({"campaign": "no-such"}, 404, "campaign_not_found", "campaign"),
])
def test_completeness_refusals(client, auth, params, status, code, field):
    r = client.get("/api/v1/completeness", headers=auth("daton"),
                   params={"campaign": LIVE, "limit": 500, **params})
    assert_error(r, status, code, field)


def test_finished_campaign_defaults_to_its_last_week(client, auth):
    body = client.get("/api/v1/completeness", headers=auth("lanhdao"),
                      params={"campaign": "ihanoi-2024"}).json()
    assert body["period"] == "2024-W35" and body["pending"] == 0


def test_due_list_of_a_unit(client, clock, auth):
    admin, daton = auth("admin"), auth("daton")
    school = new_unit(client, admin, kind="school", parent="GL-X-DATON")["code"]
    due = [e for e in client.get("/api/v1/due", headers=daton,
                                 params={"campaign": LIVE}).json()["data"] if e["unit"] == school]
    assert [(e["period"], e["status"]) for e in due] == [
        ("2024-W36", "due"), ("2024-W35", "overdue"), ("2024-W34", "overdue"),
        ("2024-W33", "overdue")]
    assert due[0]["due_at"] == "2024-09-05T15:00:00+07:00" and due[0]["report_id"] is None
    r = client.post("/api/v1/reports", headers=daton, json={
        "campaign": LIVE, "unit": school, "period": "2024-W35",
        "values": {"staff_total": 30, "staff_installed": 20}})
    assert r.status_code == 201, r.text
    clock.set(at(15, 30))
    daton = login(client, "daton")
    due = [e for e in client.get("/api/v1/due", headers=daton).json()["data"] if e["unit"] == school]
    assert [(e["period"], e["status"]) for e in due] == [
        ("2024-W36", "overdue"), ("2024-W34", "overdue"), ("2024-W33", "overdue")]
    r = client.post("/api/v1/reports", headers=daton, json={
        "campaign": LIVE, "unit": school, "period": "2024-W36",
        "values": {"staff_total": 30, "staff_installed": 25}})
    due = [e for e in client.get("/api/v1/due", headers=daton).json()["data"] if e["unit"] == school]
    assert due[0] == {**due[0], "period": "2024-W36", "status": "late",
                      "report_id": r.json()["id"]}
    assert {e["unit"] for e in client.get("/api/v1/due", headers=daton).json()["data"]} == {
        "GL-X-DATON", school}
    assert_error(client.get("/api/v1/due", headers=login(client, "lanhdao")), 403)


RANK = {"missing": 0, "late": 1, "pending": 2, "on_time": 3}
KINDS = ["commune", "agency", "public_service", "school", "party", "mass_org", "village"]


def chasing_key(u: dict) -> tuple:
    return (RANK[u["status"]], KINDS.index(u["kind"]), u["kind"], u["unit"])


def test_pages_walk_the_subtree_in_chasing_order(client, auth):
    manager = auth("vanphong")
    whole = view(client, manager, period="2024-W35")
    everyone = whole["data"]
    assert whole["count"] == whole["expected"] == len(everyone) == 139
    assert everyone == sorted(everyone, key=chasing_key)  # missing, late, on time; kind; code
    assert everyone[0]["status"] == "missing" and everyone[-1]["status"] == "on_time"
    first = client.get("/api/v1/completeness", headers=manager, params={
        "campaign": LIVE, "period": "2024-W35"}).json()
    assert (first["limit"], first["offset"], len(first["data"])) == (50, 0, 50)  # the default
    walked, offset = [], 0
    while offset < whole["count"]:
        page = view(client, manager, period="2024-W35", limit=40, offset=offset)
        # The summary is the whole subtree's on every page.
        assert {k: page[k] for k in ("expected", "on_time", "late", "missing", "pending")} == \
            {k: whole[k] for k in ("expected", "on_time", "late", "missing", "pending")}
        walked += page["data"]
        offset += 40
    assert walked == everyone
    past_end = view(client, manager, period="2024-W35", offset=500)
    assert past_end["data"] == [] and past_end["count"] == 139


def test_filters_by_status_and_kind(client, auth):
    manager = auth("vanphong")
    whole = view(client, manager, period="2024-W35")["data"]
    late = view(client, manager, period="2024-W35", status="late")
    assert late["count"] == late["late"] == len(late["data"]) > 0
    assert late["data"] == [u for u in whole if u["status"] == "late"]
    both = view(client, manager, period="2024-W35", status=["late", "missing"])
    assert both["data"] == [u for u in whole if u["status"] in ("late", "missing")]
    schools = view(client, manager, period="2024-W35", kind="school", limit=5)
    want = [u for u in whole if u["kind"] == "school"]
    assert schools["count"] == len(want) and schools["data"] == want[:5]
    assert schools["expected"] == 139  # the counts stay the subtree's
    late_schools = view(client, manager, period="2024-W35", kind="school", status="late",
                        offset=1000)
    assert late_schools["data"] == [] and late_schools["count"] == sum(
        1 for u in want if u["status"] == "late")
    commune = view(client, manager, period="2024-W35", under="GL-X-DATON", kind="commune")
    assert [u["unit"] for u in commune["data"]] == ["GL-X-DATON"]
    # Before the deadline nobody is missing yet: the unsent are pending.
    now = view(client, manager, status="pending")
    assert now["count"] == now["pending"] > 0 and view(client, manager, status="missing")[
        "count"] == 0


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": "x"}, "limit"),
    ({"offset": -1}, "offset"), ({"status": "lost"}, "status.0"), ({"kind": "planet"}, "kind"),
    ({"status": ["late"] * 5}, "status"),
])
def test_paging_and_filter_refusals(client, auth, params, field):
    r = client.get("/api/v1/completeness", headers=auth("vanphong"),
                   params={"campaign": LIVE, **params})
    assert_error(r, 422, "validation_error", field)
