"""The deployment as shipped: the compose file validates and wires what the README says,
the scheduler runs its jobs, and `tiendo serve --workers N` serves with JSON logs and one
set of metrics for all its workers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from live import serving
from tiendo.config import Settings
from tiendo.db import migrate

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is required in CI (`make test` installs it)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    return found


def _example_env() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {k: v for k, v in pairs}


def test_compose_file_validates_as_it_is():
    done = subprocess.run([_compose(), "-f", "docker-compose.yml", "config", "-q"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_compose_with_the_example_env_wires_postgres_app_and_scheduler(tmp_path):
    compose = _compose()
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    # Variables of the shell would win over .env: run with none but PATH.
    done = subprocess.run([compose, "config"], cwd=tmp_path, capture_output=True, text=True,
                          check=True, env={"PATH": os.environ["PATH"]})
    config = yaml.safe_load(done.stdout)
    services = config["services"]
    assert set(services) == {"db", "app", "scheduler"}
    assert "pgdata" in config["volumes"]
    assert any("pgdata" in str(v) for v in services["db"]["volumes"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    example = _example_env()
    app = services["app"]
    url = app["environment"]["TIENDO_DATABASE_URL"]
    assert url == (f"postgresql+psycopg://{example['POSTGRES_USER']}:"
                   f"{example['POSTGRES_PASSWORD']}@db:5432/{example['POSTGRES_DB']}")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "tiendo migrate && exec tiendo serve" in " ".join(app["command"])
    scheduler = services["scheduler"]
    assert scheduler["command"] == ["/app/deploy/scheduler.sh"]
    assert scheduler["depends_on"]["app"]["condition"] == "service_healthy"
    # Every app setting of the example reaches the containers, and is one the app knows.
    known = {f"TIENDO_{name.upper()}" for name in Settings.model_fields}
    for name, value in example.items():
        if name.startswith("TIENDO_"):
            assert app["environment"][name] == value, name
            assert name in known | {"TIENDO_WORKERS", "TIENDO_SCHEDULE"}, name


def test_image_build_inputs_exist_and_secrets_stay_out():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), path
    assert "USER tiendo" in dockerfile and "uv sync --frozen --no-dev" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def test_scheduler_runs_each_job_and_survives_a_failing_one(tmp_path):
    out = tmp_path / "ran.txt"
    env = {**os.environ, "TIENDO_SCHEDULER_ONCE": "1",
           "TIENDO_SCHEDULE": f"900 echo remind >> {out}; 5 exit 3; 3600 echo sync >> {out}"}
    done = subprocess.run(["sh", str(ROOT / "deploy" / "scheduler.sh")], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_text().split() == ["remind", "sync"]
    logs = [json.loads(line) for line in done.stdout.splitlines()]
    assert any(line["level"] == "ERROR" and "exit 3" in line["msg"] for line in logs)
    bad = subprocess.run(["sh", str(ROOT / "deploy" / "scheduler.sh")],
                         env={**env, "TIENDO_SCHEDULE": "hourly tiendo remind"},
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2


def test_serve_with_several_workers(tmp_path):
    url = f"sqlite:///{tmp_path / 'tiendo.db'}"
    migrate(url)
    env = {**os.environ, "TIENDO_DATABASE_URL": url, "TIENDO_VAR_DIR": str(tmp_path),
           "TIENDO_METRICS_TOKEN": "scrape", "TIENDO_WORKERS": "2"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with serving(tmp_path, env, log=tmp_path / "serve.log") as base, \
            httpx.Client(base_url=base) as client:
        # The first worker up answers /api/health; on a loaded machine the second may still be
        # starting, so wait for both before counting them (a deadline, not a duration).
        deadline = time.monotonic() + 120
        while _started_workers(tmp_path / "serve.log") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(20):
            assert client.get("/api/health").status_code == 200
        metrics = client.get("/metrics", headers={"Authorization": "Bearer scrape"}).text
    line = 'tiendo_http_requests_total{method="GET",route="/api/health",status="200"} 20.0'
    assert line in metrics  # summed over both workers
    lines = [json.loads(raw) for raw in (tmp_path / "serve.log").read_text().splitlines()]
    workers = {line["msg"] for line in lines if line["msg"].startswith("Started server process")}
    assert len(workers) == 2
    health = [line for line in lines if line.get("route") == "/api/health"]
    assert len(health) == 20 and all(line["status"] == 200 for line in health)


def _started_workers(log: Path) -> int:
    text = log.read_text() if log.exists() else ""
    return text.count("Started server process")
