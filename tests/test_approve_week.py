"""Approving a whole week in one call: what was approved, what was skipped and why."""

from conftest import assert_error

LIVE = "ihanoi-live"


def reports(client, headers, period: str, **params) -> list[dict]:
    r = client.get("/api/v1/reports", headers=headers,
                   params={"campaign": LIVE, "period": period, "limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def approve(client, headers, body) -> dict:
    r = client.post("/api/v1/reports/approve", headers=headers, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_one_call_approves_the_week_and_says_what_it_skipped(client, auth):
    manager = auth("vanphong")
    week = reports(client, manager, "2024-W36")
    submitted = [r for r in week if r["status"] == "submitted"]
    assert len(submitted) > 20
    one, two = submitted[0], submitted[1]
    r = client.post(f"/api/v1/reports/{one['id']}/return", headers=manager,
                    json={"reason": "Thiếu số liệu thôn 3"})
    assert r.status_code == 200, r.text
    assert client.post(f"/api/v1/reports/{two['id']}/approve", headers=manager).status_code == 200

    out = approve(client, manager, {"campaign": LIVE, "period": "2024-W36", "unit": "HN-GL"})
    approved = {a["id"] for a in out["approved"]}
    assert approved == {r["id"] for r in submitted[2:]}
    skipped = {s["id"]: s for s in out["skipped"]}
    assert skipped[one["id"]]["code"] == "report_returned"
    assert skipped[two["id"]]["code"] == "report_approved"
    assert skipped[two["id"]]["reason"] == "Đã được duyệt trước đó."
    after = {r["id"]: r["status"] for r in reports(client, manager, "2024-W36")}
    assert all(after[i] == "approved" for i in approved) and after[one["id"]] == "returned"
    # Each approval is audited, as one click on a single report would be.
    r = client.get("/api/v1/audit", headers=auth("admin"),
                   params={"action": "report.approve", "limit": 500})
    audited = {int(a["object_id"]) for a in r.json()["data"]}
    assert approved <= audited
    # Again: nothing left to approve, everything skipped.
    again = approve(client, manager, {"campaign": LIVE, "period": "2024-W36", "unit": "HN-GL"})
    assert again["approved"] == [] and len(again["skipped"]) == len(week)


def test_a_locked_week_is_approved_like_an_open_one_and_unknown_ids_are_skipped(client, auth):
    """Approving changes no figure, so a lock does not stop it (the single approval never did);
    returning a report for correction in a locked week stays refused."""
    manager = auth("vanphong")
    r = client.post("/api/v1/locks", headers=manager,
                    json={"campaign": LIVE, "period": "2024-W35", "unit": "GL-X-DATON"})
    assert r.status_code == 201, r.text
    out = approve(client, manager, {"campaign": LIVE, "period": "2024-W35", "unit": "GL-X-DATON"})
    assert out["approved"] and out["skipped"] == []
    assert {a["unit"] for a in out["approved"]} >= {"GL-X-DATON"}

    w36 = [r for r in reports(client, manager, "2024-W36") if r["status"] == "submitted"]
    out = approve(client, manager, {"ids": [w36[0]["id"], 999999, w36[0]["id"]]})
    assert [a["id"] for a in out["approved"]] == [w36[0]["id"]]
    assert [(s["id"], s["code"]) for s in out["skipped"]] == [(999999, "report_not_found")]


def test_bad_requests_change_nothing(client, auth):
    manager = auth("vanphong")
    assert_error(client.post("/api/v1/reports/approve", headers=manager,
                             json={"campaign": LIVE, "period": "2024-W36"}), 422,
                 "approve_scope", "unit")
    assert_error(client.post("/api/v1/reports/approve", headers=manager,
                             json={"ids": [1], "unit": "HN-GL"}), 422, "approve_scope")
    assert_error(client.post("/api/v1/reports/approve", headers=auth("daton"),
                             json={"ids": [1]}), 403)
    assert all(r["status"] != "approved" for r in reports(client, manager, "2024-W36"))
