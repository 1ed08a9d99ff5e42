"""Many clients correct the same report at the same moment, with real commits: exactly one
wins each version, nothing is lost or duplicated, and every version is kept."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from factories import staff_report

CLIENTS, ATTEMPTS = 12, 4


def test_concurrent_corrections_keep_every_version_once(own_app, own_client, login):  # noqa: ANN001
    admin = login("admin")
    unit = own_client.post("/api/v1/units", headers=admin, json={
        "code": "T-RACE", "name": "Đơn vị thử tranh chấp", "kind": "agency",
        "parent": "HN-GL", "opened_on": "2024-01-01"}).json()
    r = own_client.post("/api/v1/reports", headers=admin, json=staff_report(unit["code"]))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    start = threading.Barrier(CLIENTS)
    outcomes: list[tuple[int, int | None, int]] = []  # (status, version got, installed sent)
    lock = threading.Lock()

    def corrector(n: int) -> None:
        with TestClient(own_app) as client:
            start.wait()
            for attempt in range(ATTEMPTS):
                version = client.get(f"/api/v1/reports/{rid}", headers=admin).json()["version"]
                installed = n * 100 + attempt  # unique per attempt: shows which write won
                resp = client.put(f"/api/v1/reports/{rid}",
                                  headers={**admin, "If-Match": f'"{version}"'},
                                  json={"values": {"staff_total": 10_000,
                                                   "staff_installed": installed},
                                        "note": f"client {n}"})
                got = resp.json().get("version") if resp.status_code == 200 else None
                with lock:
                    outcomes.append((resp.status_code, got, installed))

    threads = [threading.Thread(target=corrector, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = {s for s, _, _ in outcomes}
    assert statuses <= {200, 412}, outcomes
    wins = sorted((v, installed) for s, v, installed in outcomes if s == 200)
    versions = [v for v, _ in wins]
    assert wins and len(set(versions)) == len(versions), "two corrections got the same version"
    final = own_client.get(f"/api/v1/reports/{rid}", headers=admin).json()
    assert final["version"] == 1 + len(wins) == versions[-1]
    assert final["values"]["staff_installed"] == wins[-1][1]  # the last winner's values
    revisions = own_client.get(f"/api/v1/reports/{rid}/revisions", headers=admin).json()["data"]
    assert [rev["version"] for rev in revisions] == list(range(1, final["version"] + 1))
    by_version = {rev["version"]: rev["values"]["staff_installed"] for rev in revisions}
    assert all(by_version[v] == installed for v, installed in wins)
    listed = own_client.get("/api/v1/reports", headers=admin, params={"unit": unit["code"]})
    assert listed.json()["count"] == 1
