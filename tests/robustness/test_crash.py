"""A real server under write load is killed (SIGKILL) and started again: every report it
acknowledged is there with the acknowledged values, and the SQLite file is intact."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import PASSWORD
from robustness.owndb import demo_database

WRITERS, UNITS, ACKS_BEFORE_KILL = 6, 30, 60
WEEKS = [f"2024-W{w}" for w in range(28, 36)]  # the historic demo campaign


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """`tiendo serve` on a free port, as an operator would run it."""

    def __init__(self, db_url: str, var_dir: str) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        env = {**os.environ, "TIENDO_DATABASE_URL": db_url, "TIENDO_VAR_DIR": var_dir}
        tiendo = str(Path(sys.executable).parent / "tiendo")
        self.proc = subprocess.Popen([tiendo, "serve", "--port", self.url.rsplit(":", 1)[1]],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(300):
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            try:
                httpx.get(self.url + "/api/health", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.proc.kill()
        pytest.fail("tiendo serve did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def sqlite_db():  # noqa: ANN201
    yield from demo_database("sqlite")


def test_acknowledged_reports_survive_a_killed_server(sqlite_db, tmp_path):  # noqa: ANN001
    server = ServeProcess(sqlite_db.url, str(tmp_path))
    token = httpx.post(server.url + "/api/v1/auth/token",
                       data={"username": "admin", "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for n in range(UNITS):
        r = httpx.post(server.url + "/api/v1/units", headers=headers, json={
            "code": f"T-CRASH-{n}", "name": f"Đơn vị {n}", "kind": "agency", "parent": "HN-GL",
            "opened_on": "2024-01-01"})
        assert r.status_code == 201, r.text
    jobs = [(f"T-CRASH-{n}", i, week) for i, week in enumerate(WEEKS) for n in range(UNITS)]
    acked: dict[int, dict[str, int]] = {}
    lock, enough = threading.Lock(), threading.Event()

    def writer(k: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for unit, i, week in jobs[k::WRITERS]:
                values = {"staff_total": 100 + k, "staff_installed": 10 * i + k}  # growing
                try:
                    r = client.post("/api/v1/reports", json={
                        "campaign": "ihanoi-2024", "unit": unit, "period": week,
                        "values": values})
                except httpx.TransportError:
                    return  # the server is gone
                assert r.status_code == 201, r.text
                with lock:
                    acked[r.json()["id"]] = values
                    if len(acked) >= ACKS_BEFORE_KILL:
                        enough.set()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    for t in threads:
        t.start()
    assert enough.wait(120), "the server acknowledged too few writes"
    server.kill()  # while the writers are still sending
    for t in threads:
        t.join()

    server = ServeProcess(sqlite_db.url, str(tmp_path))
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for rid, values in acked.items():
                r = client.get(f"/api/v1/reports/{rid}")
                assert r.status_code == 200, (rid, r.text)
                assert r.json()["values"] == values
    finally:
        server.kill()
    path = sqlite_db.url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
