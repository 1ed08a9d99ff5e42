"""A PostgreSQL that goes away: the app answers 503 (readiness and requests alike) in the one
error shape, and serves again by itself once the database is back. Run against a real
server, on a database of this test's own; the shared server is never stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from conftest import DEMO_NOW, PASSWORD, _pg_admin_engine, assert_error, demo_database
from tiendo.core.clock import get_now
from tiendo.db import make_engine
from tiendo.main import create_app


@pytest.fixture(scope="module")
def pg() -> Iterator:
    yield from demo_database("postgresql")


def _set_outage(name: str, down: bool) -> None:
    admin = _pg_admin_engine()
    assert admin is not None
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not down).lower()}'))
        if down:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name})
    admin.dispose()


def test_database_outage_answers_503_then_recovers(pg):
    name = pg.url.rsplit("/", 1)[1]
    engine = make_engine(pg.url)  # the app's own pool, as in production
    app = create_app(engine=engine)
    app.dependency_overrides[get_now] = lambda: DEMO_NOW
    try:
        with TestClient(app) as client:
            token = client.post("/api/v1/auth/token",
                                data={"username": "vanphong", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert client.get("/api/v1/units", headers=headers).status_code == 200
            assert client.get("/api/ready").status_code == 200

            _set_outage(name, down=True)
            assert_error(client.get("/api/ready"), 503, "database_unavailable")
            down = client.get("/api/v1/units", headers=headers)
            assert_error(down, 503, "database_unavailable")
            assert down.headers["retry-after"] and down.headers["x-request-id"]
            assert_error(client.post("/api/v1/auth/token",
                                     data={"username": "vanphong", "password": PASSWORD}),
                         503, "database_unavailable")
            assert client.get("/api/health").status_code == 200  # the process itself is fine

            _set_outage(name, down=False)
            assert client.get("/api/ready").json()["status"] == "ready"
            back = client.get("/api/v1/units", headers=headers)
            assert back.status_code == 200 and back.json()["count"] > 0
    finally:
        _set_outage(name, down=False)
        engine.dispose()
