"""A real Tiến Độ server for the browser tests: a fresh SQLite database, the demo, the built
web app."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "frontend" / "dist"
TIENDO = Path(sys.executable).with_name("tiendo")
PASSWORD = "browser-demo-2024"
LIVE = "ihanoi-live"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def current_week() -> str:
    year, week, _ = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Server:
    url: str
    env: dict[str, str]
    db: Path
    process: subprocess.Popen


def _forget_this_weeks_report(db: Path, unit: str) -> None:
    """Arrange: the demo may already hold this unit's report for the current week; the reporter
    test starts from a unit that has not reported yet."""
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT report.id FROM report JOIN unit ON unit.id = report.unit_id "
            "JOIN campaign ON campaign.id = report.campaign_id "
            "WHERE unit.code = ? AND campaign.code = ? AND report.period = ?",
            (unit, LIVE, current_week()))]
        for rid in ids:
            conn.execute("DELETE FROM report_value WHERE report_id = ?", (rid,))
            conn.execute("DELETE FROM report_revision WHERE report_id = ?", (rid,))
            conn.execute("DELETE FROM report WHERE id = ?", (rid,))


def start(var_dir: Path, fresh_unit: str = "GL-X-DATON") -> Server:
    db = var_dir / "tiendo.db"
    env = {**os.environ, "TIENDO_DATABASE_URL": f"sqlite:///{db}", "TIENDO_VAR_DIR": str(var_dir),
           "TIENDO_SECRET_KEY": "browser-test-signing-key-" + "y" * 32,
           "TIENDO_STATIC_DIR": str(DIST), "TIENDO_MODE": "demo",
           # The webhooks these tests save (example hosts) sit on a closed network: this machine
           # has no DNS, and the outbound policy is tested on its own (test_harden_outbound).
           "TIENDO_WEBHOOK_ALLOW_PRIVATE": "true"}
    for args in (["migrate"], ["seed-demo", "--password", PASSWORD]):
        subprocess.run([str(TIENDO), *args], env=env, check=True, capture_output=True)
    _forget_this_weeks_report(db, fresh_unit)
    port = free_port()
    log = (var_dir / "server.log").open("w")
    process = subprocess.Popen([str(TIENDO), "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # waiting for start-up (slow on a loaded machine), not a limit on any test
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {(var_dir / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.terminate()
        raise RuntimeError("server did not start")
    return Server(url, env, db, process)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
