from conftest import assert_error
from factories import new_unit, staff_report


def test_list_filters_and_subtree(client, auth):
    admin = auth("admin")
    communes = client.get("/api/v1/units", headers=admin,
                          params={"kind": "commune", "limit": 100}).json()
    assert communes["count"] == 22
    under = client.get("/api/v1/units", headers=admin, params={"under": "GL-X-DATON"}).json()
    assert [u["code"] for u in under["data"]][0] == "GL-X-DATON"
    assert {u["kind"] for u in under["data"][1:]} == {"village"}
    children = client.get("/api/v1/units", headers=admin, params={"parent": "HN-GL",
                                                                   "limit": 1}).json()
    assert children["count"] == 22 + 12 + 2 + 5 + 6 + 92
    found = client.get("/api/v1/units", headers=admin, params={"q": "bát tràng"}).json()
    assert "GL-X-BATTRANG" in {u["code"] for u in found["data"]}
    by_code = client.get("/api/v1/units/GL-X-DATON", headers=admin).json()
    assert client.get(f"/api/v1/units/{by_code['id']}", headers=admin).json() == by_code


def test_reporter_sees_only_own_subtree(client, auth):
    daton = auth("daton")
    listed = client.get("/api/v1/units", headers=daton, params={"limit": 500}).json()
    assert listed["data"][0]["code"] == "GL-X-DATON"
    assert all(u["code"].startswith("GL-X-DATON") for u in listed["data"])
    assert_error(client.get("/api/v1/units/GL-X-BATTRANG", headers=daton), 404)
    assert_error(client.get("/api/v1/units", headers=daton, params={"under": "HN-GL"}), 404)


def test_create_rules(client, auth):
    admin = auth("admin")
    unit = new_unit(client, admin, kind="village", parent="GL-X-DATON")
    assert unit["depth"] == 3
    dup = {"code": unit["code"], "name": "Khác", "kind": "village", "parent": "GL-X-DATON"}
    assert_error(client.post("/api/v1/units", headers=admin, json=dup), 409, "unit_exists", "code")
    wrong = {"code": "T-WRONG", "name": "Thôn", "kind": "village", "parent": "HN-GL"}
    assert_error(client.post("/api/v1/units", headers=admin, json=wrong), 422, "invalid_parent")
    bad_code = {"code": "có dấu", "name": "x", "kind": "agency", "parent": "HN-GL"}
    assert_error(client.post("/api/v1/units", headers=admin, json=bad_code), 422, field="code")
    assert_error(client.post("/api/v1/units", headers=auth("vanphong"),
                             json={**wrong, "kind": "agency"}), 403)


def test_move_updates_the_subtree(client, auth):
    admin = auth("admin")
    village = new_unit(client, admin, kind="village", parent="GL-X-DATON")
    moved = client.patch(f"/api/v1/units/{village['code']}", headers=admin,
                         json={"parent": "GL-X-BATTRANG"})
    assert moved.status_code == 200, moved.text
    under = client.get("/api/v1/units", headers=admin,
                       params={"under": "GL-X-BATTRANG", "limit": 100}).json()
    assert village["code"] in {u["code"] for u in under["data"]}
    loop = client.patch("/api/v1/units/GL-X-DATON", headers=admin, json={"parent": "GL-X-DATON-T1"})
    assert_error(loop, 422)


def test_unit_with_reports_is_deactivated_not_deleted(client, auth):
    admin = auth("admin")
    unit = new_unit(client, admin)
    assert client.post("/api/v1/reports", headers=admin,
                       json=staff_report(unit["code"])).status_code == 201
    assert_error(client.delete(f"/api/v1/units/{unit['code']}", headers=admin), 409, "unit_in_use")
    r = client.post(f"/api/v1/units/{unit['code']}/deactivate", headers=admin,
                    json={"closed_on": "2024-07-29"})
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/v1/reports", headers=admin,
                      params={"unit": unit["code"]}).json()["count"] == 1
    # Closed on Monday of 2024-W31: that week (due Thursday) no longer expects it.
    late = staff_report(unit["code"], "2024-W31", installed=31)
    assert_error(client.post("/api/v1/reports", headers=admin, json=late), 422, "unit_inactive")
    empty = new_unit(client, admin)
    assert client.delete(f"/api/v1/units/{empty['code']}", headers=admin).status_code == 204
    assert_error(client.get(f"/api/v1/units/{empty['code']}", headers=admin), 404)


def test_contact_is_validated_and_shown_to_managers_only(client, auth):
    admin, manager, viewer = auth("admin"), auth("vanphong"), auth("lanhdao")
    url = "/api/v1/units/GL-X-DATON/contact"
    bad = client.put(url, headers=admin, json={"phone": "12345"})
    assert_error(bad, 422, field="phone")
    assert_error(client.put(url, headers=admin, json={"email": "không-phải-email"}), 422,
                 field="email")
    assert_error(client.put(url, headers=auth("daton"), json={"name": "x"}), 403)
    sent = {"name": "Nguyễn Thị Hoa", "title": "Công chức VH-XH", "phone": "+84 912.345.678",
            "email": "hoa@daton.gialam.gov.vn", "zalo_phone": "0243 8276 123"}
    saved = client.put(url, headers=admin, json=sent)
    assert saved.status_code == 200, saved.text
    contact = saved.json()["contact"]
    assert contact["phone"] == "0912345678" and contact["zalo_phone"] == "02438276123"
    assert client.get("/api/v1/units/GL-X-DATON", headers=manager).json()["contact"] == contact
    assert client.get("/api/v1/units/GL-X-DATON", headers=viewer).json()["contact"] is None
    listed = client.get("/api/v1/units", headers=manager, params={"code": "GL-X-DATON"}).json()
    assert listed["data"][0]["contact"]["name"] == "Nguyễn Thị Hoa"


def test_close_on_a_date_and_reopen_what_closed_with_it(client, auth):
    admin = auth("admin")
    commune = new_unit(client, admin, kind="commune", parent="HN-GL", opened_on=None)
    assert commune["opened_on"] == "2024-09-05" and commune["closed_on"] is None  # today
    early = new_unit(client, admin, kind="village", parent=commune["code"])
    late = new_unit(client, admin, kind="village", parent=commune["code"])
    url = "/api/v1/units/{}/deactivate"
    for day in ("2020-01-01", "2024-09-06"):  # before it opened; tomorrow
        refused = client.post(url.format(commune["code"]), headers=admin, json={"closed_on": day})
        assert_error(refused, 422, "invalid_date", "closed_on")
    early = client.post(url.format(early["code"]), headers=admin,
                        json={"closed_on": "2024-06-01"}).json()
    assert early["closed_on"] == "2024-06-01"
    closed = client.post(url.format(commune["code"]), headers=admin).json()
    assert (closed["active"], closed["closed_on"]) == (False, "2024-09-05")
    assert_error(client.post(url.format(commune["code"]), headers=admin), 409, "unit_closed")
    reopened = client.patch(f"/api/v1/units/{commune['code']}", headers=admin,
                            json={"active": True}).json()
    assert (reopened["active"], reopened["closed_on"]) == (True, None)
    state = {c: client.get(f"/api/v1/units/{c}", headers=admin).json()["closed_on"]
             for c in (early["code"], late["code"])}
    assert state == {early["code"]: "2024-06-01", late["code"]: None}


def test_a_unit_reports_only_for_weeks_it_was_open_in(client, auth):
    admin = auth("admin")
    unit = new_unit(client, admin, opened_on="2024-08-01")  # Thursday, the due day of 2024-W31
    before = staff_report(unit["code"], "2024-W30")
    assert_error(client.post("/api/v1/reports", headers=admin, json=before), 422,
                 "unit_not_open", "unit")
    bulk = client.post("/api/v1/reports/bulk", headers=admin, json={
        "campaign": "ihanoi-2024", "items": [{k: v for k, v in before.items() if k != "campaign"}]})
    assert bulk.json()["conflicts"][0]["code"] == "unit_not_open"
    assert client.post("/api/v1/reports", headers=admin,
                       json=staff_report(unit["code"], "2024-W31")).status_code == 201
    done = client.get("/api/v1/completeness", headers=admin, params={
        "campaign": "ihanoi-2024", "period": "2024-W30", "under": "HN-GL", "limit": 500}).json()
    assert unit["code"] not in {u["unit"] for u in done["data"]}
    done = client.get("/api/v1/completeness", headers=admin, params={
        "campaign": "ihanoi-2024", "period": "2024-W31", "under": "HN-GL", "limit": 500}).json()
    assert unit["code"] in {u["unit"] for u in done["data"]}
