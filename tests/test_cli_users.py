"""`tiendo create-user` and `tiendo seed-demo`, run as an operator would, on a database of their
own (a temporary SQLite file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from tiendo import cli
from tiendo.config import get_settings
from tiendo.db import get_engine, make_engine
from tiendo.main import create_app


@pytest.fixture(scope="module")
def tiendo(tmp_path_factory):  # noqa: ANN001, ANN201
    """Runs `tiendo ARGS` on a fresh, migrated, demo-loaded database; gives (run, url, demo
    output, var dir). In-process through typer's runner: the settings and engine caches are
    pointed at the temporary database, then reset."""
    var = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{var}/cli.db"
    runner = CliRunner()

    def run(*args: str, stdin: str = "") -> Result:
        return runner.invoke(cli.app, list(args), input=stdin)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIENDO_DATABASE_URL", url)
        mp.setenv("TIENDO_VAR_DIR", str(var))
        mp.delenv("TIENDO_DEMO_PASSWORD", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            assert run("migrate").exit_code == 0
            demo = run("seed-demo")
            assert demo.exit_code == 0, demo.output
            yield run, url, demo.stdout, var
        finally:
            get_engine().dispose()
            get_engine.cache_clear()
            get_settings.cache_clear()


@pytest.fixture(scope="module")
def api(tiendo):  # noqa: ANN001, ANN201
    engine = make_engine(tiendo[1])
    with TestClient(create_app(engine=engine)) as client:
        yield client
    engine.dispose()


def can_log_in(api, username: str, password: str) -> bool:  # noqa: ANN001
    r = api.post("/api/v1/auth/token", data={"username": username, "password": password})
    return r.status_code == 200


def test_demo_seed_prints_one_random_password_per_demo_user(tiendo, api):
    _, _, out, var = tiendo
    users = dict(re.findall(r"^\s+(\w+)\s+(\S+)$", out, flags=re.M))
    # Loaded after September 2025 (as here, today), the demo has a city-level user for its
    # campaign across the 2025 reorganisation (tiendo.demo.reorg2025).
    assert set(users) == {"admin", "vanphong", "lanhdao", "daton", "battrang", "phongvhtt",
                          "thanhpho"}
    passwords = list(users.values())
    assert len(set(passwords)) == len(passwords) and min(map(len, passwords)) >= 12
    for username, password in users.items():
        assert can_log_in(api, username, password)
    roles = {}
    for username in ("admin", "vanphong", "daton"):
        token = api.post("/api/v1/auth/token", data={"username": username,
                                                     "password": users[username]})
        me = api.get("/api/v1/auth/me", headers={
            "Authorization": f"Bearer {token.json()['access_token']}"}).json()
        roles[username] = sorted((r["role"], r["unit"]) for r in me["roles"])
    assert roles == {"admin": [("admin", "HN-GL")], "vanphong": [("manager", "HN-GL")],
                     "daton": [("reporter", "GL-X-DATON")]}
    creds = Path(var) / "demo-credentials.txt"
    assert creds.stat().st_mode & 0o777 == 0o600


def test_create_user_reads_the_password_from_stdin(tiendo, api):
    run = tiendo[0]
    r = run("create-user", "boss", "--role", "admin", "--unit", "HN", "--full-name", "Sếp",
            "--password-stdin", stdin="a-long-secret-1\n")
    assert r.exit_code == 0, r.output
    assert "a-long-secret-1" not in r.output
    assert can_log_in(api, "boss", "a-long-secret-1")
    assert not can_log_in(api, "boss", "a-long-secret-")


def test_create_user_prompts_for_the_password_twice(tiendo, api):
    run = tiendo[0]
    r = run("create-user", "prompted", "--role", "viewer", "--unit", "GL-X-DATON",
            stdin="prompted-secret-1\nprompted-secret-1\n")
    assert r.exit_code == 0, r.output
    assert can_log_in(api, "prompted", "prompted-secret-1")


@pytest.mark.parametrize(("args", "stdin"), [
    (("nobody1", "--role", "admin", "--unit", "NO-SUCH-UNIT"), "a-long-secret-1\n"),
    (("nobody2", "--role", "owner", "--unit", "HN"), "a-long-secret-1\n"),
    (("nobody3", "--role", "admin", "--unit", "HN"), "short\n"),
    (("nobody4", "--role", "admin", "--unit", "HN"), ""),
    (("admin", "--role", "admin", "--unit", "HN"), "a-long-secret-1\n"),  # taken
])
def test_create_user_refuses_bad_input(tiendo, api, args, stdin):
    r = tiendo[0]("create-user", *args, "--password-stdin", stdin=stdin)
    assert r.exit_code == 2, r.output
    assert not can_log_in(api, args[0], "a-long-secret-1")


def test_purge_runs_as_an_operator_would(tiendo):
    run = tiendo[0]
    result = run("purge", "--keep-days", "3")
    assert result.exit_code == 0, result.output
    assert re.search(r"Deleted \d+ idempotency key\(s\) older than 3 day\(s\)", result.output)
    assert re.search(r"\d+ bulk-import record\(s\) older than 90 day\(s\)", result.output)
    assert run("purge", "--keep-days", "0").exit_code != 0  # at least a day
