"""Issue 13, finding 5: webhooks reach the public internet only, checked when saved and again
at each delivery; redirects are not followed; TIENDO_WEBHOOK_ALLOW_PRIVATE lifts the policy."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from conftest import assert_error
from tiendo.config import get_settings
from tiendo.core import outbound

PUBLIC = "93.184.216.34"  # only ever "resolved" to, never contacted: httpx is mocked


@pytest.fixture
def dns(monkeypatch):
    """This machine has no DNS: names resolve through this table (changeable mid-test)."""
    table: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return table


def deliveries(client, admin, hook_id: int) -> list[dict]:
    return client.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=admin).json()["data"]


def create(client, admin, url: str):
    return client.post("/api/v1/webhooks", headers=admin,
                       json={"name": "thử", "url": url, "unit": "HN-GL"})


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/x", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/",
    "http://192.168.1.1:22/", "http://172.16.0.1/", "http://100.64.0.1/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://240.0.0.1/", "http://[::1]:8000/", "http://[::]/",
    "http://[fe80::1]/", "http://[fd00::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/", "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/",
    "http://localhost:8000/", "http://intranet.example.vn/",
])
def test_internal_targets_are_refused_when_saved(client, auth, dns, url):
    dns["intranet.example.vn"] = [PUBLIC, "10.0.0.8"]  # one private address is enough
    dns["localhost"] = ["127.0.0.1", "::1"]
    assert_error(create(client, auth("admin"), url), 422, "address_not_allowed", "url")


def test_unresolvable_hosts_and_edits_are_refused_too(client, auth, dns):
    admin = auth("admin")
    assert_error(create(client, admin, "https://nowhere.example.vn/"), 422,
                 "address_unresolvable", "url")
    dns["hooks.example.vn"] = [PUBLIC]
    hook = create(client, admin, "https://hooks.example.vn/tiendo")
    assert hook.status_code == 201, hook.text
    r = client.patch(f"/api/v1/webhooks/{hook.json()['id']}", headers=admin,
                     json={"url": "http://127.0.0.1:6379/"})
    assert_error(r, 422, "address_not_allowed", "url")


def test_dns_changed_after_saving_is_caught_at_delivery(client, auth, dns, httpx_mock):
    dns["hooks.example.vn"] = [PUBLIC]
    admin = auth("admin")
    hook = create(client, admin, "https://hooks.example.vn/tiendo").json()
    dns["hooks.example.vn"] = ["169.254.169.254"]
    r = client.post("/api/v1/reminders", headers=auth("vanphong"), json={"campaign": "ihanoi-live"})
    assert r.status_code == 202, r.text  # sent after the answer, as every reminder
    [delivery] = deliveries(client, admin, hook["id"])
    assert delivery["status"] == "failed"  # for good: the address will not become public
    assert delivery["error"].startswith("address_not_allowed")
    assert httpx_mock.get_requests() == []  # nothing left the server


def test_redirects_are_not_followed(client, auth, dns, httpx_mock):
    dns["hooks.example.vn"] = [PUBLIC]
    admin = auth("admin")
    hook = create(client, admin, "https://hooks.example.vn/tiendo").json()
    httpx_mock.add_response(url="https://hooks.example.vn/tiendo", status_code=302,
                            headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    client.post("/api/v1/reminders", headers=auth("vanphong"), json={"campaign": "ihanoi-live"})
    [delivery] = deliveries(client, admin, hook["id"])
    assert (delivery["status"], delivery["error"]) == ("failed", "HTTP 302")
    assert [str(q.url) for q in httpx_mock.get_requests()] == ["https://hooks.example.vn/tiendo"]


def test_a_closed_network_may_allow_private_targets(client, auth, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    assert create(client, auth("admin"), "http://10.1.2.3:8080/hook").status_code == 201


@pytest.fixture
def local_server():
    """A real HTTP server on loopback: the target of an attempted request to the inside."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", hits
    server.shutdown()
    server.server_close()


def test_the_connection_itself_is_checked(local_server, monkeypatch):
    """Even past the URL check (DNS rebinding), the transport refuses to connect inside."""
    url, hits = local_server
    with httpx.Client(transport=outbound.PublicOnlyTransport()) as c, \
            pytest.raises(httpx.ConnectError, match="không công cộng"):
        c.post(url, content=b"{}")
    assert hits == []
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    with httpx.Client(transport=outbound.transport()) as c:  # what the reminder channels use
        assert c.post(url, content=b"{}").status_code == 204 and hits == ["/hook"]
