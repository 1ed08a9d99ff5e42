"""The report form offline (issue #19): installable, opens without a network once visited, and a
report sent offline or whose answer was lost lands exactly once — never lost, never doubled.

These tests run on a server of their own, so that the units' weeks they send, lock and count are
not touched by the other browser tests."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from browser.helpers import login
from browser.server import LIVE, PASSWORD, Server, _forget_this_weeks_report, current_week, start, stop

STAFF_TOTAL = "Tổng số CBCCVC, NLĐ"
STAFF_INSTALLED = "Số CBCCVC, NLĐ đã cài đặt iHanoi"
QUEUED = "Đã lưu trên máy, sẽ tự gửi khi có mạng"
OUTBOX = "Báo cáo lưu trên máy này"


@pytest.fixture(scope="module")
def srv(browser, tmp_path_factory) -> Iterator[Server]:  # noqa: ANN001
    server = start(tmp_path_factory.mktemp("tiendo-offline"))
    yield server
    stop(server)


@pytest.fixture
def context(browser, srv: Server):  # noqa: ANN001, ANN201
    ctx = browser.new_context(base_url=srv.url, viewport={"width": 360, "height": 740},
                              locale="vi-VN", timezone_id="Europe/Paris")
    ctx.set_default_timeout(15_000)
    ctx.js_errors = []
    yield ctx
    ctx.close()
    assert ctx.js_errors == [], ctx.js_errors


def _page(context):  # noqa: ANN001, ANN202
    page = context.new_page()
    page.on("pageerror", lambda e: context.js_errors.append(str(e)))
    return page


def _reports(srv: Server, unit: str) -> list[dict]:
    """What the server holds for the unit's current week, read from its database."""
    with sqlite3.connect(srv.db) as conn:
        rows = conn.execute(
            "SELECT report.id, metric.code, report_value.value FROM report "
            "JOIN unit ON unit.id = report.unit_id JOIN campaign ON campaign.id = report.campaign_id "
            "LEFT JOIN report_value ON report_value.report_id = report.id "
            "LEFT JOIN metric ON metric.id = report_value.metric_id "
            "WHERE unit.code = ? AND campaign.code = ? AND report.period = ?",
            (unit, LIVE, current_week())).fetchall()
    reports: dict[int, dict] = {}
    for rid, code, value in rows:
        reports.setdefault(rid, {})[code] = value
    return list(reports.values())


def _api(srv: Server, method: str, path: str, body: dict | None = None,
         user: str = "vanphong") -> int:
    """A call by another person (from another device), outside the browser under test."""
    form = f"username={user}&password={PASSWORD}".encode()
    with urllib.request.urlopen(urllib.request.Request(f"{srv.url}/api/v1/auth/token", data=form)) as r:
        token = json.load(r)["access_token"]
    req = urllib.request.Request(f"{srv.url}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status


def _open_form(page, unit_name: str) -> None:  # noqa: ANN001
    page.goto("/report")
    expect(page.get_by_role("heading", name=f"Báo cáo tuần — {unit_name}")).to_be_visible()
    # The service worker is installed and controls the page: the next load works offline.
    page.evaluate("() => navigator.serviceWorker.ready")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        # Installed while this page was loading (a busy machine): it claims the page soon, and
        # any load from now on is controlled, as a phone's next visit is.
        page.reload()
        expect(page.get_by_role("heading", name=f"Báo cáo tuần — {unit_name}")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _fill_more(page, extra: int) -> dict[str, int]:  # noqa: ANN001
    total, installed = page.get_by_label(STAFF_TOTAL), page.get_by_label(STAFF_INSTALLED)
    values = {"staff_total": int(total.input_value()) + extra,
              "staff_installed": int(installed.input_value()) + extra}
    total.fill(str(values["staff_total"]))
    installed.fill(str(values["staff_installed"]))
    return values


def _outbox_item(page, unit_name: str):  # noqa: ANN001, ANN202
    outbox = page.get_by_role("region", name=OUTBOX)
    return outbox.get_by_role("listitem").filter(has_text=unit_name)


def test_a_report_sent_offline_survives_a_reload_and_arrives_once(context, srv: Server) -> None:  # noqa: ANN001
    _forget_this_weeks_report(srv.db, "GL-X-DATON")
    page = _page(context)
    login(page, "daton")
    _open_form(page, "Xã Đa Tốn")

    context.set_offline(True)
    values = _fill_more(page, 3)
    page.get_by_role("button", name="Gửi báo cáo").click()
    item = _outbox_item(page, "Xã Đa Tốn")
    expect(item).to_contain_text(QUEUED)
    # Nothing more to send from the form: a second press cannot make a second report.
    expect(page.get_by_role("button", name="Gửi báo cáo")).to_have_count(0)

    # The page is reloaded with no network: the app opens, the report is still waiting.
    page.reload()
    expect(page.get_by_role("heading", name="Báo cáo tuần", level=1)).to_be_visible()
    expect(_outbox_item(page, "Xã Đa Tốn")).to_contain_text(QUEUED)
    # The form opens too (the user's own last reads), waiting rather than sendable twice.
    on_form = page.get_by_role("status").filter(has_text="dùng mục “Báo cáo lưu trên máy này”")
    expect(on_form).to_contain_text(QUEUED)
    expect(page.get_by_label(STAFF_TOTAL)).to_be_disabled()
    assert _reports(srv, "GL-X-DATON") == []

    context.set_offline(False)  # the `online` event sends it
    expect(_outbox_item(page, "Xã Đa Tốn")).to_contain_text(re.compile(r"Đã gửi lúc \d{2}:\d{2}"))
    reports = _reports(srv, "GL-X-DATON")
    assert len(reports) == 1
    assert {k: reports[0][k] for k in values} == values
    # The form now shows the report as the server has it, ready for a correction.
    expect(page.get_by_role("heading", name="Sửa báo cáo tuần — Xã Đa Tốn")).to_be_visible()


def test_an_answer_lost_after_the_server_saved_is_resent_as_a_replay(context, srv: Server) -> None:  # noqa: ANN001
    _forget_this_weeks_report(srv.db, "GL-X-BATTRANG")
    page = _page(context)
    login(page, "battrang")
    _open_form(page, "Xã Bát Tràng")
    answers: list[tuple[int, str | None]] = []

    def lose_first_answer(route) -> None:  # noqa: ANN001
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch()  # the server receives it and commits…
        answers.append((response.status, response.headers.get("idempotent-replayed")))
        if len(answers) == 1:
            route.abort("connectionreset")  # …but the answer never reaches the phone
        else:
            route.fulfill(response=response)

    context.route("**/api/v1/reports", lose_first_answer)
    values = _fill_more(page, 2)
    page.get_by_role("button", name="Gửi báo cáo").click()
    item = _outbox_item(page, "Xã Bát Tràng")
    expect(item).to_contain_text(re.compile(r"Đã gửi lúc \d{2}:\d{2}"))
    expect(item).to_contain_text("Máy chủ đã nhận báo cáo này từ lần gửi trước")
    assert answers[0] == (201, None)
    assert answers[-1] == (201, "true")
    reports = _reports(srv, "GL-X-BATTRANG")
    assert len(reports) == 1
    assert {k: reports[0][k] for k in values} == values


def test_a_queued_report_for_a_week_locked_meanwhile_shows_the_refusal(context, srv: Server) -> None:  # noqa: ANN001
    _forget_this_weeks_report(srv.db, "GL-P-VHTT")
    page = _page(context)
    login(page, "phongvhtt")
    _open_form(page, "Phòng Văn hóa và Thông tin")
    context.set_offline(True)
    values = _fill_more(page, 1)
    page.get_by_role("button", name="Gửi báo cáo").click()
    item = _outbox_item(page, "Phòng Văn hóa và Thông tin")
    expect(item).to_contain_text(QUEUED)

    # Meanwhile the district office locks the week for this unit.
    lock = {"campaign": LIVE, "period": current_week(), "unit": "GL-P-VHTT"}
    assert _api(srv, "POST", "/api/v1/locks", lock) == 201
    try:
        context.set_offline(False)
        refusal = item.get_by_role("alert")
        expect(item).to_contain_text("Máy chủ không nhận báo cáo này")
        expect(refusal).to_contain_text("Lý do:")
        expect(refusal).to_contain_text("tuần này đã khoá sổ. Liên hệ cán bộ quản lý để mở khoá")
        expect(refusal).to_contain_text("period_locked")
        assert _reports(srv, "GL-P-VHTT") == []
        # Kept, not dropped: a reload shows it again, with the same reason.
        page.reload()
        kept = _outbox_item(page, "Phòng Văn hóa và Thông tin")
        expect(kept.get_by_role("alert")).to_contain_text("period_locked")
    finally:
        _api(srv, "POST", "/api/v1/locks/unlock", {**lock, "reason": "Cho phép gửi báo cáo bị giữ"})
    # Unlocked: "Gửi lại" sends it, once.
    _outbox_item(page, "Phòng Văn hóa và Thông tin").get_by_role("button", name="Gửi lại").click()
    expect(_outbox_item(page, "Phòng Văn hóa và Thông tin")).to_contain_text("Đã gửi lúc")
    reports = _reports(srv, "GL-P-VHTT")
    assert len(reports) == 1 and {k: reports[0][k] for k in values} == values


def test_another_user_on_the_same_phone_never_sees_the_queue(context, srv: Server) -> None:  # noqa: ANN001
    _forget_this_weeks_report(srv.db, "GL-X-DATON")
    page = _page(context)
    login(page, "daton")
    _open_form(page, "Xã Đa Tốn")
    context.set_offline(True)
    _fill_more(page, 4)
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(_outbox_item(page, "Xã Đa Tốn")).to_contain_text(QUEUED)

    # Logging out asks what to do with the unsent report; keep it for later.
    page.get_by_role("button", name="Đăng xuất").click()
    question = page.get_by_role("dialog", name="Còn 1 báo cáo chưa gửi")
    expect(question).to_contain_text("Người khác đăng nhập trên máy này sẽ không thấy chúng.")
    question.get_by_role("button", name="Giữ lại, gửi khi tôi đăng nhập lại").click()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()

    context.set_offline(False)
    login(page, "battrang")
    page.goto("/report")
    expect(page.get_by_role("heading", name=re.compile("báo cáo tuần — Xã Bát Tràng", re.I))).to_be_visible()
    expect(page.get_by_text("Xã Đa Tốn")).to_have_count(0)
    expect(page.get_by_role("region", name=OUTBOX)).to_have_count(0)
    # Nor was it sent with someone else's log-in.
    assert _reports(srv, "GL-X-DATON") == []

    # Its owner logs in again: it goes out, once.
    page.get_by_role("button", name="Đăng xuất").click()
    login(page, "daton")
    page.goto("/report")
    expect(_outbox_item(page, "Xã Đa Tốn")).to_contain_text("Đã gửi lúc")
    assert len(_reports(srv, "GL-X-DATON")) == 1


def test_the_app_installs_and_the_report_page_opens_offline(context, srv: Server) -> None:  # noqa: ANN001
    page = _page(context)
    login(page, "daton")
    _open_form(page, "Xã Đa Tốn")
    script = page.evaluate("async () => (await navigator.serviceWorker.ready).active.scriptURL")
    assert script == f"{srv.url}/sw.js"

    # The manifest as Chromium reads it, and Chromium's own installability check.
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{srv.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    data = json.loads(manifest["data"])
    assert data["name"].startswith("Tiến Độ") and data["lang"] == "vi"
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}
    # Playwright's contexts are incognito, which alone blocks installing; nothing else may.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    sizes = page.evaluate("""async (icons) => Promise.all(icons.map(async (i) =>
        (await createImageBitmap(await (await fetch(i.src)).blob())).width))""", data["icons"])
    assert sizes == [int(i["sizes"].split("x")[0]) for i in data["icons"]]

    # No network at all: the shell and the report page still open, from the service worker.
    context.set_offline(True)
    page.goto("/report")
    expect(page.get_by_role("heading", name="Báo cáo tuần", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Cán bộ UBND xã Đa Tốn (demo)")
    expect(page.get_by_role("heading", name=re.compile("báo cáo tuần — Xã Đa Tốn", re.I))).to_be_visible()
    expect(page.get_by_label(STAFF_TOTAL)).to_be_editable()
    context.set_offline(False)


def test_the_service_worker_never_answers_the_api(context, srv: Server) -> None:  # noqa: ANN001
    """Answers under /api belong to one user: the worker lets them through, never from a cache."""
    page = _page(context)
    login(page, "daton")
    _open_form(page, "Xã Đa Tốn")
    context.set_offline(True)
    status = page.evaluate("""async () => {
        try { return (await fetch('/api/v1/auth/me')).status } catch (e) { return 'network error' } }""")
    assert status == "network error"
    cached = page.evaluate("""async () => {
        const names = await caches.keys()
        const urls = []
        for (const n of names) {
            for (const r of await (await caches.open(n)).keys()) urls.push(new URL(r.url).pathname)
        }
        return urls }""")
    assert "/index.html" in cached and not [u for u in cached if u.startswith("/api")]
    context.set_offline(False)
