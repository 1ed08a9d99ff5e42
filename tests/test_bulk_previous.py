"""A bulk post checks each item against the unit's previous week, as a single report does: a
count that goes down needs a note, and a quality rule that compares with the previous week
applies to every item, with a note or without."""

from factories import new_unit
from test_bulk import LIVE, bulk, conflicts, reports_of

UNIT = "GL-X-DATON"


def test_a_count_that_goes_down_needs_a_note(client, auth):
    admin, manager = auth("admin"), auth("vanphong")
    for rule in client.get(f"/api/v1/campaigns/{LIVE}/quality-rules",
                           headers=manager).json()["data"]:  # no rule reads the previous week
        assert client.delete(f"/api/v1/campaigns/{LIVE}/quality-rules/{rule['id']}",
                             headers=manager).status_code == 204
    a, b, c = (new_unit(client, admin, kind="school")["code"] for _ in range(3))
    up, down = {"staff_total": 30, "staff_installed": 20}, {"staff_total": 30,
                                                           "staff_installed": 10}
    first = bulk(client, admin, [{"unit": a, "period": "2024-W35", "values": up},
                                 {"unit": b, "period": "2024-W35", "values": up}])
    assert first.json()["created"] == 2, first.text
    r = bulk(client, admin, [
        {"unit": a, "period": "2024-W36", "values": down},                     # stored W35
        {"unit": b, "period": "2024-W36", "values": down, "note": "chuyển công tác"},
        {"unit": c, "period": "2024-W35", "values": up},
        {"unit": c, "period": "2024-W36", "values": down},                     # W35 above
    ])
    assert r.status_code == 200, r.text
    s = r.json()
    assert conflicts(s) == [(0, "decrease_needs_note", "note"), (3, "decrease_needs_note", "note")]
    assert s["conflicts"][0]["message"].startswith("'staff_installed' giảm từ 20 xuống 10")
    assert (s["created"], s["rejected"]) == (2, 2)
    assert [w["period"] for w in reports_of(client, manager, a)] == ["2024-W35"]
    assert {w["period"] for w in reports_of(client, manager, b)} == {"2024-W35", "2024-W36"}


def test_a_rule_on_the_weekly_change_applies_to_items_with_a_note(client, auth):
    manager = auth("vanphong")
    rows = client.get(f"/api/v1/campaigns/{LIVE}/quality-rules", headers=manager).json()["data"]
    rule = next(r for r in rows if r["metric"] == "staff_total")  # change from last week
    data = {k: v for k, v in rule.items() if k not in ("id", "campaign", "updated_at")}
    assert client.put(f"/api/v1/campaigns/{LIVE}/quality-rules/{rule['id']}", headers=manager,
                      json={**data, "severity": "blocking"}).status_code == 200
    stored = [x for x in reports_of(client, manager, UNIT) if x["period"] < "2024-W36"]
    prev = max(stored, key=lambda x: x["period"])["values"]
    doubled = {**prev, "staff_total": prev["staff_total"] * 2}
    r = bulk(client, auth("admin"), [{"unit": UNIT, "period": "2024-W36", "values": doubled,
                                      "note": "tuyển thêm"}], strategy="create_and_update")
    assert r.status_code == 200, r.text
    assert conflicts(r.json()) == [(0, "quality_rule_failed", "values.staff_total")]
