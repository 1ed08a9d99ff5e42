"""Fixtures for tests that need a database of their own (fresh, migrated, demo loaded), since they
commit for real: fuzzing, concurrent writers, a killed server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from conftest import DEMO_NOW, PASSWORD, Database, demo_database
from tiendo.core.clock import get_now
from tiendo.main import create_app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def own_db(request) -> Iterator[Database]:  # noqa: ANN001
    yield from demo_database(request.param)


@pytest.fixture(scope="module")
def own_app(own_db):  # noqa: ANN001, ANN201
    app = create_app(engine=own_db.engine)
    app.dependency_overrides[get_now] = lambda: DEMO_NOW
    return app


@pytest.fixture(scope="module")
def own_client(own_app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(own_app) as client:
        yield client


@pytest.fixture(scope="module")
def login(own_client):  # noqa: ANN001, ANN201
    """login("daton") → Authorization headers of that demo user on this database."""
    cache: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in cache:
            r = own_client.post("/api/v1/auth/token",
                                data={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            cache[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[username]

    return headers
