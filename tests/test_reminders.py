"""Reminders through webhooks: success, timeout, server error and refused connection, each
recorded, none stopping the others; webhooks CRUD; the `tiendo remind` command."""

import hashlib
import hmac
import json

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from conftest import assert_error, new_database
from factories import new_unit
from tiendo.config import get_settings
from tiendo.cycle import reminders
from tiendo.cycle.models import Webhook, WebhookDelivery
from tiendo.units.models import Unit

LIVE = "ihanoi-live"
OK, SLOW, BROKEN, REFUSED = (f"https://{h}.example.vn/tiendo"
                             for h in ("ok", "slow", "broken", "refused"))
SECRET = "bi-mat-cua-xa-2024"


@pytest.fixture(autouse=True)
def closed_network(monkeypatch):
    """These receivers are test hosts, not the internet: the address policy is lifted here
    (test_harden_outbound.py tests the policy itself)."""
    monkeypatch.setenv("TIENDO_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


@pytest.fixture
def sleeps(monkeypatch):
    """The back-off waits, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(reminders, "_sleep", waited.append)
    return waited


def hook(client, admin, url: str, unit: str = "HN-GL", **extra) -> dict:
    r = client.post("/api/v1/webhooks", headers=admin,
                    json={"name": url.split("//")[1].split(".")[0], "url": url, "unit": unit,
                          **extra})
    assert r.status_code == 201, r.text
    return r.json()


def waiting_units(client, headers, **params) -> list[str]:
    view = client.get("/api/v1/completeness", headers=headers,
                      params={"campaign": LIVE, **params}).json()
    return [u["unit"] for u in view["units"] if u["status"] in ("pending", "missing")]


def test_one_failing_webhook_never_loses_the_others(client, auth, httpx_mock, sleeps):
    admin, manager = auth("admin"), auth("vanphong")
    ids = [hook(client, admin, OK, secret=SECRET)["id"], hook(client, admin, SLOW)["id"],
           hook(client, admin, BROKEN)["id"], hook(client, admin, REFUSED)["id"]]
    httpx_mock.add_response(url=OK, method="POST", json={"ok": True})
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), url=SLOW, is_reusable=True)
    httpx_mock.add_response(url=BROKEN, status_code=500, is_reusable=True)
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), url=REFUSED,
                             is_reusable=True)
    missing = waiting_units(client, manager)

    r = client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["period"] == "2024-W36" and body["missing"] == len(missing) > 0
    got = [(d["webhook_id"], d["status"], d["attempts"], d["units"]) for d in body["deliveries"]]
    assert got == [(ids[0], "delivered", 1, len(missing)), (ids[1], "failed", 3, len(missing)),
                   (ids[2], "failed", 3, len(missing)), (ids[3], "failed", 3, len(missing))]
    errors = [d["error"] for d in body["deliveries"]]
    assert errors[:3] == [None, "timeout", "HTTP 500"] and "Connection refused" in errors[3]
    assert sleeps == [0.5, 1.0] * 3  # exponential back-off between attempts

    sent = httpx_mock.get_requests(url=OK)[0]
    payload = json.loads(sent.content)
    assert [u["code"] for u in payload["units"]] == missing
    assert (payload["campaign"], payload["period"], payload["overdue"]) == (LIVE, "2024-W36",
                                                                            False)
    assert payload["due_at"] == "2024-09-05T15:00:00+07:00"
    signature = hmac.new(SECRET.encode(), sent.content, hashlib.sha256).hexdigest()
    assert sent.headers["X-Tiendo-Signature"] == f"sha256={signature}"
    assert len(httpx_mock.get_requests(url=SLOW)) == 3

    broken = client.get(f"/api/v1/webhooks/{ids[2]}/deliveries", headers=admin).json()
    assert [(d["status"], d["attempts"], d["http_status"]) for d in broken] == [
        ("failed", 3, 500)]
    audit = client.get("/api/v1/audit", headers=admin,
                       params={"action": "reminders.send"}).json()["data"][0]
    assert audit["detail"] == {"period": "2024-W36", "missing": len(missing), "delivered": 1,
                               "failed": 3}


def test_retries_until_success_but_not_after_a_client_error(client, auth, httpx_mock, sleeps):
    admin, manager = auth("admin"), auth("vanphong")
    flaky = hook(client, admin, OK)["id"]
    gone = hook(client, admin, BROKEN)["id"]
    httpx_mock.add_response(url=OK, status_code=503)
    httpx_mock.add_response(url=OK, status_code=204)
    httpx_mock.add_response(url=BROKEN, status_code=404)
    body = client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE}).json()
    assert [(d["webhook_id"], d["status"], d["attempts"], d["error"])
            for d in body["deliveries"]] == [(flaky, "delivered", 2, None),
                                             (gone, "failed", 1, "HTTP 404")]
    assert sleeps == [0.5]


def test_each_webhook_hears_about_its_own_subtree(client, auth, httpx_mock, sleeps):
    admin, manager = auth("admin"), auth("vanphong")
    school = new_unit(client, admin, kind="school", parent="GL-X-DATON")["code"]
    hook(client, admin, OK, unit="GL-X-DATON")
    hook(client, admin, BROKEN, active=False)
    httpx_mock.add_response(url=OK)
    body = client.post("/api/v1/reminders", headers=manager,
                       json={"campaign": LIVE, "period": "2024-W35"}).json()
    codes = [u["code"] for u in json.loads(httpx_mock.get_requests()[0].content)["units"]]
    assert school in codes and set(codes) <= {"GL-X-DATON", school}
    assert body["deliveries"][0]["units"] == len(codes) and len(body["deliveries"]) == 1
    assert json.loads(httpx_mock.get_requests()[0].content)["overdue"] is True
    assert_error(client.post("/api/v1/reminders", headers=auth("daton"),
                             json={"campaign": LIVE}), 403)


def test_reminders_to_a_subtree_only(client, auth, httpx_mock, sleeps):
    admin, manager = auth("admin"), auth("vanphong")
    school = new_unit(client, admin, kind="school", parent="GL-X-BATTRANG")["code"]
    hook(client, admin, OK)
    httpx_mock.add_response(url=OK)
    under = {"under": "GL-X-BATTRANG", "period": "2024-W35"}
    body = client.post("/api/v1/reminders", headers=manager,
                       json={"campaign": LIVE, **under}).json()
    expected = waiting_units(client, manager, **under)
    assert school in expected and body["missing"] == len(expected)
    sent = json.loads(httpx_mock.get_requests()[0].content)["units"]
    assert [u["code"] for u in sent] == expected
    assert {u["status"] for u in sent} == {"missing"}


def test_webhooks_crud_for_admins(client, auth):
    admin = auth("admin")
    assert_error(client.post("/api/v1/webhooks", headers=admin, json={
        "name": "x", "url": "ftp://example.vn/x", "unit": "HN-GL"}), 422, field="url")
    assert_error(client.get("/api/v1/webhooks", headers=auth("vanphong")), 403)
    created = hook(client, admin, OK, secret=SECRET)
    assert created["has_secret"] is True and "secret" not in created
    assert created in client.get("/api/v1/webhooks", headers=admin).json()
    r = client.patch(f"/api/v1/webhooks/{created['id']}", headers=admin,
                     json={"active": False, "secret": None})
    assert (r.json()["active"], r.json()["has_secret"]) == (False, False)
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=admin).status_code == 204
    assert_error(client.get(f"/api/v1/webhooks/{created['id']}", headers=admin), 404,
                 "webhook_not_found")


def test_remind_command_records_each_delivery(httpx_mock, sleeps, monkeypatch):
    from tiendo import cli, config, db
    from tiendo.core.clock import utcnow
    from tiendo.demo.seed import seed_demo

    for database in new_database("sqlite"):
        with Session(database.engine) as s:
            seed_demo(s, now=utcnow(), password="x" * 12)  # the live campaign runs today
            district = s.exec(select(Unit).where(Unit.code == "HN-GL")).one()
            s.add(Webhook(name="ok", url=OK, unit_id=district.id))
            s.add(Webhook(name="broken", url=BROKEN, unit_id=district.id))
            s.commit()
        monkeypatch.setenv("TIENDO_DATABASE_URL", database.url)
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
        httpx_mock.add_response(url=OK)
        httpx_mock.add_response(url=BROKEN, status_code=502, is_reusable=True)
        try:
            result = CliRunner().invoke(cli.app, ["remind", "--campaign", LIVE])
        finally:
            db.get_engine().dispose()
            config.get_settings.cache_clear()
            db.get_engine.cache_clear()
        assert result.exit_code == 1, result.output  # one webhook failed: cron should know
        assert "delivered after 1 attempt(s)" in result.output
        assert "failed after 3 attempt(s)" in result.output and "HTTP 502" in result.output
        with Session(database.engine) as s:
            rows = s.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
            assert [(d.status, d.attempts) for d in rows] == [("delivered", 1), ("failed", 3)]
