"""The due list read in pages: the same entries as one long read, the same units and states as
completeness shows for each week, and one unit's weeks alone with `unit=`."""

from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import assert_error
from factories import login, new_unit

LIVE = "ihanoi-live"
AFTER_DEADLINE = datetime(2024, 9, 5, 15, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
STATE = {"on_time": "on_time", "late": "late", "missing": "overdue", "pending": "due"}


def read_all(client, headers, size: int, **params) -> list[dict]:
    out, offset = [], 0
    while True:
        r = client.get("/api/v1/due", headers=headers,
                       params={"campaign": LIVE, "limit": size, "offset": offset, **params})
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["data"]
        offset += size
        if offset >= body["count"]:
            assert len(out) == body["count"]
            return out


def completeness(client, headers, period: str) -> dict[str, str]:
    r = client.get("/api/v1/completeness", headers=headers,
                   params={"campaign": LIVE, "period": period, "limit": 500})
    assert r.status_code == 200, r.text
    return {u["unit"]: u["status"] for u in r.json()["data"]}


def test_pages_hold_what_completeness_shows_week_by_week(client, clock, auth):
    clock.set(AFTER_DEADLINE)
    manager = login(client, "admin")
    small, large = read_all(client, manager, 7), read_all(client, manager, 200)
    assert small == large
    weeks = [e["period"] for e in small]
    assert weeks == sorted(weeks, reverse=True)  # newest week first, each week in one run
    assert len({(e["unit"], e["period"]) for e in small}) == len(small)
    current = weeks[0]
    by_week: dict[str, dict[str, str]] = {}
    for e in small:
        by_week.setdefault(e["period"], {})[e["unit"]] = e["status"]
    # This week: every unit expected, in completeness's state; earlier weeks: the unsent only.
    assert by_week[current] == {u: STATE[s] for u, s in completeness(
        client, manager, current).items()}
    assert len(by_week) > 1
    for week, units in by_week.items():
        if week != current:
            assert units == {u: "overdue" for u, s in completeness(
                client, manager, week).items() if s == "missing"}, week
    # Each week's units in the tree's order (the report list's): a unit's path of ids.
    listed = [e["unit"] for e in small if e["period"] == current]
    path = paths(client, manager)
    assert listed == sorted(listed, key=path.__getitem__) != sorted(listed)


def paths(client, headers) -> dict[str, str]:
    units, offset, count = [], 0, 1
    while offset < count:
        body = client.get("/api/v1/units", headers=headers,
                          params={"limit": 500, "offset": offset}).json()
        units, count, offset = units + body["data"], body["count"], offset + 500
    by_id = {u["id"]: u for u in units}

    def path(u: dict) -> str:
        above = by_id.get(u["parent_id"])  # above the listed units: the same for all
        return (path(above) if above else "/") + f"{u['id']}/"
    return {u["code"]: path(u) for u in units}


def test_one_units_weeks(client, clock, auth):
    clock.set(AFTER_DEADLINE)
    daton, manager = login(client, "daton"), login(client, "admin")
    mine = read_all(client, daton, 50, unit="GL-X-DATON")
    assert {e["unit"] for e in mine} == {"GL-X-DATON"}
    whole = [e for e in read_all(client, manager, 200) if e["unit"] == "GL-X-DATON"]
    assert mine == whole and mine
    # A unit opened mid-campaign owes the weeks due after it opened only, on both paths.
    late_comer = new_unit(client, manager, kind="school", parent="GL-X-DATON",
                          opened_on="2024-08-23")["code"]
    alone = read_all(client, manager, 50, unit=late_comer)
    assert [(e["period"], e["status"]) for e in alone] == [("2024-W36", "overdue"),
                                                           ("2024-W35", "overdue")]
    assert alone == [e for e in read_all(client, manager, 200) if e["unit"] == late_comer]
    sent = client.post("/api/v1/reports", headers=manager, json={
        "campaign": LIVE, "unit": late_comer, "period": "2024-W36",
        "values": {"staff_total": 30, "staff_installed": 25}})
    assert sent.status_code == 201, sent.text
    alone = read_all(client, manager, 50, unit=late_comer)
    assert [(e["period"], e["status"], e["report_id"]) for e in alone] == [
        ("2024-W36", "late", sent.json()["id"]), ("2024-W35", "overdue", None)]
    assert alone == [e for e in read_all(client, manager, 200) if e["unit"] == late_comer]
    for params, code in [({"unit": "GL-X-BATTRANG"}, 404), ({"unit": "KHONG-CO"}, 404)]:
        assert_error(client.get("/api/v1/due", headers=daton,
                                params={"campaign": LIVE, **params}), code, field="unit")
