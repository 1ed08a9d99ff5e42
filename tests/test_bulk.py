"""Bulk posts: the import summary, atomic and dry runs, access, idempotency, 10,000 items."""

import pytest
from sqlalchemy import bindparam, func, insert, select, update

from conftest import DEMO_NOW, assert_error
from factories import integration, new_unit
from tiendo.campaigns.models import Campaign
from tiendo.cycle.models import BulkImport
from tiendo.reports.models import Report, ReportRevision, ReportValue
from tiendo.reports.service import values_of
from tiendo.units.models import Unit

LIVE = "ihanoi-live"
STAFF = {"staff_total": 30, "staff_installed": 20}


def bulk(client, headers, items, key: str | None = None, **flags):
    h = {**headers, "Idempotency-Key": key} if key else headers
    return client.post("/api/v1/reports/bulk", headers=h,
                       json={"campaign": flags.pop("campaign", LIVE), "items": items, **flags})


def reports_of(client, headers, unit: str) -> list[dict]:
    return client.get("/api/v1/reports", headers=headers,
                      params={"unit": unit, "campaign": LIVE}).json()["data"]


@pytest.fixture
def mixed(client, auth):
    """A body with one item of each outcome; returns (items, the units used)."""
    admin, manager = auth("admin"), auth("vanphong")
    a, b = (new_unit(client, admin, kind="school")["code"] for _ in range(2))
    w35 = client.get("/api/v1/reports", headers=manager, params={
        "campaign": LIVE, "period": "2024-W35", "limit": 2}).json()["data"]
    same, changed = w35
    more = {**changed["values"], "staff_total": changed["values"]["staff_total"] + 1}
    items = [
        {"unit": a, "period": "2024-W36", "values": STAFF},                       # created
        {"unit": same["unit"], "period": "2024-W35", "values": same["values"]},   # unchanged
        {"unit": changed["unit"], "period": "2024-W35", "values": more,
         "note": "bổ sung 1 người"},                                              # updated
        {"unit": "NO-SUCH", "period": "2024-W36", "values": STAFF},
        {"unit": a, "period": "2024-W35", "values": {"staff_total": 5, "staff_installed": 6}},
        {"unit": a, "period": "2024-W36", "values": STAFF},
        {"unit": b, "period": "2024-W34", "values": STAFF},
        {"unit": b, "period": "2024-W36", "values": {"staff_total": "12", "staff_installed": 1}},
        5,
        {"unit": b, "period": "2024-W37", "values": STAFF},
    ]
    return items, {"a": a, "b": b, "same": same, "changed": changed}


EXPECTED_CONFLICTS = [
    (3, "unit_not_found", "unit"),
    (4, "numerator_exceeds_denominator", "values.staff_installed"),
    (5, "duplicate_item", "unit"),
    (6, "period_locked", "period"),
    (7, "validation_error", "values.staff_total"),
    (8, "validation_error", None),
    (9, "period_in_future", "period"),
]


def conflicts(summary: dict) -> list[tuple]:
    return [(c["index"], c["code"], c["field"]) for c in summary["conflicts"]]


def test_bulk_summary_counts_each_outcome(client, auth, mixed):
    manager, admin = auth("vanphong"), auth("admin")
    items, u = mixed
    r = bulk(client, manager, items, strategy="create_and_update")
    assert r.status_code == 200, r.text
    s = r.json()
    assert {k: s[k] for k in ("total", "created", "updated", "unchanged", "skipped",
                              "rejected")} == {
        "total": 10, "created": 1, "updated": 1, "unchanged": 1, "skipped": 0, "rejected": 7}
    assert s["strategy"] == "create_and_update"
    assert conflicts(s) == EXPECTED_CONFLICTS
    assert s["conflicts"][0]["unit"] == "NO-SUCH" and s["conflicts"][0]["message"]
    assert [r["values"] for r in reports_of(client, manager, u["a"])] == [STAFF]
    changed = client.get(f"/api/v1/reports/{u['changed']['id']}", headers=manager).json()
    assert changed["version"] == 2 and changed["values"] == items[2]["values"]
    assert changed["source"] == "api"
    revisions = client.get(f"/api/v1/reports/{u['changed']['id']}/revisions",
                           headers=manager).json()["data"]
    assert [v["values"] for v in revisions] == [u["changed"]["values"], items[2]["values"]]
    assert client.get(f"/api/v1/reports/{u['same']['id']}", headers=manager).json()["version"] == 1
    kept = client.get("/api/v1/imports", headers=admin).json()["data"][0]
    assert kept["id"] == s["import_id"] and kept["source"] == "api"
    assert (kept["items"], kept["created"], kept["rejected"]) == (10, 1, 7)
    detail = client.get(f"/api/v1/imports/{s['import_id']}", headers=admin).json()
    assert conflicts(detail) == EXPECTED_CONFLICTS
    assert_error(client.get("/api/v1/imports", headers=manager), 403)


def test_atomic_bulk_writes_nothing_when_one_item_is_bad(client, auth, mixed):
    manager = auth("vanphong")
    items, u = mixed
    s = bulk(client, manager, items, atomic=True, strategy="create_and_update").json()
    assert (s["created"], s["updated"], s["unchanged"], s["rejected"]) == (0, 0, 1, 9)
    assert conflicts(s) == EXPECTED_CONFLICTS
    assert reports_of(client, manager, u["a"]) == []
    assert client.get(f"/api/v1/reports/{u['changed']['id']}", headers=manager).json()[
        "version"] == 1
    good = bulk(client, manager, items[:3], atomic=True, strategy="create_and_update").json()
    assert (good["created"], good["updated"], good["unchanged"], good["rejected"]) == (1, 1, 1, 0)


def test_dry_run_validates_without_writing(client, auth, mixed):
    manager = auth("vanphong")
    items, u = mixed
    s = bulk(client, manager, items, dry_run=True, strategy="create_and_update").json()
    assert (s["created"], s["updated"], s["unchanged"], s["rejected"]) == (1, 1, 1, 7)
    assert s["dry_run"] is True and conflicts(s) == EXPECTED_CONFLICTS
    assert reports_of(client, manager, u["a"]) == []
    assert client.get("/api/v1/imports", headers=auth("admin")).json()["data"][0]["dry_run"] is True


def test_units_outside_the_callers_subtree_do_not_exist(client, auth):
    daton = auth("daton")
    s = bulk(client, daton, [
        {"unit": "GL-X-BATTRANG", "period": "2024-W36", "values": STAFF},
        {"unit": "NO-SUCH-UNIT", "period": "2024-W36", "values": STAFF}]).json()
    assert s["rejected"] == 2
    first, second = s["conflicts"]
    assert (first["code"], first["message"]) == (second["code"], second["message"])
    assert first["code"] == "unit_not_found"


def test_bulk_body_limits(client, auth):
    manager = auth("vanphong")
    assert_error(bulk(client, manager, []), 422, "validation_error", "items")
    too_many = [{"unit": "X", "period": "2024-W36", "values": STAFF}] * 10_001
    assert_error(bulk(client, manager, too_many), 422, "validation_error", "items")
    assert_error(bulk(client, manager, [{}], campaign="no-such"), 404, "campaign_not_found")


def test_same_key_same_body_answers_once(client, auth):
    manager, admin = auth("vanphong"), auth("admin")
    unit = new_unit(client, admin, kind="school")["code"]
    items = [{"unit": unit, "period": "2024-W36", "values": STAFF}]
    imports_before = client.get("/api/v1/imports", headers=admin).json()["count"]
    first = bulk(client, manager, items, key="bulk-2024-W36-001")
    again = bulk(client, manager, items, key="bulk-2024-W36-001")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["created"] == 1
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get("/api/v1/imports", headers=admin).json()["count"] == imports_before + 1
    report = reports_of(client, manager, unit)[0]
    assert report["version"] == 1
    other = bulk(client, manager, [{**items[0], "values": {**STAFF, "staff_installed": 25}}],
                 key="bulk-2024-W36-001")
    assert_error(other, 422, "idempotency_key_reused", "Idempotency-Key")
    # Keys belong to their principal: the same key from someone else is a new request.
    theirs = bulk(client, admin, items, key="bulk-2024-W36-001")
    assert theirs.status_code == 200 and theirs.json()["unchanged"] == 1


def test_idempotent_single_report_post(client, auth):
    admin = auth("admin")
    unit = new_unit(client, admin, kind="school")["code"]
    body = {"campaign": LIVE, "unit": unit, "period": "2024-W36", "values": STAFF}
    h = {**admin, "Idempotency-Key": "6f1c2a4e-report"}
    first, again = (client.post("/api/v1/reports", headers=h, json=body) for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.headers["Location"] == again.headers["Location"]
    assert len(reports_of(client, admin, unit)) == 1
    plain = client.post("/api/v1/reports", headers=admin, json=body)
    assert_error(plain, 409, "report_exists")
    assert_error(client.post("/api/v1/reports", headers={**admin, "Idempotency-Key": ""},
                             json=body), 422, field="Idempotency-Key")


# --- strategy: what happens to a report that already exists ----------------------------------
def stored(session, report_ids: list[int]) -> list[list[tuple]]:
    """Every stored column of the reports, their values and their revisions, as raw rows."""
    tables = [(Report.__table__, "id", "id"), (ReportValue.__table__, "report_id", "metric_id"),
              (ReportRevision.__table__, "report_id", "version")]
    return [session.connection().execute(
        select(t).where(t.c[key].in_(report_ids)).order_by(t.c[key], t.c[order])).all()
        for t, key, order in tables]


def outcome(s: dict) -> tuple:
    return (s["created"], s["updated"], s["unchanged"], s["skipped"], s["rejected"])


@pytest.fixture
def typed_in(client, auth):
    """This week's reports that two communes typed in themselves on the web, and one commune
    that has not reported yet: what an integration then posts over."""
    admin = auth("admin")
    mine = []
    for who, unit in (("daton", "GL-X-DATON"), ("battrang", "GL-X-BATTRANG")):
        last = reports_of(client, auth(who), unit)[0]
        assert last["period"] == "2024-W35"
        values = {**last["values"], "staff_installed": last["values"]["staff_installed"] + 1}
        r = client.post("/api/v1/reports", headers=auth(who), json={
            "campaign": LIVE, "unit": unit, "period": "2024-W36", "values": values,
            "note": "xã tự nhập"})
        assert r.status_code == 201, r.text
        assert r.json()["source"] == "web"
        mine.append(r.json())
    return mine, integration(client, admin, unit="HN-GL")


def test_a_bulk_post_without_strategy_never_changes_an_existing_report(client, auth, session,
                                                                      typed_in):
    mine, eic = typed_in
    before = stored(session, [r["id"] for r in mine])
    new = new_unit(client, auth("admin"), kind="school", parent="GL-X-DATON")["code"]
    items = [
        {"unit": mine[0]["unit"], "period": "2024-W36", "values": {**mine[0]["values"],
                                                                    "staff_installed": 1},
         "note": "số của hệ thống khác"},
        {"unit": mine[1]["unit"], "period": "2024-W36", "values": mine[1]["values"]},
        {"unit": new, "period": "2024-W36", "values": STAFF},
    ]
    runs = [({"dry_run": True}, (1, 0, 1, 0, 1)), ({}, (1, 0, 1, 0, 1)),
            # from here on, the new school's report exists with these very values
            ({"strategy": "create_only"}, (0, 0, 2, 0, 1)), ({"atomic": True}, (0, 0, 2, 0, 1))]
    for flags, expected in runs:
        s = bulk(client, eic, items, **flags).json()
        assert s["strategy"] == "create_only"
        assert conflicts(s) == [(0, "report_exists", "period")], flags
        assert outcome(s) == expected, flags
        assert "phiên bản 1" in s["conflicts"][0]["message"]
        assert stored(session, [r["id"] for r in mine]) == before
    got = client.get(f"/api/v1/reports/{mine[0]['id']}", headers=auth("daton")).json()
    assert (got["values"], got["note"], got["version"], got["source"]) == (
        mine[0]["values"], "xã tự nhập", 1, "web")
    revisions = client.get(f"/api/v1/reports/{mine[0]['id']}/revisions",
                           headers=auth("daton")).json()["data"]
    assert [(v["version"], v["source"]) for v in revisions] == [(1, "web")]


def test_create_and_update_replaces_and_keeps_the_revision(client, auth, session, typed_in):
    mine, eic = typed_in
    more = {**mine[0]["values"], "staff_installed": mine[0]["values"]["staff_installed"] + 2}
    s = bulk(client, eic, [{"unit": mine[0]["unit"], "period": "2024-W36", "values": more}],
             strategy="create_and_update").json()
    assert outcome(s) == (0, 1, 0, 0, 0) and s["strategy"] == "create_and_update"
    got = client.get(f"/api/v1/reports/{mine[0]['id']}", headers=auth("daton")).json()
    assert (got["values"], got["version"], got["source"]) == (more, 2, "api")
    revisions = client.get(f"/api/v1/reports/{mine[0]['id']}/revisions",
                           headers=auth("daton")).json()["data"]
    assert [(v["version"], v["values"], v["source"]) for v in revisions] == [
        (1, mine[0]["values"], "web"), (2, more, "api")]
    kept = session.get(BulkImport, s["import_id"])
    assert (kept.updated, kept.skipped) == (1, 0)


def test_an_item_with_a_version_updates_only_that_version(client, auth, session, typed_in):
    mine, eic = typed_in
    a, b = mine
    plus = {**a["values"], "staff_installed": a["values"]["staff_installed"] + 3}
    stale = {**b["values"], "staff_installed": b["values"]["staff_installed"] + 3}
    new = new_unit(client, auth("admin"), kind="school", parent="GL-X-DATON")["code"]
    b_before = stored(session, [b["id"]])
    items = [
        {"unit": a["unit"], "period": "2024-W36", "values": plus, "version": 1},
        {"unit": b["unit"], "period": "2024-W36", "values": stale, "version": 2},
        {"unit": new, "period": "2024-W36", "values": STAFF, "version": 1},
    ]
    dry = bulk(client, eic, items, dry_run=True).json()
    s = bulk(client, eic, items).json()  # create_only: the version alone allows the update
    for summary in (dry, s):
        assert outcome(summary) == (0, 1, 0, 0, 2)
        assert conflicts(summary) == [(1, "version_mismatch", "version"),
                                      (2, "version_mismatch", "version")]
    assert "phiên bản 1, không phải 2" in s["conflicts"][0]["message"]
    got = client.get(f"/api/v1/reports/{a['id']}", headers=auth("daton")).json()
    assert (got["values"], got["version"]) == (plus, 2)
    assert stored(session, [b["id"]]) == b_before
    assert reports_of(client, auth("admin"), new) == []
    # The same post again: version 1 is gone, but nothing would change: unchanged, not refused.
    again = bulk(client, eic, items[:1]).json()
    assert outcome(again) == (0, 0, 1, 0, 0)
    later = {**plus, "staff_installed": plus["staff_installed"] + 1}
    refused = bulk(client, eic, [{**items[0], "values": later}],
                   strategy="create_and_update").json()
    assert conflicts(refused) == [(0, "version_mismatch", "version")]
    assert client.get(f"/api/v1/reports/{a['id']}", headers=auth("daton")).json()["version"] == 2


# --- 10,000 items ---------------------------------------------------------------------------
N_UNITS, WEEKS = 1225, [f"2024-W{w}" for w in range(28, 36)]  # 9,800 new + 200 existing


def _new_agencies(session, n: int) -> list[str]:
    """Many units at once, straight into the test's transaction (the API would take long)."""
    district = session.execute(select(Unit).where(Unit.code == "HN-GL")).scalar_one()
    t, conn = Unit.__table__, session.connection()
    codes = [f"BULK-{i:05d}" for i in range(n)]
    ids = conn.execute(insert(t).returning(t.c.id, sort_by_parameter_order=True), [
        {"code": c, "name": f"Cơ quan thử {c}", "kind": "agency", "parent_id": district.id,
         "path": "", "depth": district.depth + 1, "active": True, "created_at": DEMO_NOW,
         "updated_at": DEMO_NOW} for c in codes]).scalars().all()
    conn.execute(update(t).where(t.c.id == bindparam("b_id")).values(path=bindparam("b_path")),
                 [{"b_id": i, "b_path": f"{district.path}{i}/"} for i in ids])
    return codes


DEFECTS = {  # index % 101 → (how the item is spoiled, expected code, expected field)
    7: (lambda it, prev: {**it, "unit": "NO-SUCH-UNIT"}, "unit_not_found", "unit"),
    23: (lambda it, prev: {**it, "values": {**it["values"], "staff_total": -1}},
         "validation_error", "values.staff_total"),
    41: (lambda it, prev: {**it, "values": {"staff_total": 5, "staff_installed": 6}},
         "numerator_exceeds_denominator", "values.staff_installed"),
    59: (lambda it, prev: {**it, "values": {**it["values"], "staff_total": "40"}},
         "validation_error", "values.staff_total"),
    73: (lambda it, prev: {**it, "period": "2024-W20"}, "period_outside_campaign", "period"),
    89: (lambda it, prev: dict(prev), "duplicate_item", "unit"),
    97: (lambda it, prev: {**it, "values": {**it["values"], "nonsense": 1}},
         "unknown_metric", "values.nonsense"),
}


def test_ten_thousand_items_with_bad_ones_sprinkled_in(client, auth, session):
    codes = _new_agencies(session, N_UNITS)
    items = [{"unit": c, "period": w, "values": {"staff_total": 50, "staff_installed": 10 + 5 * k}}
             for c in codes for k, w in enumerate(WEEKS)]
    expected = []
    for i in range(len(items)):
        if (d := DEFECTS.get(i % 101)) is not None:
            items[i] = d[0](items[i], items[i - 1])
            expected.append((i, d[1], d[2]))
    historic = session.execute(select(Campaign.id)
                               .where(Campaign.code == "ihanoi-2024")).scalar_one()
    existing = session.execute(select(Report.id, Unit.code, Report.period)
                            .join(Unit, Unit.id == Report.unit_id)
                            .where(Report.campaign_id == historic).order_by(Report.id)
                            .limit(200)).all()
    values = values_of(session, [rid for rid, _, _ in existing])
    for n, (rid, unit, period) in enumerate(existing):
        v = dict(values[rid])
        if n % 2:
            v["staff_total"] += 1
        items.append({"unit": unit, "period": period, "values": v, "note": "đối chiếu lại"})
    assert len(items) == 10_000

    r = bulk(client, auth("admin"), items, campaign="ihanoi-2024", strategy="create_and_update")
    assert r.status_code == 200, r.text
    s = r.json()
    assert conflicts(s) == expected
    assert (s["total"], s["unchanged"], s["updated"]) == (10_000, 100, 100)
    assert (s["created"], s["rejected"]) == (9_800 - len(expected), len(expected))
    stored = session.execute(select(func.count()).select_from(Report).join(Unit)
                          .where(Unit.code.like("BULK-%"))).scalar_one()
    assert stored == s["created"]
