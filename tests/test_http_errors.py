"""Bad input of every kind gets a 4xx in the one error shape and changes nothing."""

from conftest import assert_error
from factories import staff_report


def _count(client, headers):
    return client.get("/api/v1/reports", headers=headers, params={"limit": 1}).json()["count"]


def test_malformed_and_oversized_bodies(client, auth):
    admin = auth("admin")
    before = _count(client, admin)
    h = {**admin, "Content-Type": "application/json"}
    assert_error(client.post("/api/v1/reports", headers=h, content=b'{"campaign": '), 422,
                 "validation_error")
    assert_error(client.post("/api/v1/reports", headers=h, content=b"\xff\xfe\x00"), 422, "invalid_body")
    assert_error(client.post("/api/v1/reports", headers=h, content=b"[1, 2]"), 422)
    big = b'{"note": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    assert_error(client.post("/api/v1/reports", headers=h, content=big), 413, "payload_too_large")
    form = {**admin, "Content-Type": "text/plain"}
    assert_error(client.post("/api/v1/reports", headers=form,
                             content=str(staff_report("GL-P-VHTT")).encode()), 422)
    assert _count(client, admin) == before


def test_unknown_routes_and_methods(client, auth):
    assert_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_error(client.delete("/api/v1/reports", headers=auth("admin")), 405)
    assert_error(client.get("/api/v1/reports/abc", headers=auth("admin")), 404)
    assert_error(client.get("/api/v1/reports/99999999", headers=auth("admin")), 404)


def test_unauthenticated_and_bad_tokens(client):
    assert_error(client.get("/api/v1/units"), 401, "unauthorized")
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert_error(client.get("/api/v1/units", headers=bad), 401, "invalid_token")
    assert_error(client.get("/api/v1/units", headers={"Authorization": "Bearer tdk_nope"}), 401)


def test_health_ready_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/api/ready").json()["status"] == "ready"
    schema = client.get("/openapi.json").json()
    ops = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"units-list", "reports-create", "reports-replace", "auth-token"} <= ops
    create = schema["paths"]["/api/v1/reports"]["post"]
    assert {"409", "422", "401"} <= set(create["responses"])
    assert {"Login", "IntegrationToken"} <= set(schema["components"]["securitySchemes"])
