"""The schedule: a simulated Wednesday → Friday of the demo district's week 2024-W36, the
scheduler run every half hour, and exactly which messages reached whom, once each; the
schedule API for managers."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from conftest import DEMO_NOW, assert_error
from factories import integration
from reminder_fixtures import mailbox, set_contact
from tiendo.reminders.channels import configured_channels
from tiendo.reminders.delivery import deliver_due
from tiendo.reminders.service import queue_scheduled

pytestmark = pytest.mark.usefixtures("closed_network")

HN = ZoneInfo("Asia/Ho_Chi_Minh")
LIVE = "ihanoi-live"
DISTRICT_MAIL = "vanphong@gialam.gov.vn"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 9, day, hour, minute, tzinfo=HN)


def scheduler(connection):  # noqa: ANN001, ANN201
    """`tiendo remind` as cron runs it, at a given moment, inside the test's transaction."""

    @contextmanager
    def sessions():  # noqa: ANN202
        with Session(bind=connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as s:
            yield s
            s.commit()

    def run(now: datetime) -> None:
        with sessions() as s:
            queue_scheduled(s, now, configured_channels())
        deliver_due(sessions, now)

    return run


def report(client, token, unit: str) -> None:  # noqa: ANN001
    last = client.get("/api/v1/reports", headers=token, params={
        "campaign": LIVE, "unit": unit, "period": "2024-W35"}).json()["data"][0]["values"]
    r = client.post("/api/v1/reports", headers=token, json={
        "campaign": LIVE, "unit": unit, "period": "2024-W36", "values": last})
    assert r.status_code == 201, r.text


def test_wednesday_to_friday_each_message_once(client, auth, clock, connection, smtp):
    admin = auth("admin")
    token = integration(client, admin)
    view = client.get("/api/v1/completeness", headers=token, params={"campaign": LIVE, "limit": 500}).json()
    reported_w35 = {r["unit"] for r in client.get("/api/v1/reports", headers=token, params={
        "campaign": LIVE, "period": "2024-W35", "limit": 500}).json()["data"]}
    a, b, c = [u["unit"] for u in view["data"]
               if u["status"] == "pending" and u["unit"] in reported_w35][:3]
    for code in (a, b, c):
        set_contact(client, admin, code, name=f"Anh Nam {code}", email=mailbox(code))
    set_contact(client, admin, "HN-GL", name="Văn phòng HĐND-UBND", email=DISTRICT_MAIL)
    run = scheduler(connection)

    moment, log = at(4, 0), []
    while moment <= at(6, 23, 30):
        if moment in (at(4, 12), at(5, 14)):  # a reports Wednesday noon, b Thursday 14:00
            clock.set(moment)
            report(client, token, a if moment == at(4, 12) else b)
        before = len(smtp.received)
        run(moment)
        log += [(f"{moment:%a %H:%M}", r.rcpt_tos[0], r.message["Subject"])
                for r in smtp.received[before:]]
        moment += timedelta(minutes=30)

    due = "[Tiến Độ] Nhắc báo cáo tuần 2024-W36: hạn 15:00 thứ Năm 05/09/2024"
    last = "[Tiến Độ] Sắp hết hạn báo cáo tuần 2024-W36: 15:00 thứ Năm 05/09/2024"
    names = {u["unit"]: u["unit_name"] for u in view["data"]}
    late = f"[Tiến Độ] {names[c]} chưa gửi báo cáo tuần 2024-W36 (đã quá hạn)"
    final = client.get("/api/v1/completeness", headers=token, params={"campaign": LIVE, "limit": 500}).json()
    reported = final["on_time"] + final["late"]
    digest = (f"[Tiến Độ] Tổng hợp báo cáo tuần 2024-W36: {reported}/{final['expected']} "
              "đơn vị đã báo cáo")
    assert sorted(log) == sorted([
        ("Wed 09:00", mailbox(a), due), ("Wed 09:00", mailbox(b), due),
        ("Wed 09:00", mailbox(c), due),
        ("Thu 13:00", mailbox(b), last), ("Thu 13:00", mailbox(c), last),
        ("Thu 15:30", mailbox(c), late), ("Thu 15:30", DISTRICT_MAIL, digest)])
    text = smtp.to(DISTRICT_MAIL)[0].text()
    assert f"chưa báo cáo: {final['missing']}" in text and names[c] in text
    rate = f"{final['reporting_rate'] * 100:.1f}".replace(".", ",")
    assert f"Tỉ lệ đã báo cáo: {rate} %" in text
    assert "quá hạn" in smtp.to(mailbox(c))[-1].text()

    clock.set(DEMO_NOW)  # back to when the cached log-ins are valid
    sent = client.get("/api/v1/reminders/messages", headers=auth("vanphong"),
                      params={"unit": c, "limit": 50}).json()
    assert [(m["kind"], m["channel"], m["status"], m["source"]) for m in sent["data"]] == [
        ("late", "email", "delivered", "schedule"), ("last_hours", "email", "delivered",
                                                     "schedule"),
        ("due_soon", "email", "delivered", "schedule")]
    assert sent["data"][0]["delivered_at"] == "2024-09-05T08:30:00Z"


def test_a_scheduler_that_was_down_catches_up_within_the_window(client, auth, connection,
                                                                smtp, env):
    env(REMINDER_WINDOW_MINUTES="60")
    admin, manager = auth("admin"), auth("vanphong")
    view = client.get("/api/v1/completeness", headers=manager, params={"campaign": LIVE, "limit": 500}).json()
    code = next(u["unit"] for u in view["data"] if u["status"] == "pending")
    set_contact(client, admin, code, email=mailbox(code))
    run = scheduler(connection)
    run(at(4, 10, 5))  # 65 minutes after Wednesday 09:00: too late for "due tomorrow"
    assert smtp.received == []
    run(at(5, 13, 59))  # 59 minutes after 13:00: still in time
    assert [m.rcpt_tos for m in smtp.received] == [[mailbox(code)]]
    run(at(5, 14, 30))
    assert len(smtp.received) == 1


def test_managers_replace_the_schedule(client, auth, connection, smtp):
    manager, admin = auth("vanphong"), auth("admin")
    url = f"/api/v1/campaigns/{LIVE}/reminder-schedule"
    r = client.get(url, headers=manager)
    assert r.json() == {"campaign": LIVE, "timezone": "Asia/Ho_Chi_Minh", "is_default": True,
                        "entries": [
                            {"weekday": 3, "at": "09:00:00", "kind": "due_soon"},
                            {"weekday": 4, "at": "13:00:00", "kind": "last_hours"},
                            {"weekday": 4, "at": "15:30:00", "kind": "late"},
                            {"weekday": 4, "at": "15:30:00", "kind": "digest"}]}
    new = [{"weekday": 2, "at": "08:00", "kind": "due_soon"},
           {"weekday": 5, "at": "08:00", "kind": "late"}]
    r = client.put(url, headers=manager, json={"entries": new})
    assert r.status_code == 200, r.text
    assert (r.json()["is_default"], [e["weekday"] for e in r.json()["entries"]]) == (False,
                                                                                     [2, 5])
    assert_error(client.put(url, headers=manager, json={"entries": []}), 422, field="entries")
    assert_error(client.put(url, headers=manager, json={"entries": [
        {"weekday": 8, "at": "08:00", "kind": "late"}]}), 422)
    assert_error(client.put(url, headers=manager, json={"entries": [
        {"weekday": 1, "at": "08:00", "kind": "sometimes"}]}), 422)
    assert_error(client.get(url, headers=auth("daton")), 403)  # a reporter

    view = client.get("/api/v1/completeness", headers=manager, params={"campaign": LIVE, "limit": 500}).json()
    code = next(u["unit"] for u in view["data"] if u["status"] == "pending")
    set_contact(client, admin, code, email=mailbox(code))
    run = scheduler(connection)
    run(at(4, 9))  # Wednesday 09:00 is no longer in the schedule
    run(at(5, 15, 30))
    assert smtp.received == []
    run(at(6, 8))  # Friday 08:00: late
    assert [m.message["Subject"].endswith("(đã quá hạn)") for m in smtp.received] == [True]
