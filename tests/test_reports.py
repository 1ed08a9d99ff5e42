from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import assert_error
from factories import new_unit, staff_report

HN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def admin(auth):
    return auth("admin")


@pytest.fixture
def unit(client, admin):
    return new_unit(client, admin)


def test_create_read_and_list_a_report(client, admin, unit):
    r = client.post("/api/v1/reports", headers=admin, json=staff_report(unit["code"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["values"] == {"staff_total": 40, "staff_installed": 30}
    assert body["version"] == 1 and body["status"] == "submitted"
    assert body["due_at"] == "2024-07-25T15:00:00+07:00"
    assert r.headers["ETag"] == '"1"'
    got = client.get(f"/api/v1/reports/{body['id']}", headers=admin).json()
    assert got == body
    listed = client.get("/api/v1/reports", headers=admin,
                        params={"unit": unit["code"], "campaign": "ihanoi-2024"}).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == body["id"]


def test_deadline_boundary_on_time_and_late(client, clock, admin):
    early, late = new_unit(client, admin), new_unit(client, admin)
    clock.set(datetime(2024, 7, 25, 14, 59, 59, tzinfo=HN))
    r = client.post("/api/v1/reports", headers=admin, json=staff_report(early["code"]))
    assert r.json()["timeliness"] == "on_time"
    clock.set(datetime(2024, 7, 25, 15, 0, 1, tzinfo=HN))
    r = client.post("/api/v1/reports", headers=admin, json=staff_report(late["code"]))
    assert r.json()["timeliness"] == "late"


def test_second_report_for_the_same_week_is_a_conflict(client, admin, unit):
    assert client.post("/api/v1/reports", headers=admin,
                       json=staff_report(unit["code"])).status_code == 201
    r = client.post("/api/v1/reports", headers=admin, json=staff_report(unit["code"], total=99))
    assert_error(r, 409, "report_exists", "period")
    listed = client.get("/api/v1/reports", headers=admin, params={"unit": unit["code"]}).json()
    assert listed["count"] == 1
    assert listed["data"][0]["values"]["staff_total"] == 40


def test_correction_needs_current_version_and_keeps_revisions(client, admin, unit, auth):
    first = client.post("/api/v1/reports", headers=admin, json=staff_report(unit["code"])).json()
    rid = first["id"]
    new = {"values": {"staff_total": 40, "staff_installed": 35}, "note": "thêm 5 người"}
    assert_error(client.put(f"/api/v1/reports/{rid}", headers=admin, json=new), 428)
    manager = auth("vanphong")
    r = client.put(f"/api/v1/reports/{rid}", headers={**manager, "If-Match": '"1"'}, json=new)
    assert r.status_code == 200, r.text
    assert r.json()["sender_name"] != first["sender_name"]
    assert r.json()["version"] == 2 and r.headers["ETag"] == '"2"'
    stale = client.put(f"/api/v1/reports/{rid}", headers=admin,
                       json={**new, "values": {"staff_total": 40, "staff_installed": 1},
                             "version": 1})
    assert_error(stale, 412, "version_mismatch")
    r = client.get(f"/api/v1/reports/{rid}", headers=admin).json()
    assert r["values"]["staff_installed"] == 35 and r["version"] == 2
    revisions = client.get(f"/api/v1/reports/{rid}/revisions", headers=admin).json()["data"]
    assert [(v["version"], v["values"]["staff_installed"]) for v in revisions] == [(1, 30), (2, 35)]
    # Each version as it was written: by whom, when, with which note.
    assert [(v["changed_by_name"], v["changed_at"], v["note"]) for v in revisions] == [
        (first["sender_name"], first["updated_at"], first["note"]),
        (r["sender_name"], r["updated_at"], "thêm 5 người")]


BAD_VALUES = [
    ({"staff_total": -1, "staff_installed": 0}, 422, "validation_error", "values.staff_total"),
    ({"staff_total": True, "staff_installed": 0}, 422, "validation_error", "values.staff_total"),
    ({"staff_total": "40", "staff_installed": 0}, 422, "validation_error", "values.staff_total"),
    ({"staff_total": 4.0, "staff_installed": 0}, 422, "validation_error", "values.staff_total"),
    ({"staff_total": 10**12, "staff_installed": 0}, 422, "validation_error", "values.staff_total"),
    ({"staff_total": 10, "staff_installed": 11}, 422, "numerator_exceeds_denominator",
     "values.staff_installed"),
    ({"staff_total": 10, "staff_installed": 1, "nonsense": 1}, 422, "unknown_metric",
     "values.nonsense"),
    ({"staff_total": 10, "staff_installed": 1, "residents_accounts": 5}, 422,
     "metric_not_for_unit", "values.residents_accounts"),
    ({"staff_total": 10, "staff_installed": 1, "residents_total": 5}, 422, "baseline_metric",
     "values.residents_total"),
    ({"staff_total": 10}, 422, "missing_metric", "values.staff_installed"),
    ({}, 422, "validation_error", "values"),
]


@pytest.mark.parametrize(("values", "status", "code", "field"), BAD_VALUES)
def test_bad_values_are_refused_and_nothing_is_stored(client, admin, unit, values, status, code,
                                                      field):
    body = {**staff_report(unit["code"]), "values": values}
    assert_error(client.post("/api/v1/reports", headers=admin, json=body), status, code, field)
    assert client.get("/api/v1/reports", headers=admin,
                      params={"unit": unit["code"]}).json()["count"] == 0


@pytest.mark.parametrize(("change", "status", "code", "field"), [
    ({"period": "2024-W53"}, 422, "invalid_period", "period"),
    ({"period": "2024-30"}, 422, "invalid_period", "period"),
    ({"period": "2024-W20"}, 422, "period_outside_campaign", "period"),
    ({"period": "2024-W37"}, 422, "period_outside_campaign", "period"),
    ({"campaign": "ihanoi-live", "period": "2024-W37"}, 422, "period_in_future", "period"),
    ({"campaign": "no-such"}, 404, "campaign_not_found", "campaign"),
    ({"unit": "NO-SUCH-UNIT"}, 404, "unit_not_found", "unit"),
    ({"extra": 1}, 422, "validation_error", "extra"),
    ({"note": "x" * 2001}, 422, "validation_error", "note"),
])
def test_bad_reports_are_refused(client, admin, unit, change, status, code, field):
    body = {**staff_report(unit["code"]), **change}
    assert_error(client.post("/api/v1/reports", headers=admin, json=body), status, code, field)


def test_count_going_down_needs_a_note(client, admin, unit):
    client.post("/api/v1/reports", headers=admin, json=staff_report(unit["code"], "2024-W29"))
    lower = staff_report(unit["code"], "2024-W30", installed=20)
    err = assert_error(client.post("/api/v1/reports", headers=admin, json=lower), 422,
                       "decrease_needs_note", "note")
    assert err["details"][0]["field"] == "values.staff_installed"
    lower["note"] = "2 người nghỉ hưu, 8 người gỡ ứng dụng"
    assert client.post("/api/v1/reports", headers=admin, json=lower).status_code == 201


def test_reporter_cannot_touch_another_commune(client, auth):
    daton, battrang = auth("daton"), auth("battrang")
    mine = client.get("/api/v1/reports", headers=daton,
                      params={"campaign": "ihanoi-2024", "period": "2024-W33"}).json()
    assert {r["unit"] for r in mine["data"]} <= {"GL-X-DATON"}
    theirs = client.get("/api/v1/reports", headers=battrang,
                        params={"campaign": "ihanoi-2024", "unit": "GL-X-BATTRANG"}).json()
    assert theirs["count"] > 0
    rid = theirs["data"][0]["id"]
    assert_error(client.get(f"/api/v1/reports/{rid}", headers=daton), 404)
    assert_error(client.get(f"/api/v1/reports/{rid}/revisions", headers=daton), 404)
    put = client.put(f"/api/v1/reports/{rid}", headers=daton,
                     json={"values": {"staff_total": 1, "staff_installed": 1}, "version": 1})
    assert_error(put, 404)
    post = client.post("/api/v1/reports", headers=daton, json={
        "campaign": "ihanoi-live", "unit": "GL-X-BATTRANG", "period": "2024-W36",
        "values": {"staff_total": 1, "staff_installed": 1, "residents_accounts": 1}})
    assert_error(post, 404, "unit_not_found", "unit")
    assert_error(client.get("/api/v1/reports", headers=daton,
                            params={"unit": "GL-X-BATTRANG"}), 404)
    assert client.get(f"/api/v1/reports/{rid}", headers=battrang).json()["values"] == \
        theirs["data"][0]["values"]


def test_viewer_reads_but_cannot_write(client, auth):
    viewer = auth("lanhdao")
    listed = client.get("/api/v1/reports", headers=viewer, params={"period": "2024-W35"}).json()
    assert listed["count"] > 50
    body = staff_report("GL-P-VHTT", "2024-W36", campaign="ihanoi-live")
    assert_error(client.post("/api/v1/reports", headers=viewer, json=body), 403)
