"""Every route, fuzzed from the OpenAPI schema, as an admin, a manager, a reporter and an
integration token that may only write reports: no 5xx, and every response (status, headers,
body) is what the schema declares."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import create_engine

from conftest import DEMO_NOW, PASSWORD
from tiendo.core.clock import get_now
from tiendo.main import create_app

# The schema is read when the module is collected; the app is pointed at each fresh database
# (app.state.engine) by the fixture below, before any request is made.
app = create_app(engine=create_engine("sqlite://"))
app.dependency_overrides[get_now] = lambda: DEMO_NOW
schema = schemathesis.openapi.from_dict(app.openapi())  # from_asgi would start the app now
schema.app = app
# 413 (body over the size limit) is a rejection too: an over-long bulk list trips it first.
schema.config.checks.negative_data_rejection.expected_statuses.append("413")


@pytest.fixture(scope="module")
def logins(own_db) -> dict[str, dict[str, str]]:  # noqa: ANN001
    app.state.engine = own_db.engine
    out = {}
    with TestClient(app) as client:
        for user in ("admin", "vanphong", "daton"):  # admin, manager, reporter
            r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
            assert r.status_code == 200, r.text
            out[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.post("/api/v1/tokens", headers=out["admin"], json={
            "name": "Chỉ gửi báo cáo", "unit": "GL-X-DATON", "scopes": ["reports:write"]})
        assert r.status_code == 201, r.text
        out["write-only token"] = {"Authorization": f"Bearer {r.json()['token']}"}
    return out


@schema.parametrize()
@settings(max_examples=12, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, logins):  # noqa: ANN001
    for headers in logins.values():  # every case with each caller's rights
        # Business rules answer 422 to schema-valid input (week 53 of a 52-week year, locking
        # oneself out): positive_data_acceptance would call that a bug. Every other check runs.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
