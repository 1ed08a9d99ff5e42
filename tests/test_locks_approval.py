"""Approval, return, manual and automatic locks: what a reporter and a manager notice."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event

from conftest import assert_error
from factories import login, new_unit

HN = ZoneInfo("Asia/Ho_Chi_Minh")
LIVE = "ihanoi-live"
STAFF = {"staff_total": 30, "staff_installed": 20}


def post(client, headers, unit: str, period: str = "2024-W36", values=None, **extra):
    return client.post("/api/v1/reports", headers=headers, json={
        "campaign": LIVE, "unit": unit, "period": period, "values": values or STAFF, **extra})


@pytest.fixture
def school(client, auth):
    """A school of Đa Tốn, reported by the commune's reporter."""
    return new_unit(client, auth("admin"), kind="school", parent="GL-X-DATON")["code"]


def test_approve_makes_read_only_and_return_reopens(client, auth, school):
    daton, manager = auth("daton"), auth("vanphong")
    rid = post(client, daton, school).json()["id"]
    assert_error(client.post(f"/api/v1/reports/{rid}/approve", headers=daton), 403)
    stale = client.post(f"/api/v1/reports/{rid}/approve", headers={**manager, "If-Match": '"7"'})
    assert_error(stale, 412)
    r = client.post(f"/api/v1/reports/{rid}/approve", headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["reviewed_by_name"].startswith("Văn phòng")
    put = client.put(f"/api/v1/reports/{rid}", headers=daton,
                     json={"values": {"staff_total": 30, "staff_installed": 25}, "version": 1})
    assert_error(put, 409, "report_approved")
    assert_error(client.post(f"/api/v1/reports/{rid}/approve", headers=manager), 409,
                 "report_approved")
    assert_error(client.post(f"/api/v1/reports/{rid}/return", headers=manager, json={}), 422,
                 field="reason")
    r = client.post(f"/api/v1/reports/{rid}/return", headers=manager,
                    json={"reason": "Số cài đặt chưa khớp danh sách"})
    assert r.json()["status"] == "returned"
    assert r.json()["review_reason"] == "Số cài đặt chưa khớp danh sách"
    put = client.put(f"/api/v1/reports/{rid}", headers=daton,
                     json={"values": {"staff_total": 30, "staff_installed": 25}, "version": 1})
    assert put.status_code == 200, put.text
    assert put.json()["status"] == "submitted" and put.json()["version"] == 2
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=auth("admin"), params={
        "object_type": "report", "object_id": str(rid)}).json()["data"]]
    assert {"report.approve", "report.return", "report.update"} <= set(actions)


def test_week_locks_by_itself_days_after_its_deadline(client, clock, auth, school):
    admin = auth("admin")
    assert_error(post(client, admin, school, "2024-W34"), 423, "period_locked", "period")
    clock.set(datetime(2024, 9, 5, 14, 59, 59, tzinfo=HN))  # W35 was due 29/08 15:00, + 7 days
    admin = login(client, "admin")
    assert post(client, admin, school, "2024-W35").status_code == 201
    rid = client.get("/api/v1/reports", headers=admin, params={
        "unit": school, "period": "2024-W35"}).json()["data"][0]["id"]
    clock.set(datetime(2024, 9, 5, 15, 0, tzinfo=HN))
    put = client.put(f"/api/v1/reports/{rid}", headers=admin,
                     json={"values": {"staff_total": 30, "staff_installed": 21}, "version": 1})
    err = assert_error(put, 423, "period_locked")
    assert "tự động khoá lúc 15:00 05/09/2024" in err["message"]
    assert err["details"][0]["automatic"] is True
    locks = client.get("/api/v1/locks", headers=admin, params={"campaign": LIVE}).json()["data"]
    assert [(lk["period"], lk["automatic"], lk["unit"]) for lk in locks] == [
        ("2024-W35", True, "HN-GL"), ("2024-W34", True, "HN-GL"), ("2024-W33", True, "HN-GL")]
    # The archived demo campaign never locks by itself (lock_after_days = 0).
    assert client.get("/api/v1/locks", headers=admin,
                      params={"campaign": "ihanoi-2024"}).json()["data"] == []


def test_manager_locks_a_subtree_and_unlocks_with_a_reason(client, auth, school):
    daton, battrang, manager = auth("daton"), auth("battrang"), auth("vanphong")
    rid = post(client, daton, school).json()["id"]
    lock = {"campaign": LIVE, "period": "2024-W36", "unit": "GL-X-DATON",
            "reason": "Đã chốt số liệu xã"}
    assert_error(client.post("/api/v1/locks", headers=daton, json=lock), 403)
    r = client.post("/api/v1/locks", headers=manager, json=lock)
    assert r.status_code == 201, r.text
    assert r.json()["unit"] == "GL-X-DATON" and r.json()["automatic"] is False
    err = assert_error(client.put(f"/api/v1/reports/{rid}", headers=daton, json={
        "values": {"staff_total": 30, "staff_installed": 22}, "version": 1}), 423, "period_locked")
    assert "Đã chốt số liệu xã" in err["message"]
    other = new_unit(client, auth("admin"), kind="school", parent="GL-X-DATON")["code"]
    assert_error(post(client, daton, other), 423, "period_locked")
    # Bát Tràng is outside the locked subtree.
    theirs = new_unit(client, auth("admin"), kind="school", parent="GL-X-BATTRANG")["code"]
    assert post(client, battrang, theirs).status_code == 201
    listed = client.get("/api/v1/locks", headers=manager,
                        params={"campaign": LIVE, "period": "2024-W36"}).json()["data"]
    assert [lk["unit"] for lk in listed] == ["GL-X-DATON"]
    unlock = {**lock, "reason": ""}
    assert_error(client.post("/api/v1/locks/unlock", headers=manager, json=unlock), 422,
                 field="reason")
    unlock["reason"] = "Xã cần sửa theo đối chiếu của Phòng VH-TT"
    r = client.post("/api/v1/locks/unlock", headers=manager, json=unlock)
    assert r.status_code == 200, r.text
    assert r.json()["reason"] == unlock["reason"]
    assert_error(client.post("/api/v1/locks/unlock", headers=manager, json=unlock), 409,
                 "period_not_locked")
    assert client.put(f"/api/v1/reports/{rid}", headers=daton, json={
        "values": {"staff_total": 30, "staff_installed": 22}, "version": 1}).status_code == 200
    audit = client.get("/api/v1/audit", headers=auth("admin"),
                       params={"action": "period.unlock"}).json()["data"]
    assert audit[0]["detail"]["reason"] == unlock["reason"]


def test_unlocking_one_commune_inside_a_locked_district(client, auth, school):
    manager, daton = auth("vanphong"), auth("daton")
    week = {"campaign": LIVE, "period": "2024-W34"}  # locked by itself already
    elsewhere = new_unit(client, auth("admin"), kind="school")["code"]
    assert_error(post(client, daton, school, "2024-W34"), 423)
    r = client.post("/api/v1/locks/unlock", headers=manager,
                    json={**week, "unit": "GL-X-DATON", "reason": "Gia hạn cho xã Đa Tốn"})
    assert r.status_code == 200, r.text
    assert post(client, daton, school, "2024-W34").status_code == 201
    assert_error(post(client, manager, elsewhere, "2024-W34"), 423, "period_locked")
    # Locking the district again covers the commune too.
    assert client.post("/api/v1/locks", headers=manager,
                       json={**week, "unit": "HN-GL"}).status_code == 201
    assert_error(post(client, daton, new_unit(client, auth("admin"), kind="school",
                                              parent="GL-X-DATON")["code"], "2024-W34"), 423)
    view = client.get("/api/v1/completeness", headers=manager,
                      params={**week, "under": "GL-X-DATON"}).json()
    assert view["locked"] is True


def test_returning_a_report_of_a_locked_week_is_refused(client, auth):
    manager = auth("vanphong")
    rid = client.get("/api/v1/reports", headers=manager, params={
        "campaign": LIVE, "period": "2024-W33", "limit": 1}).json()["data"][0]["id"]
    assert_error(client.post(f"/api/v1/reports/{rid}/return", headers=manager,
                             json={"reason": "muộn"}), 423, "period_locked")
    assert client.post(f"/api/v1/reports/{rid}/approve", headers=manager).status_code == 200


def test_a_week_s_locks_are_read_once_and_a_lock_is_seen_at_once(client, auth, school):
    """A process keeps a week's locks with the campaign's configuration: the next report into
    the week reads no lock (a statement less on the path every report takes). A lock gives the
    campaign a new configuration tag, so the very next report is refused; the unlock too."""
    daton, manager = auth("daton"), auth("vanphong")
    assert post(client, daton, school).status_code == 201  # the week's locks read, and kept
    second = new_unit(client, auth("admin"), kind="school", parent="GL-X-DATON")["code"]
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert post(client, daton, second).status_code == 201
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert any("INSERT INTO report" in s for s in statements)
    assert not [s for s in statements if "period_lock" in s]
    lock = {"campaign": LIVE, "period": "2024-W36", "unit": "GL-X-DATON", "reason": "Chốt số"}
    assert client.post("/api/v1/locks", headers=manager, json=lock).status_code == 201
    third = new_unit(client, auth("admin"), kind="school", parent="GL-X-DATON")["code"]
    assert_error(post(client, daton, third), 423, "period_locked")
    assert client.post("/api/v1/locks/unlock", headers=manager,
                       json={**lock, "reason": "Mở lại"}).status_code == 200
    assert post(client, daton, third).status_code == 201
