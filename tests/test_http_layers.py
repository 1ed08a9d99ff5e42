"""What a browser, a proxy and an operator see around every answer: security headers, the
request id, gzip, Host and CORS checks, the JSON request log and the protected /metrics."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from conftest import PASSWORD, assert_error
from factories import staff_report
from tiendo.config import get_settings
from tiendo.core.logs import JsonFormatter
from tiendo.main import create_app


@pytest.fixture
def settings_env(monkeypatch) -> Iterator:  # noqa: ANN001
    """settings_env(NAME=value, …) changes settings for this test only."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"TIENDO_{name.upper()}", value)
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def custom_app(settings_env, database):  # noqa: ANN001, ANN201
    """An app built with other settings, on the test database (read-only use only)."""
    clients: list[TestClient] = []

    def build(client_address: tuple[str, int] = ("testclient", 50000),
              base_url: str = "http://testserver", **values: str) -> TestClient:
        settings_env(**values)
        client = TestClient(create_app(engine=database.engine), base_url=base_url,
                            client=client_address, raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def test_every_answer_carries_the_security_headers(client):
    for r in (client.get("/api/health"), client.get("/api/v1/units"), client.get("/")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "strict-transport-security" not in r.headers  # plain http, no setting
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "script-src 'self';" in docs.headers["content-security-policy"]  # no CDN, no inline


def test_hsts_over_https_or_when_configured(custom_app):
    over_https = custom_app(base_url="https://testserver").get("/api/health")
    assert over_https.headers["strict-transport-security"].startswith("max-age=31536000")
    forced = custom_app(hsts="true").get("/api/health")
    assert "max-age" in forced.headers["strict-transport-security"]


def test_request_id_is_returned_and_a_sane_incoming_one_kept(client):
    first, second = client.get("/api/health"), client.get("/api/health")
    assert len(first.headers["x-request-id"]) >= 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    kept = client.get("/api/health", headers={"X-Request-ID": "proxy-7f3a.1"})
    assert kept.headers["x-request-id"] == "proxy-7f3a.1"
    for bad in ("x" * 65, "a b", "<script>"):
        replaced = client.get("/api/health", headers={"X-Request-ID": bad})
        assert replaced.headers["x-request-id"] != bad


def test_large_answers_are_gzipped_small_ones_not(client, auth):
    big = client.get("/api/v1/units?limit=100", headers={**auth("admin"),
                                                          "Accept-Encoding": "gzip"})
    assert big.status_code == 200 and len(big.content) > 1024
    assert big.headers["content-encoding"] == "gzip"
    small = client.get("/api/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_unknown_host_is_refused_in_the_error_shape(custom_app):
    c = custom_app(allowed_hosts="tiendo.example.vn,*.gialam.gov.vn")
    assert_error(c.get("/api/health", headers={"Host": "evil.example.com"}), 400,
                 "invalid_host", "Host")
    for host in ("tiendo.example.vn", "tk.gialam.gov.vn", "127.0.0.1:8000", "localhost"):
        assert c.get("/api/health", headers={"Host": host}).status_code == 200, host


def test_cors_only_for_configured_origins(custom_app):
    c = custom_app(cors_origins="https://bando.hanoi.gov.vn")
    ok = c.options("/api/v1/units", headers={"Origin": "https://bando.hanoi.gov.vn",
                                             "Access-Control-Request-Method": "GET",
                                             "Access-Control-Request-Headers": "authorization"})
    assert ok.headers["access-control-allow-origin"] == "https://bando.hanoi.gov.vn"
    other = c.get("/api/health", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers


@pytest.fixture
def json_log(caplog) -> Iterator:  # noqa: ANN001
    """The JSON lines the app logs while the test runs: json_log("tiendo.access") → dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    caplog.set_level(logging.INFO)
    logging.getLogger().addHandler(handler)

    def lines(logger: str) -> list[dict]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in parsed if line["logger"] == logger]

    yield lines
    logging.getLogger().removeHandler(handler)


def test_one_json_log_line_per_request_with_who_and_what(client, auth, json_log):
    headers = auth("daton")
    r = client.get("/api/v1/units/GL-X-DATON", headers={**headers, "X-Request-ID": "req-42"})
    assert r.status_code == 200
    client.get("/api/v1/units/GL-X-DATON")  # anonymous
    lines = json_log("tiendo.access")
    mine = next(line for line in lines if line["request_id"] == "req-42")
    assert mine["route"] == "/api/v1/units/{unit}" and mine["path"] == "/api/v1/units/GL-X-DATON"
    assert mine["status"] == 200 and mine["method"] == "GET"
    assert mine["principal"].startswith("user:") and mine["duration_ms"] >= 0
    anonymous = lines[-1]
    assert anonymous["status"] == 401 and anonymous["principal"] is None


def test_an_unexpected_error_is_a_500_with_its_stack_logged_under_the_request_id(
        custom_app, json_log):
    c = custom_app()

    def boom() -> None:
        raise RuntimeError("kaboom")

    c.app.add_api_route("/api/test-boom", boom, methods=["POST"])
    r = c.post("/api/test-boom", headers={"X-Request-ID": "boom-1"})
    assert_error(r, 500, "internal_error")
    assert r.headers["x-request-id"] == "boom-1" and r.headers["x-frame-options"] == "DENY"
    assert any(e.get("request_id") == "boom-1" and "RuntimeError: kaboom" in e["exc"]
               for e in json_log("tiendo.errors"))
    logged = next(line for line in json_log("tiendo.access") if line["request_id"] == "boom-1")
    assert logged["status"] == 500


def _metrics(client, headers) -> dict[tuple[str, tuple], float]:  # noqa: ANN001
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def test_metrics_are_off_unless_configured_then_need_the_token(client, settings_env):
    assert_error(client.get("/metrics"), 404)
    settings_env(metrics_token="scrape-me")
    assert_error(client.get("/metrics"), 401)
    assert_error(client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_metrics_from_an_allowed_network_without_token(custom_app):
    inside = custom_app(client_address=("10.1.2.3", 40000), metrics_networks="10.0.0.0/8")
    assert inside.get("/metrics").status_code == 200
    outside = custom_app(client_address=("203.0.113.9", 40000), metrics_networks="10.0.0.0/8")
    assert_error(outside.get("/metrics"), 403, "metrics_forbidden")


def test_metrics_count_requests_submissions_and_failed_logins(client, auth, settings_env):
    settings_env(metrics_token="scrape-me")
    scrape = {"Authorization": "Bearer scrape-me"}
    headers = auth("daton")
    before = _metrics(client, scrape)
    for _ in range(3):
        client.get("/api/v1/units/GL-X-DATON", headers=headers)
    client.post("/api/v1/auth/token", data={"username": "daton", "password": PASSWORD + "x"})
    report = staff_report("GL-X-DATON", period="2024-W36", campaign="ihanoi-live")
    report["values"]["residents_accounts"] = 4100
    r = client.post("/api/v1/reports", headers=headers, json=report)
    assert r.status_code == 201, r.text
    after = _metrics(client, scrape)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    route = {"method": "GET", "route": "/api/v1/units/{unit}"}
    assert delta("tiendo_http_requests_total", status="200", **route) == 3
    assert delta("tiendo_http_request_duration_seconds_count", **route) == 3
    assert delta("tiendo_http_request_duration_seconds_bucket", le="+Inf", **route) == 3
    assert delta("tiendo_login_failures_total", reason="invalid_credentials") == 1
    assert delta("tiendo_report_submissions_total", kind="new") == 1
