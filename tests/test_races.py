"""Two people at once, with real commits on a database of the test's own (not the rolled-back
test transaction): one correction wins and the other gets 412; no update is lost, no report
is duplicated, an idempotent retry racing its original writes once."""

import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from conftest import DEMO_NOW, PASSWORD, demo_database
from tiendo.core.clock import get_now
from tiendo.main import create_app

LIVE = "ihanoi-live"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request):
    for db in demo_database(request.param):
        app = create_app(engine=db.engine)
        app.dependency_overrides[get_now] = lambda: DEMO_NOW
        with TestClient(app) as client:
            yield client


@pytest.fixture(scope="module")
def admin(live) -> dict:
    r = live.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def at_once(*calls: Callable[[], object]) -> list:
    """Runs the calls in threads released together; their results in the same order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - shown by the caller's assertion
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def new_school(client, admin, n: int) -> str:
    code = f"RACE-{n}"
    r = client.post("/api/v1/units", headers=admin, json={
        "code": code, "name": f"Trường đua {n}", "kind": "school", "parent": "HN-GL",
        "opened_on": "2024-01-01"})
    assert r.status_code == 201, r.text
    return code


def test_two_corrections_race_one_wins(live, admin):
    unit = new_school(live, admin, 1)
    report = live.post("/api/v1/reports", headers=admin, json={
        "campaign": LIVE, "unit": unit, "period": "2024-W36",
        "values": {"staff_total": 50, "staff_installed": 10}}).json()
    rid = report["id"]
    winners = []
    for version in range(1, 6):  # several rounds, to give the threads every chance to collide
        bodies = [{"values": {"staff_total": 50, "staff_installed": 10 + version * 2 + k},
                   "version": version} for k in (0, 1)]
        results = at_once(*(lambda b=b: live.put(f"/api/v1/reports/{rid}", headers=admin,
                                                 json=b) for b in bodies))
        assert sorted(getattr(r, "status_code", 0) for r in results) == [200, 412], results
        winner = next(b for b, r in zip(bodies, results, strict=True) if r.status_code == 200)
        winners.append(winner["values"])
        now = live.get(f"/api/v1/reports/{rid}", headers=admin).json()
        assert now["version"] == version + 1 and now["values"] == winner["values"]
    revisions = live.get(f"/api/v1/reports/{rid}/revisions", headers=admin).json()["data"]
    assert [v["values"] for v in revisions] == [report["values"], *winners]


def test_two_first_reports_race_no_duplicate(live, admin):
    for n in range(2, 5):
        unit = new_school(live, admin, n)
        body = {"campaign": LIVE, "unit": unit, "period": "2024-W36",
                "values": {"staff_total": 40, "staff_installed": 20}}
        post = lambda body=body: live.post("/api/v1/reports", headers=admin, json=body)  # noqa: E731
        results = at_once(post, post)
        assert sorted(getattr(r, "status_code", 0) for r in results) == [201, 409], results
        listed = live.get("/api/v1/reports", headers=admin, params={"unit": unit}).json()
        assert listed["count"] == 1


def test_an_idempotent_retry_racing_its_original_writes_once(live, admin):
    units = [new_school(live, admin, n) for n in range(10, 13)]
    items = [{"unit": u, "period": "2024-W36", "values": {"staff_total": 9, "staff_installed": 3}}
             for u in units]
    headers = {**admin, "Idempotency-Key": "race-bulk-1"}
    before = live.get("/api/v1/imports", headers=admin).json()["count"]
    results = at_once(*(lambda: live.post("/api/v1/reports/bulk", headers=headers,
                                          json={"campaign": LIVE, "items": items})
                        for _ in range(2)))
    assert [getattr(r, "status_code", 0) for r in results] == [200, 200], results
    assert results[0].json() == results[1].json() and results[0].json()["created"] == 3
    assert live.get("/api/v1/imports", headers=admin).json()["count"] == before + 1
    for u in units:
        assert live.get("/api/v1/reports", headers=admin, params={"unit": u}).json()["count"] == 1


def _reports_of(client, unit: str) -> int:  # noqa: ANN001
    """Rows in the report table for `unit`, read on a connection of its own (not the app's)."""
    from sqlalchemy import text

    with client.app.state.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM report r JOIN unit u ON u.id = r.unit_id "
                                 "WHERE u.code = :c"), {"c": unit}).scalar()


def test_a_write_is_committed_when_its_answer_arrives_and_a_refused_one_leaves_nothing(live,
                                                                                      admin):
    # The route commits in the thread it ran in; the answer must still mean "stored", for
    # every one of several writers at once, and the next writer must not be kept waiting.
    units = [new_school(live, admin, 100 + n) for n in range(6)]
    results = at_once(*(lambda u=u: live.post("/api/v1/reports", headers=admin, json={
        "campaign": LIVE, "unit": u, "period": "2024-W36",
        "values": {"staff_total": 40, "staff_installed": 4}}) for u in units))
    assert [r.status_code for r in results] == [201] * len(units), results
    assert [_reports_of(live, u) for u in units] == [1] * len(units)
    again = live.post("/api/v1/reports", headers=admin, json={
        "campaign": LIVE, "unit": units[0], "period": "2024-W36",
        "values": {"staff_total": 40, "staff_installed": 5}})
    assert again.status_code == 409
    refused = live.post("/api/v1/reports", headers=admin, json={
        "campaign": LIVE, "unit": units[1], "period": "2024-W35",
        "values": {"staff_total": 40, "staff_installed": 41}})  # more installed than staff
    assert refused.status_code == 422 and refused.json()["error"]["field"] != "period"
    assert [_reports_of(live, u) for u in units[:2]] == [1, 1]
    after = live.post("/api/v1/reports", headers=admin, json={
        "campaign": LIVE, "unit": units[1], "period": "2024-W35",
        "values": {"staff_total": 40, "staff_installed": 8}})
    assert after.status_code == 201, after.text
    assert _reports_of(live, units[1]) == 2
