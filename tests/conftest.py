"""Every API test runs on SQLite and on PostgreSQL: each database is created for the run,
migrated, loaded with the demo at a fixed moment (a copy of a template built once per run), and
dropped at the end. Each test runs
inside a transaction that is rolled back, so tests never see each other's writes."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

_TMP = tempfile.mkdtemp(prefix="tiendo-test-")
os.environ["TIENDO_VAR_DIR"] = _TMP
os.environ["TIENDO_SECRET_KEY"] = "test-signing-key-" + "x" * 32
os.environ.pop("TIENDO_DATABASE_URL", None)
# Cheap argon2 for speed; the hashes are still argon2id (production refuses these costs).
os.environ["TIENDO_ARGON2_MEMORY_KIB"] = "1024"
os.environ["TIENDO_ARGON2_TIME_COST"] = "1"

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

import db_templates  # noqa: E402
from tiendo.config import Settings  # noqa: E402
from tiendo.core.clock import get_now  # noqa: E402
from tiendo.db import get_session, get_session_factory, make_engine, migrate, open_session  # noqa: E402
from tiendo.demo.seed import seed_demo  # noqa: E402
from tiendo.main import create_app  # noqa: E402

# A developer's .env (made from .env.example for docker compose) must not change the tests.
Settings.model_config["env_file"] = None

# Thursday of 2024-W36, 10:00 in Hà Nội: the historic campaign is over, the demo's live copy
# is in its fourth week with this week's deadline (15:00) still ahead.
DEMO_NOW = datetime(2024, 9, 5, 3, 0, tzinfo=UTC)
PASSWORD = "demo-password-2024"
# Fixtures of the robustness tests (a database of their own per test module) and of reminders.
pytest_plugins = ["robustness.owndb", "reminder_fixtures"]
PG_URL = os.environ.get("TIENDO_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_admin_engine() -> Engine | None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return engine
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is unreachable at {PG_URL}: {exc}")
        return None


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine


def _migrated(url: str) -> None:
    migrate(url)


def _with_demo(url: str) -> None:
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session, now=DEMO_NOW, password=PASSWORD)
        session.commit()
    engine.dispose()  # SQLite checkpoints its WAL: the file alone holds everything


_TEMPLATES = {"migrated": _migrated, "demo": _with_demo}


def new_database(kind: str, template: str = "migrated") -> Iterator[Database]:
    """A fresh database of the given kind, dropped afterwards: migrated and empty, or with the
    demo loaded at DEMO_NOW (template="demo"). Each is a copy of a template built once per run
    (tests/db_templates.py)."""
    build = _TEMPLATES[template]
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(dir=_TMP)) / "tiendo.db"
        shutil.copyfile(db_templates.sqlite_template(template, build), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database(kind, url, engine)
        engine.dispose()
        return
    admin = _pg_admin_engine()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable (set TIENDO_TEST_POSTGRES_URL)")
    base = PG_URL.rsplit("/", 1)[0]
    source = db_templates.postgresql_template(template, admin, base, build)
    name = f"tiendo_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    url = f"{base}/{name}"
    try:
        engine = make_engine(url)
        yield Database(kind, url, engine)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def demo_database(kind: str) -> Iterator[Database]:
    """A fresh database of its own with the demo loaded at DEMO_NOW, for tests that commit."""
    yield from new_database(kind, template="demo")


def pytest_unconfigure(config) -> None:  # noqa: ANN001
    db_templates.drop_templates(_pg_admin_engine)


_GROUP_KIND = re.compile(r"[\[-](sqlite|postgresql)[\]-]")


def xdist_group_of(nodeid: str) -> str:
    """The group of tests one pytest-xdist worker runs together, in file order as a serial run
    would: one test module on one kind of database (its module fixtures made once, tests that
    build on each other kept together), or every browser test (one server, one Chromium)."""
    module = nodeid.split("::", 1)[0]
    if module.startswith("tests/browser/"):
        return "tests/browser"
    kind = _GROUP_KIND.search(nodeid[len(module):])
    return f"{module}::{kind.group(1)}" if kind else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):  # noqa: ANN001, ANN201
    """`-n N` (as `make test` runs) hands whole groups (`xdist_group_of`) to the workers.
    pytest-xdist's `--dist loadgroup` would not: it marks a group in the test's node id, which
    pytest 9 no longer lets a plugin change, so every test would go out on its own."""
    if config.getvalue("dist") != "load":  # another --dist asked for explicitly
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return GroupScheduling(config, log)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request) -> Iterator[Database]:  # noqa: ANN001
    yield from demo_database(request.param)


class Clock:
    def __init__(self) -> None:
        self.now = DEMO_NOW

    def set(self, value: datetime) -> None:
        self.now = value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def app(database):  # noqa: ANN001, ANN201
    return create_app(engine=database.engine)


@pytest.fixture(scope="session")
def _client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as client:
        yield client


@pytest.fixture
def connection(database):  # noqa: ANN001, ANN201
    """The test's own transaction; the app's sessions nest inside it as savepoints."""
    conn = database.engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session(connection) -> Iterator[Session]:  # noqa: ANN001
    """A session for reading or arranging data directly, inside the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as s:
        yield s


def bind_app(app, connection, clock: Clock) -> None:  # noqa: ANN001
    """Points the app's sessions at `connection` (each request a savepoint in it) and its
    clock at `clock`."""

    def session_override() -> Iterator[Session]:
        with Session(bind=connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextmanager
    def job_session() -> Iterator[Session]:
        # Work after the response (reminders) gets sessions of its own, in the same transaction.
        with Session(bind=connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    app.dependency_overrides[get_session] = session_override
    app.dependency_overrides[open_session] = session_override
    app.dependency_overrides[get_session_factory] = lambda: job_session
    app.dependency_overrides[get_now] = lambda: clock.now


@pytest.fixture
def client(app, _client, connection, clock) -> Iterator[TestClient]:  # noqa: ANN001
    bind_app(app, connection, clock)
    _client.headers.clear()
    yield _client
    app.dependency_overrides.clear()


_TOKENS: dict[tuple[str, str], str] = {}


@pytest.fixture
def auth(client, database):  # noqa: ANN001, ANN201
    """auth("daton") → headers of that demo user (tokens cached for the run)."""

    def headers(username: str) -> dict[str, str]:
        key = (database.url, username)
        if key not in _TOKENS:
            r = client.post("/api/v1/auth/token",
                            data={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            _TOKENS[key] = r.json()["access_token"]
        return {"Authorization": f"Bearer {_TOKENS[key]}"}

    return headers


def assert_error(response, status: int, code: str | None = None,  # noqa: ANN001
                 field: str | None = None) -> dict:
    """The one error shape, with the expected status (and code and field, when given)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert {"code", "message", "field", "details"} <= set(err), err
    assert err["message"]
    if code is not None:
        assert err["code"] == code, err
    if field is not None:
        assert err["field"] == field, err
    return err
