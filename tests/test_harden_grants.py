"""Issue 13, finding 6: a lock or unlock, and a change to a unit, reach only as high as the
caller's grant; reactivating a unit reopens what was closed with it."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, assert_error
from factories import login, new_unit

LIVE = "ihanoi-live"


@pytest.fixture
def commune_staff(client, auth):
    """A manager and an admin of commune Đa Tốn (and nothing above it)."""
    admin = auth("admin")
    out = {}
    for role in ("manager", "admin"):
        r = client.post("/api/v1/users", headers=admin, json={
            "username": f"dt-{role}", "full_name": f"Đa Tốn {role}", "password": PASSWORD,
            "roles": [{"role": role, "unit": "GL-X-DATON"}]})
        assert r.status_code == 201, r.text
        out[role] = login(client, f"dt-{role}")
    return out


def lock(client, headers, unit: str, unlock: bool = False):
    return client.post("/api/v1/locks/unlock" if unlock else "/api/v1/locks", headers=headers,
                       json={"campaign": LIVE, "period": "2024-W35", "unit": unit,
                             "reason": "thử"})


def test_a_commune_cannot_unlock_what_the_district_locked(client, auth, commune_staff):
    district = auth("vanphong")
    assert lock(client, district, "HN-GL").status_code == 201
    for who in ("manager", "admin"):
        for unit in ("GL-X-DATON", "GL-X-DATON-T1"):
            assert_error(lock(client, commune_staff[who], unit, unlock=True), 403,
                         "locked_above_your_grant")
    # The week is still locked for the commune's reports.
    r = client.post("/api/v1/reports/bulk", headers=auth("daton"), json={
        "campaign": LIVE, "items": [{"unit": "GL-X-DATON", "period": "2024-W35",
                                     "values": {"staff_total": 999, "staff_installed": 1}}]})
    assert [c["code"] for c in r.json()["conflicts"]] == ["period_locked"], r.text
    # The district itself may lift it for the commune alone.
    assert lock(client, district, "GL-X-DATON", unlock=True).status_code == 200
    # And what the commune locks itself, the commune may unlock.
    assert lock(client, commune_staff["manager"], "GL-X-DATON").status_code == 201
    assert lock(client, commune_staff["manager"], "GL-X-DATON", unlock=True).status_code == 200


def test_only_the_campaign_owner_lifts_the_automatic_lock(client, auth, commune_staff):
    """W34 locked by itself (7 days after its deadline): the campaign's rule, set by the
    district, is not the commune's to lift, even for its own subtree."""
    week = {"campaign": LIVE, "period": "2024-W34", "reason": "Xin gia hạn"}
    for who in ("manager", "admin"):
        assert_error(client.post("/api/v1/locks/unlock", headers=commune_staff[who],
                                 json={**week, "unit": "GL-X-DATON"}), 403,
                     "locked_above_your_grant")
    r = client.post("/api/v1/reports/bulk", headers=auth("daton"), json={
        "campaign": LIVE, "items": [{"unit": "GL-X-DATON", "period": "2024-W34",
                                     "values": {"staff_total": 999, "staff_installed": 1}}]})
    assert [c["code"] for c in r.json()["conflicts"]] == ["period_locked"], r.text
    assert client.post("/api/v1/locks/unlock", headers=auth("vanphong"),
                       json={**week, "unit": "GL-X-DATON"}).status_code == 200


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/api/v1/units/GL-X-DATON/deactivate", None),
    ("PATCH", "/api/v1/units/GL-X-DATON", {"active": False}),
    ("PATCH", "/api/v1/units/GL-X-DATON", {"name": "Xã khác"}),
    ("PATCH", "/api/v1/units/GL-X-DATON", {"head_name": "Người khác"}),
    ("PATCH", "/api/v1/units/GL-X-DATON", {"parent": "GL-X-DATON"}),
])
def test_nobody_changes_the_top_of_their_own_grant(client, auth, commune_staff, method, path,
                                                   body):
    r = client.request(method, path, headers=commune_staff["admin"], json=body)
    assert_error(r, 403, "unit_above_your_grant")
    unit = client.get("/api/v1/units/GL-X-DATON", headers=auth("admin")).json()
    assert unit["active"] is True and unit["name"] != "Xã khác"
    # Below the top of their grant, the commune's admin still manages the tree.
    r = client.patch("/api/v1/units/GL-X-DATON-T1", headers=commune_staff["admin"],
                     json={"head_name": "Trưởng thôn"})
    assert r.status_code == 200, r.text
    # The district, above it, may change the commune; nobody changes the root from the API.
    r = client.patch("/api/v1/units/GL-X-DATON", headers=auth("admin"), json={"head_name": "X"})
    assert r.status_code == 200, r.text
    assert_error(client.patch("/api/v1/units/HN-GL", headers=auth("admin"),
                              json={"head_name": "X"}), 403, "unit_above_your_grant")


def test_reactivating_reopens_what_was_closed_with_it(client, auth):
    admin = auth("admin")
    agency = new_unit(client, admin, kind="agency")["code"]
    kept_closed, reopened = (new_unit(client, admin, kind="public_service", parent=agency)["code"]
                             for _ in range(2))
    assert client.post(f"/api/v1/units/{kept_closed}/deactivate", headers=admin).is_success
    assert client.post(f"/api/v1/units/{agency}/deactivate", headers=admin).is_success

    def active(code: str) -> bool:
        return client.get(f"/api/v1/units/{code}", headers=admin).json()["active"]

    assert not any(active(c) for c in (agency, kept_closed, reopened))
    r = client.patch(f"/api/v1/units/{agency}", headers=admin, json={"active": True})
    assert r.status_code == 200 and r.json()["active"] is True, r.text
    assert active(reopened)  # closed with it: open again
    assert not active(kept_closed)  # closed on its own before: stays closed
