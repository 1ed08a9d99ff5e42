"""The next campaign from an earlier one, and who may create, clone and edit campaigns."""

from __future__ import annotations

from datetime import date

from conftest import assert_error


def _targets(client, headers, campaign: str) -> dict[str, dict]:  # noqa: ANN001
    r = client.get("/api/v1/targets", headers=headers, params={"campaign": campaign})
    assert r.status_code == 200, r.text
    return {t["code"]: t for t in r.json()["data"]}


def _baselines(client, headers, campaign: str) -> dict[tuple[str, str], int]:  # noqa: ANN001
    r = client.get("/api/v1/baselines", headers=headers,
                   params={"campaign": campaign, "limit": 500})
    assert r.status_code == 200, r.text
    return {(b["unit"], b["metric"]): b["value"] for b in r.json()["data"]}


def test_manager_clones_the_demo_to_new_dates(client, auth):
    manager = auth("vanphong")
    source = client.get("/api/v1/campaigns/ihanoi-2024", headers=manager).json()
    r = client.post("/api/v1/campaigns/ihanoi-2024/clone", headers=manager, json={
        "code": "ihanoi-2025", "name": "Cài đặt iHanoi 2025", "start_date": "2025-07-07",
        "copy_baselines": True})
    assert r.status_code == 201, r.text
    clone = r.json()
    shift = date(2025, 7, 7) - date.fromisoformat(source["start_date"])
    assert clone["end_date"] == (date.fromisoformat(source["end_date"]) + shift).isoformat()
    assert [(m["code"], m["unit_kinds"], m["is_baseline"]) for m in clone["metrics"]] == \
        [(m["code"], m["unit_kinds"], m["is_baseline"]) for m in source["metrics"]]
    for key in ("due_weekday", "due_time", "lock_after_days", "report_settings", "timezone",
                "owner_unit_id"):
        assert clone[key] == source[key], key
    assert clone["is_demo"] is False and clone["public_leaderboard"] is False
    old, new = _targets(client, manager, "ihanoi-2024"), _targets(client, manager, "ihanoi-2025")
    assert set(new) == set(old) and old
    for code, t in old.items():
        n = new[code]
        assert n["deadline"] == (date.fromisoformat(t["deadline"]) + shift).isoformat()
        if t["upstream_deadline"]:
            assert n["upstream_deadline"] == \
                (date.fromisoformat(t["upstream_deadline"]) + shift).isoformat()
        assert (n["numerator"], n["denominator"], n["goal_ratio"], n["unit_kinds"]) == \
            (t["numerator"], t["denominator"], t["goal_ratio"], t["unit_kinds"])
    copied = _baselines(client, manager, "ihanoi-2025")
    assert copied and copied == _baselines(client, manager, "ihanoi-2024")
    # The clone has no reports of its own yet: the first week's form starts empty.
    r = client.get("/api/v1/reports", headers=manager, params={"campaign": "ihanoi-2025"})
    assert r.json()["count"] == 0
    audit = client.get("/api/v1/audit", headers=auth("admin"),
                       params={"action": "campaign.clone"}).json()["data"]
    assert audit[0]["detail"]["from"] == "ihanoi-2024"


def test_clone_without_baselines_and_with_its_own_end(client, auth):
    manager = auth("vanphong")
    r = client.post("/api/v1/campaigns/ihanoi-2024/clone", headers=manager, json={
        "code": "ihanoi-short", "name": "Ngắn", "start_date": "2025-01-06",
        "end_date": "2025-02-02"})
    assert r.status_code == 201, r.text
    assert r.json()["end_date"] == "2025-02-02"
    assert _baselines(client, manager, "ihanoi-short") == {}


def test_clone_refusals(client, auth):
    manager = auth("vanphong")
    body = {"code": "ihanoi-live", "name": "Trùng", "start_date": "2025-07-07"}
    assert_error(client.post("/api/v1/campaigns/ihanoi-2024/clone", headers=manager, json=body),
                 409, "campaign_exists", "code")
    assert_error(client.post("/api/v1/campaigns/nope/clone", headers=manager,
                             json={**body, "code": "x-new"}), 404, "campaign_not_found")
    assert_error(client.post("/api/v1/campaigns/ihanoi-2024/clone", headers=manager,
                             json={**body, "code": "x-new", "end_date": "2025-01-01"}), 422)
    # A reporter and a viewer may not; nothing was created by any refusal.
    for who in ("daton", "lanhdao"):
        assert_error(client.post("/api/v1/campaigns/ihanoi-2024/clone", headers=auth(who),
                                 json={**body, "code": "x-new"}), 403)
    codes = {c["code"] for c in client.get("/api/v1/campaigns", headers=manager,
                                            params={"limit": 500}).json()["data"]}
    assert "x-new" not in codes


def test_manager_edits_settings_but_not_the_public_leaderboard(client, auth):
    manager = auth("vanphong")
    settings = {"issuing_body": "UBND HUYỆN GIA LÂM", "number_pattern": "/BC-UBND",
                "recipients": ["UBND Thành phố (để b/c)"], "signer_title": "PHÓ CHỦ TỊCH"}
    r = client.patch("/api/v1/campaigns/ihanoi-live", headers=manager, json={
        "name": "iHanoi (đang chạy)", "due_weekday": 5, "due_time": "16:30",
        "lock_after_days": 3, "report_settings": settings})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["due_weekday"], got["due_time"], got["lock_after_days"]) == (5, "16:30:00", 3)
    assert got["report_settings"]["recipients"] == ["UBND Thành phố (để b/c)"]
    assert_error(client.patch("/api/v1/campaigns/ihanoi-live", headers=manager,
                              json={"public_leaderboard": True}), 403)
    assert client.patch("/api/v1/campaigns/ihanoi-live", headers=auth("admin"),
                        json={"public_leaderboard": True}).status_code == 200
    # A commune's reporter still may not touch the district's campaign.
    assert_error(client.patch("/api/v1/campaigns/ihanoi-live", headers=auth("daton"),
                              json={"name": "x"}), 403)


def test_manager_creates_a_campaign_from_scratch(client, auth):
    r = client.post("/api/v1/campaigns", headers=auth("vanphong"), json={
        "code": "vneid-2025", "name": "Kích hoạt VNeID", "owner": "HN-GL",
        "start_date": "2025-03-03", "end_date": "2025-05-25",
        "metrics": [{"code": "activated", "name": "Đã kích hoạt", "unit_kinds": ["commune"]}]})
    assert r.status_code == 201, r.text
    assert_error(client.post("/api/v1/campaigns", headers=auth("vanphong"), json={
        "code": "vneid-pub", "name": "Công khai", "owner": "HN-GL", "start_date": "2025-03-03",
        "end_date": "2025-05-25", "public_leaderboard": True}), 403,
        field="public_leaderboard")
