from sqlalchemy import text

from conftest import assert_error


def test_demo_campaigns_with_metrics_and_targets(client, auth):
    campaigns = client.get("/api/v1/campaigns", headers=auth("daton")).json()["data"]
    assert {c["code"] for c in campaigns} == {"ihanoi-2024", "ihanoi-live"}
    historic = next(c for c in campaigns if c["code"] == "ihanoi-2024")
    assert historic["due_weekday"] == 4 and historic["due_time"] == "15:00:00"
    assert historic["timezone"] == "Asia/Ho_Chi_Minh"
    assert [m["code"] for m in historic["metrics"]][:4] == [
        "staff_total", "staff_installed", "residents_total", "residents_accounts"]
    targets = client.get("/api/v1/targets", headers=auth("daton"),
                         params={"campaign": "ihanoi-2024"}).json()["data"]
    staff = next(t for t in targets if t["code"] == "staff")
    assert (staff["deadline"], staff["upstream_deadline"]) == ("2024-07-26", "2024-07-30")
    residents = next(t for t in targets if t["code"] == "residents")
    assert (residents["deadline"], residents["upstream_deadline"]) == ("2024-08-30", "2024-09-14")


def test_every_demo_count_is_cumulative(session):
    """Counts are cumulative (the directive's rule, the form's "a decrease needs a note"): in
    the demo too, no unit's count of any metric goes down from one of its reports to the next,
    the propaganda counts included (they once were drawn afresh each week)."""
    rows = session.exec(text(
        "SELECT c.code, r.unit_id, m.code, r.period, v.value FROM report r "
        "JOIN campaign c ON c.id = r.campaign_id JOIN report_value v ON v.report_id = r.id "
        "JOIN metric m ON m.id = v.metric_id ORDER BY c.code, r.unit_id, m.code, r.period"
    )).all()
    last: dict[tuple, int] = {}
    down = []
    for campaign, unit, metric, period, value in rows:
        key = (campaign, unit, metric)
        if key in last and value < last[key]:
            down.append((*key, period, last[key], value))
        last[key] = value
    assert {m for _, _, m in last} >= {"broadcasts", "posters", "meetings", "staff_installed"}
    assert down == []


def test_create_campaign_target_lifecycle(client, auth):
    admin, manager = auth("admin"), auth("vanphong")
    body = {"code": "vneid-2025", "name": "Kích hoạt VNeID", "owner": "HN-GL",
            "start_date": "2024-09-02", "end_date": "2024-12-29",
            "metrics": [{"code": "people", "name": "Dân số", "unit_kinds": ["commune"],
                         "is_baseline": True},
                        {"code": "activated", "name": "Đã kích hoạt", "unit_kinds": ["commune"]}]}
    r = client.post("/api/v1/campaigns", headers=admin, json=body)
    assert r.status_code == 201, r.text
    assert_error(client.post("/api/v1/campaigns", headers=admin, json=body), 409)
    # Managers run campaigns too (tests/test_campaign_clone.py); a reporter may not.
    assert_error(client.post("/api/v1/campaigns", headers=auth("daton"),
                             json={**body, "code": "other"}), 403)
    bad = {**body, "code": "x2", "end_date": "2024-01-01"}
    assert_error(client.post("/api/v1/campaigns", headers=admin, json=bad), 422)
    bad_tz = {**body, "code": "x3", "timezone": "Mars/Olympus"}
    assert_error(client.post("/api/v1/campaigns", headers=admin, json=bad_tz), 422,
                 field="timezone")
    target = {"campaign": "vneid-2025", "code": "act", "name": "80% kích hoạt",
              "numerator": "activated", "denominator": "people", "goal_ratio": 0.8,
              "deadline": "2024-12-01", "upstream_deadline": "2024-12-15",
              "unit_kinds": ["commune"]}
    t = client.post("/api/v1/targets", headers=manager, json=target)
    assert t.status_code == 201, t.text
    tid = t.json()["id"]
    early = client.patch(f"/api/v1/targets/{tid}", headers=manager,
                         json={"upstream_deadline": "2024-11-01"})
    assert_error(early, 422, field="upstream_deadline")
    assert client.get(f"/api/v1/targets/{tid}", headers=manager).json()["upstream_deadline"] == \
        "2024-12-15"
    assert_error(client.post("/api/v1/targets", headers=auth("daton"),
                             json={**target, "code": "x"}), 403)
    unknown = {**target, "code": "y", "numerator": "nope"}
    assert_error(client.post("/api/v1/targets", headers=manager, json=unknown), 422,
                 "unknown_metric", "numerator")
    assert client.delete(f"/api/v1/targets/{tid}", headers=manager).status_code == 204
    assert_error(client.get(f"/api/v1/targets/{tid}", headers=manager), 404)


def test_baselines(client, auth):
    manager = auth("vanphong")
    body = {"campaign": "ihanoi-2024", "unit": "GL-X-DATON", "metric": "residents_total",
            "value": 31000}
    r = client.put("/api/v1/baselines", headers=manager, json=body)
    assert r.status_code == 200 and r.json()["value"] == 31000
    listed = client.get("/api/v1/baselines", headers=auth("daton"),
                        params={"campaign": "ihanoi-2024"}).json()
    assert [(b["unit"], b["value"]) for b in listed["data"]] == [("GL-X-DATON", 31000)]
    weekly = {**body, "metric": "staff_total"}
    assert_error(client.put("/api/v1/baselines", headers=manager, json=weekly), 422,
                 "not_a_baseline")
    assert_error(client.put("/api/v1/baselines", headers=auth("daton"), json=body), 403)
    assert_error(client.put("/api/v1/baselines", headers=manager, json={**body, "value": -5}),
                 422, field="value")


def test_reports_follow_campaign_changes_at_once(client, auth):
    """Processes keep a campaign's metrics and targets between requests: every change must
    reach the very next report."""
    admin, manager, reporter = auth("admin"), auth("vanphong"), auth("daton")
    assert client.post("/api/v1/campaigns", headers=admin, json={
        "code": "cfg", "name": "Cấu hình", "owner": "HN-GL", "start_date": "2024-08-05",
        "end_date": "2024-12-29", "lock_after_days": 0,
        "metrics": [{"code": "a", "name": "A", "unit_kinds": ["commune"]}]}).status_code == 201

    def send(period: str, values: dict):  # noqa: ANN202
        return client.post("/api/v1/reports", headers=reporter, json={
            "campaign": "cfg", "unit": "GL-X-DATON", "period": period, "values": values})

    assert send("2024-W32", {"a": 5}).status_code == 201
    assert_error(send("2024-W33", {"a": 6, "b": 1}), 422, "unknown_metric", "values.b")
    r = client.post("/api/v1/campaigns/cfg/metrics", headers=admin,
                    json={"code": "b", "name": "B", "unit_kinds": ["commune"]})
    assert r.status_code == 201, r.text
    assert send("2024-W33", {"a": 6, "b": 1}).status_code == 201

    t = client.post("/api/v1/targets", headers=manager, json={
        "campaign": "cfg", "code": "ba", "name": "B / A", "numerator": "b", "denominator": "a",
        "deadline": "2024-12-01", "unit_kinds": ["commune"]})
    assert t.status_code == 201, t.text
    assert_error(send("2024-W34", {"a": 7}), 422, "missing_metric", "values.b")
    assert client.delete(f"/api/v1/targets/{t.json()['id']}", headers=manager).status_code == 204
    assert send("2024-W34", {"a": 7}).status_code == 201

    r = client.patch("/api/v1/campaigns/cfg/metrics/b", headers=admin,
                     json={"unit_kinds": ["school"]})
    assert r.status_code == 200, r.text
    assert_error(send("2024-W35", {"a": 8, "b": 2}), 422, "metric_not_for_unit", "values.b")
    r = client.patch("/api/v1/campaigns/cfg", headers=admin, json={"end_date": "2024-08-25"})
    assert r.status_code == 200, r.text
    assert_error(send("2024-W35", {"a": 8}), 422, "period_outside_campaign", "period")
