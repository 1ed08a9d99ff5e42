"""Reminders in the web app: a manager sees, on a unit's page, what was sent, when, by which
channel and whether it arrived; an admin edits the schedule and adds a webhook."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from browser.helpers import login, shoot
from browser.server import LIVE, Server, current_week

UNIT = "GL-X-BATTRANG"


def _ledger(server: Server) -> None:
    """Arrange: two messages in the ledger, as `tiendo remind` leaves them (one delivered by
    e-mail, one Zalo message waiting for a retry after a quota answer)."""
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    with sqlite3.connect(server.db) as conn:
        campaign = conn.execute("SELECT id FROM campaign WHERE code = ?", (LIVE,)).fetchone()[0]
        unit = conn.execute("SELECT id FROM unit WHERE code = ?", (UNIT,)).fetchone()[0]
        rows = [("email", "vanhoa@battrang.gialam.gov.vn", "delivered", 1, None, sent, sent, None),
                ("zalo", "0912345678", "retry", 2, "quota: ZNS -144 OA has exceeded daily quota",
                 None, sent, sent + timedelta(hours=3))]
        for channel, to, status, attempts, error, delivered, last, nxt in rows:
            conn.execute(
                "INSERT INTO reminder_message (campaign_id, unit_id, period, kind, channel, "
                "recipient, source, payload, status, attempts, last_error, created_at, "
                "next_attempt_at, last_attempt_at, delivered_at) "
                "VALUES (?, ?, ?, 'due_soon', ?, ?, 'schedule', '{}', ?, ?, ?, ?, ?, ?, ?)",
                (campaign, unit, current_week(), channel, to, status, attempts, error,
                 _sql(sent), _sql(nxt), _sql(last), _sql(delivered)))


def _sql(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S.000000") if moment else None


def test_a_manager_sees_what_reached_a_unit(page, server) -> None:  # noqa: ANN001
    _ledger(server)
    login(page, "vanphong")
    page.goto(f"/units/{UNIT}")
    table = page.get_by_role("region", name="Các tin nhắc đã gửi cho đơn vị")
    email = table.get_by_role("row").filter(has_text="vanhoa@battrang.gialam.gov.vn")
    expect(email).to_contain_text("E-mail")
    expect(email).to_contain_text("Sắp đến hạn")
    expect(email).to_contain_text("Đã gửi tới nơi")
    expect(email).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    zalo = table.get_by_role("row").filter(has_text="0912345678")
    expect(zalo).to_contain_text("Zalo")
    expect(zalo).to_contain_text("Lỗi, sẽ thử lại")
    expect(zalo).to_contain_text("2 lần gửi")
    expect(zalo).to_contain_text("quota: ZNS -144")
    # Managers see the unit's channels; only an admin changes them.
    channels = page.get_by_role("form", name="Kênh nhắc của đơn vị")
    expect(channels.get_by_label(re.compile("^E-mail"))).to_be_checked()
    expect(channels.get_by_role("button", name="Lưu")).to_have_count(0)
    shoot(page, "unit-reminders")

    # A unit without messages says so.
    page.goto("/units/GL-X-DATON")
    expect(page.get_by_text("Chưa có tin nhắc nào cho đơn vị này.")).to_be_visible()


def test_an_admin_sets_the_schedule_channels_and_a_webhook(page) -> None:  # noqa: ANN001
    login(page, "admin")
    page.goto("/admin/reminders")
    schedule = page.get_by_role("form", name="Lịch nhắc của chiến dịch")
    expect(schedule).to_contain_text("Đang dùng lịch mặc định.")
    expect(schedule.get_by_label("Thứ 1")).to_have_value("3")
    expect(schedule.get_by_label("Giờ 1")).to_have_value("09:00")
    schedule.get_by_label("Giờ 1").fill("08:30")
    schedule.get_by_role("button", name="Bỏ dòng").last.click()  # no digest
    schedule.get_by_role("button", name="Lưu lịch nhắc").click()
    expect(schedule.get_by_role("status")).to_have_text("Đã lưu lịch nhắc.")
    page.reload()
    schedule = page.get_by_role("form", name="Lịch nhắc của chiến dịch")
    expect(schedule.get_by_label("Giờ 1")).to_have_value("08:30")
    expect(schedule.get_by_role("button", name="Bỏ dòng")).to_have_count(3)
    expect(schedule).not_to_contain_text("Đang dùng lịch mặc định.")

    form = page.get_by_role("form", name="Thêm webhook")
    form.get_by_label("Tên").fill("Cổng thông tin huyện")
    form.get_by_label("Địa chỉ (URL)").fill("https://hooks.example.vn/tiendo")
    form.get_by_label("Khoá ký HMAC").fill("khoa-ky-bi-mat-2024")
    form.get_by_role("button", name="Thêm webhook").click()
    expect(form.get_by_role("status")).to_have_text("Đã thêm webhook Cổng thông tin huyện.")
    hooks = page.get_by_role("region", name="Webhook nhận lời nhắc")
    row = hooks.get_by_role("listitem").filter(has_text="Cổng thông tin huyện")
    expect(row).to_contain_text("có ký")
    expect(page.locator("body")).not_to_contain_text("khoa-ky-bi-mat-2024")

    # A test message on a channel the server has no settings for is refused clearly.
    test = page.get_by_role("form", name="Gửi tin thử cho chính mình")
    test.get_by_label("Kênh").select_option("sms")
    test.get_by_label("Gửi tới (e-mail hoặc số điện thoại)").fill("0912345678")
    test.get_by_role("button", name="Gửi tin thử").click()
    expect(test.get_by_role("alert")).to_contain_text("Kênh sms chưa được cấu hình")
    shoot(page, "admin-reminders")
    # Deleted again: the other browser tests share this server and remind for real.
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Xoá webhook Cổng thông tin huyện").click()
    expect(row).to_have_count(0)

    # The unit's admin turns SMS off for the unit.
    page.goto("/units/GL-X-DATON")
    channels = page.get_by_role("form", name="Kênh nhắc của đơn vị")
    channels.get_by_label(re.compile("^SMS")).uncheck()
    channels.get_by_role("button", name="Lưu").click()
    expect(channels.get_by_role("status")).to_have_text("Đã lưu các kênh nhắc.")
    page.reload()
    expect(page.get_by_role("form", name="Kênh nhắc của đơn vị").get_by_label(
        re.compile("^SMS"))).not_to_be_checked()
