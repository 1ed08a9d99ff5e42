"""Reminders through the ledger: `POST /reminders` queues one message per missing unit and
channel, answers 202 at once and sends afterwards; a second call sends nothing more; webhooks
keep working, failures are retried with back-off and given up after the maximum."""

import hashlib
import hmac
import html
import json
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from conftest import DEMO_NOW, assert_error, new_database
from factories import new_unit
from reminder_fixtures import mailbox, set_contact
from tiendo.reminders.models import ReminderMessage, Webhook
from tiendo.units.models import Unit

pytestmark = pytest.mark.usefixtures("closed_network")

LIVE = "ihanoi-live"
OK, SLOW, BROKEN, REFUSED, GONE = (f"https://{h}.example.vn/tiendo"
                                   for h in ("ok", "slow", "broken", "refused", "gone"))
SECRET = "bi-mat-cua-xa-2024"


def hook(client, admin, url: str, unit: str = "HN-GL", **extra) -> dict:
    r = client.post("/api/v1/webhooks", headers=admin,
                    json={"name": url.split("//")[1].split(".")[0], "url": url, "unit": unit,
                          **extra})
    assert r.status_code == 201, r.text
    return r.json()


def waiting_units(client, headers, **params) -> list[str]:
    view = client.get("/api/v1/completeness", headers=headers,
                      params={"campaign": LIVE, "limit": 500, **params}).json()
    return [u["unit"] for u in view["data"] if u["status"] in ("pending", "missing")]


def messages(client, headers, **params) -> list[dict]:
    r = client.get("/api/v1/reminders/messages", headers=headers,
                   params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_one_email_per_missing_unit_and_a_second_call_sends_nothing(client, auth, smtp):
    admin, manager = auth("admin"), auth("vanphong")
    missing = waiting_units(client, manager)
    reachable = missing[:3]
    for code in reachable:
        set_contact(client, admin, code, name=f"Chị Hoa {code}", email=mailbox(code))

    r = client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE})
    assert r.status_code == 202, r.text
    body = r.json()
    assert (body["period"], body["kind"], body["missing"], body["already"]) == (
        "2024-W36", "manual", len(missing), 0)
    assert [(q["unit"], q["channel"], q["recipient"]) for q in body["queued"]] == [
        (c, "email", mailbox(c)) for c in reachable]
    assert body["unreachable"] == missing[3:] and body["channels"] == ["email"]

    assert sorted(a for m in smtp.received for a in m.rcpt_tos) == sorted(
        mailbox(c) for c in reachable)
    mail = smtp.to(mailbox(reachable[0]))[0]
    assert mail.tls  # STARTTLS was offered, so it was used (and the log-in needs it)
    assert mail.message["Subject"] == ("[Tiến Độ] Nhắc báo cáo tuần 2024-W36: hạn 15:00 "
                                       "thứ Năm 05/09/2024")
    link = f"https://tiendo.gialam.gov.vn/report?unit={reachable[0]}&period=2024-W36"
    assert f"Kính gửi Chị Hoa {reachable[0]}," in mail.text() and link in mail.text()
    assert "chưa gửi báo cáo tuần 2024-W36" in mail.text()
    assert f'<a href="{html.escape(link)}">' in mail.html()
    sent = messages(client, manager, campaign=LIVE, period="2024-W36")
    assert {(m["unit"], m["status"], m["attempts"]) for m in sent} == {
        (c, "delivered", 1) for c in reachable}
    assert all(m["delivered_at"] == DEMO_NOW.isoformat().replace("+00:00", "Z") for m in sent)

    again = client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE}).json()
    assert (again["queued"], again["already"]) == ([], 3)
    assert len(smtp.received) == 3  # nothing delivered twice
    audit = client.get("/api/v1/audit", headers=admin,
                       params={"action": "reminders.send"}).json()["data"]
    assert [a["detail"]["queued"] for a in audit[:2]] == [0, 3]


def test_a_unit_admin_chooses_its_channels(client, auth, smtp, env, httpx_mock):
    env(SMS_URL="https://sms.example.vn/send")
    admin, manager = auth("admin"), auth("vanphong")
    code = waiting_units(client, manager)[0]
    set_contact(client, admin, code, email=mailbox(code), phone="0912345678")
    r = client.get(f"/api/v1/units/{code}/reminder-channels", headers=manager)
    assert r.json() == {"unit": code, "email": True, "zalo": True, "sms": True,
                        "configured": ["email", "sms"]}
    assert_error(client.put(f"/api/v1/units/{code}/reminder-channels", headers=manager,
                            json={"email": False, "zalo": True, "sms": True}), 403)
    r = client.put(f"/api/v1/units/{code}/reminder-channels", headers=admin,
                   json={"email": False, "zalo": True, "sms": True})
    assert r.status_code == 200 and r.json()["email"] is False
    httpx_mock.add_response(url="https://sms.example.vn/send", json={"ok": True})
    body = client.post("/api/v1/reminders", headers=manager,
                       json={"campaign": LIVE, "under": code}).json()
    assert [(q["unit"], q["channel"]) for q in body["queued"]] == [(code, "sms")]
    assert smtp.received == []


def test_one_failing_webhook_never_loses_the_others(client, auth, httpx_mock, session, env):
    env(REMINDER_MAX_ATTEMPTS="3", REMINDER_RETRY_SECONDS="300")
    admin, manager = auth("admin"), auth("vanphong")
    ids = [hook(client, admin, url, **({"secret": SECRET} if url == OK else {}))["id"]
           for url in (OK, SLOW, BROKEN, REFUSED, GONE)]
    httpx_mock.add_response(url=OK, method="POST", json={"ok": True})
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), url=SLOW, is_reusable=True)
    httpx_mock.add_response(url=BROKEN, status_code=500, is_reusable=True)
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), url=REFUSED,
                             is_reusable=True)
    httpx_mock.add_response(url=GONE, status_code=410)
    missing = waiting_units(client, manager)

    r = client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE})
    assert r.status_code == 202, r.text
    assert [q["channel"] for q in r.json()["queued"]] == [f"webhook:{i}" for i in ids]

    def state() -> list[tuple]:
        rows = session.exec(select(ReminderMessage).order_by(ReminderMessage.id)).all()
        for row in rows:
            session.refresh(row)
        return [(r.status, r.attempts, r.last_error and r.last_error[:20]) for r in rows]

    assert state() == [("delivered", 1, None), ("retry", 1, "timeout"),
                       ("retry", 1, "HTTP 500"), ("retry", 1, "ConnectError: [Errno"),
                       ("failed", 1, "HTTP 410")]  # a 4xx is answered the same again: no retry
    sent = httpx_mock.get_requests(url=OK)[0]
    payload = json.loads(sent.content)
    assert [u["code"] for u in payload["units"]] == missing
    assert (payload["campaign"], payload["period"], payload["overdue"], payload["kind"]) == (
        LIVE, "2024-W36", False, "manual")
    assert payload["due_at"] == "2024-09-05T15:00:00+07:00"
    signature = hmac.new(SECRET.encode(), sent.content, hashlib.sha256).hexdigest()
    assert sent.headers["X-Tiendo-Signature"] == f"sha256={signature}"

    from tiendo.reminders.delivery import deliver_due

    def run(minutes: int) -> None:
        deliver_due(lambda: _savepoint(session), DEMO_NOW + timedelta(minutes=minutes))

    run(4)  # the back-off (5 minutes after the first failure) has not passed: nothing sent
    assert len(httpx_mock.get_requests(url=SLOW)) == 1
    run(5)  # second attempts
    run(14)  # the next waits 10 minutes: not yet
    run(15)  # third and last attempts
    run(120)
    assert state()[1:4] == [("failed", 3, "timeout"), ("failed", 3, "HTTP 500"),
                            ("failed", 3, "ConnectError: [Errno")]
    assert [len(httpx_mock.get_requests(url=u)) for u in (OK, SLOW, BROKEN, REFUSED, GONE)] == [
        1, 3, 3, 3, 1]
    broken = client.get(f"/api/v1/webhooks/{ids[2]}/deliveries", headers=admin).json()["data"]
    assert [(d["status"], d["attempts"], d["units"], d["error"]) for d in broken] == [
        ("failed", 3, len(missing), "HTTP 500")]
    # A manager asking again gives the messages that gave up a new start, not the delivered one.
    httpx_mock.add_response(url=GONE, status_code=204)
    again = client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE}).json()
    assert [q["channel"] for q in again["queued"]] == [f"webhook:{i}" for i in ids[1:]]
    assert again["already"] == 1


def _savepoint(session: Session):  # noqa: ANN202
    from contextlib import contextmanager

    @contextmanager
    def cm():  # noqa: ANN202
        with Session(bind=session.connection(), join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as s:
            yield s
            s.commit()

    return cm()


def test_each_webhook_hears_about_its_own_subtree(client, auth, httpx_mock):
    admin, manager = auth("admin"), auth("vanphong")
    school = new_unit(client, admin, kind="school", parent="GL-X-DATON")["code"]
    hook(client, admin, OK, unit="GL-X-DATON")
    hook(client, admin, BROKEN, active=False)
    httpx_mock.add_response(url=OK)
    body = client.post("/api/v1/reminders", headers=manager,
                       json={"campaign": LIVE, "period": "2024-W35"}).json()
    codes = [u["code"] for u in json.loads(httpx_mock.get_requests()[0].content)["units"]]
    assert school in codes and set(codes) <= {"GL-X-DATON", school}
    assert len(body["queued"]) == 1 and body["queued"][0]["unit"] == "GL-X-DATON"
    assert json.loads(httpx_mock.get_requests()[0].content)["overdue"] is True
    assert_error(client.post("/api/v1/reminders", headers=auth("daton"),
                             json={"campaign": LIVE}), 403)


def test_reminders_to_a_subtree_only(client, auth, httpx_mock):
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
    assert created in client.get("/api/v1/webhooks", headers=admin).json()["data"]
    r = client.patch(f"/api/v1/webhooks/{created['id']}", headers=admin,
                     json={"active": False, "secret": None})
    assert (r.json()["active"], r.json()["has_secret"]) == (False, False)
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=admin).status_code == 204
    assert_error(client.get(f"/api/v1/webhooks/{created['id']}", headers=admin), 404,
                 "webhook_not_found")


def test_a_test_message_to_me_on_each_channel(client, auth, smtp, env, httpx_mock):
    env(SMS_URL="https://sms.example.vn/send", ZNS_ACCESS_TOKEN="zalo-token-bi-mat",
        ZNS_TEMPLATE_ID="301234", ZNS_API_URL="https://zns.example.vn/message/template")
    admin = auth("admin")
    r = client.post("/api/v1/reminders/test", headers=admin,
                    json={"channel": "email", "to": "it@gialam.gov.vn"})
    assert r.json() == {"channel": "email", "recipient": "it@gialam.gov.vn", "delivered": True,
                        "error": None}
    assert smtp.to("it@gialam.gov.vn")[0].message["Subject"] == "[Tiến Độ] Tin nhắn thử"
    httpx_mock.add_response(url="https://zns.example.vn/message/template",
                            json={"error": -108, "message": "Phone number invalid"})
    r = client.post("/api/v1/reminders/test", headers=admin,
                    json={"channel": "zalo", "to": "0912345678"})
    assert (r.json()["delivered"], r.json()["error"]) == (False,
                                                          "ZNS -108: Phone number invalid")
    httpx_mock.add_response(url="https://sms.example.vn/send")
    r = client.post("/api/v1/reminders/test", headers=admin,
                    json={"channel": "sms", "to": "0912345678"})
    assert r.json()["delivered"] is True
    assert "zalo-token-bi-mat" not in json.dumps(client.get(
        "/api/v1/units/HN-GL/reminder-channels", headers=admin).json())
    assert_error(client.post("/api/v1/reminders/test", headers=admin,
                             json={"channel": "zalo"}), 422, "recipient_required", "to")
    assert_error(client.post("/api/v1/reminders/test", headers=auth("vanphong"),
                             json={"channel": "email"}), 403)


def test_test_message_on_a_channel_not_configured(client, auth):
    assert_error(client.post("/api/v1/reminders/test", headers=auth("admin"),
                             json={"channel": "sms", "to": "0912345678"}), 422,
                 "channel_not_configured", "channel")


@pytest.mark.parametrize("kind", ["sqlite"])
def test_remind_command_records_each_delivery(kind, httpx_mock, monkeypatch):
    from tiendo import cli, config, db
    from tiendo.core.clock import utcnow
    from tiendo.demo.seed import seed_demo

    for database in new_database(kind):
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
            again = CliRunner().invoke(cli.app, ["remind", "--campaign", LIVE])
        finally:
            db.get_engine().dispose()
            config.get_settings.cache_clear()
            db.get_engine.cache_clear()
        assert result.exit_code == 1, result.output  # one webhook failed: cron should know
        assert f"{OK}: delivered after 1 attempt(s)" in result.output
        assert f"{BROKEN}: retry after 1 attempt(s); HTTP 502" in result.output
        assert again.exit_code == 0, again.output  # the retry waits for its back-off
        assert "0 message(s) queued, 2 sent before" in again.output
        with Session(database.engine) as s:
            rows = s.exec(select(ReminderMessage).order_by(ReminderMessage.id)).all()
            assert [(d.status, d.attempts) for d in rows] == [("delivered", 1), ("retry", 1)]
        assert len(httpx_mock.get_requests(url=BROKEN)) == 1


def test_a_webhook_switched_off_gets_no_more_retries(client, auth, httpx_mock, session):
    from tiendo.reminders.delivery import deliver_due

    admin, manager = auth("admin"), auth("vanphong")
    hook_id = hook(client, admin, BROKEN)["id"]
    httpx_mock.add_response(url=BROKEN, status_code=503)
    client.post("/api/v1/reminders", headers=manager, json={"campaign": LIVE})
    r = client.patch(f"/api/v1/webhooks/{hook_id}", headers=admin, json={"active": False})
    assert r.status_code == 200
    deliver_due(lambda: _savepoint(session), DEMO_NOW + timedelta(hours=1))
    assert len(httpx_mock.get_requests()) == 1
    sent = client.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=admin).json()["data"]
    assert [(d["status"], d["attempts"], d["error"]) for d in sent] == [
        ("failed", 1, "Webhook đã bị tắt.")]
