"""Every route under /api/v1 × every caller × own/other subtree → the exact status.

Adding a route means adding its rule to RULES (the completeness test fails until you do):
how to ask for an object inside GL-X-DATON, the status when allowed, who is allowed in their
own subtree (roles and token scopes, see access_world), and the audit action of a write. The
rest follows: callers whose role or scope never allows the route get 403; allowed callers from
the other subtree (GL-X-BATTRANG) get 404, since for them the object does not exist; no token,
an expired log-in or token, a revoked token or a deactivated user get 401. `other="same"` is
for routes about the caller themselves, `other="list"` for unfiltered lists (200, and only the
caller's own subtree may show); `expect={"reporter@own": 409}` overrides single cells.

Every request runs in a savepoint rolled back afterwards, so every caller meets the same
world; every response is scanned for secrets and for codes outside the caller's subtree, and
every successful write must have left its audit row, readable through GET /api/v1/audit."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from access_world import (
    ADMINS,
    MANAGERS,
    NEW_PASSWORD,
    OFFICIAL_WRITERS,
    OWN_UNIT,
    READERS,
    REPORT_WRITERS,
    USER_ROLES,
    Caller,
    Req,
    World,
    build_world,
    login,
)
from conftest import DEMO_NOW, PASSWORD, Clock, bind_app

SECRETS = ("password_hash", "token_hash", "$argon2")
REPORTERS = REPORT_WRITERS - {"reports:write"}  # people who may report: they also read


@dataclass
class Rule:
    build: Callable[[World, Caller], Req]
    ok: int
    who: set[str]
    audit: str | None = None
    other: str = "hidden"  # "hidden": 404, "same": as in the own subtree, "list": 200
    public: bool = False  # needs no token (log-in)
    listing: dict[str, Any] | None = None  # params of the unfiltered list, for the scan
    expect: dict[str, int] = field(default_factory=dict)
    echoes: bool = False  # the answer repeats the caller's own input (bulk rejections)

    def status_for(self, c: Caller) -> int:
        if c.label in self.expect:
            return self.expect[c.label]
        if self.public:
            return self.ok
        if c.side == "none":
            return 401
        if c.kind not in self.who:
            return 403
        if c.side == "own" or self.other == "same":
            return self.ok
        return 200 if self.other == "list" else 404


def get(url: str, **params: Any) -> Callable[[World, Caller], Req]:  # noqa: ANN401
    return lambda w, c: Req("GET", url.format(**w.ids), params=params or None)


def send(method: str, url: str, body: Any = None) -> Callable[[World, Caller], Req]:  # noqa: ANN401
    return lambda w, c: Req(method, url.format(**w.ids), json=body)


def _login_form(w: World, c: Caller) -> Req:
    username = c.username if c.kind in USER_ROLES else "daton"
    return Req("POST", "/auth/token", data={"username": username, "password": PASSWORD})


def _new_report(w: World, c: Caller) -> Req:
    r = w["report"]
    return Req("POST", "/reports", json={"campaign": "ihanoi-live", "unit": OWN_UNIT,
                                         "period": "2024-W36", "values": r["values"]})


def _bulk(w: World, c: Caller) -> Req:
    return Req("POST", "/reports/bulk", json={"campaign": "ihanoi-live", "items": [
        {"unit": OWN_UNIT, "period": "2024-W35", "values": w["report"]["values"]}]})


def _import(w: World, c: Caller) -> Req:
    values = w["report"]["values"]
    sheet = "unit," + ",".join(values) + "\n" + OWN_UNIT + "," + \
        ",".join(str(v) for v in values.values()) + "\n"
    return Req("POST", "/reports/import", data={"campaign": "ihanoi-live", "period": "2024-W35"},
               files={"file": ("bao-cao.csv", sheet.encode(), "text/csv")})


def _replace_report(w: World, c: Caller) -> Req:
    r = w["report"]
    return Req("PUT", f"/reports/{r['id']}", json={"values": r["values"], "note": "sửa lại",
                                                   "version": r["version"]})


def _xlsx(*rows: list[str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(url: str, *rows: list[str]) -> Callable[[World, Caller], Req]:
    # The other side's admin gets 200 with the row rejected (the unit is outside for them).
    return lambda w, c: Req("POST", url, files={"file": ("t.xlsx", _xlsx(*rows), XLSX)})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TARGET = {"campaign": "t-dt-camp", "code": "staff2", "name": "Chỉ tiêu mới",
          "numerator": "staff_installed", "denominator": "staff_total",
          "deadline": "2024-10-15", "unit_kinds": ["commune"]}
CAMPAIGN = {"code": "t-dt-camp2", "name": "Đợt mới của xã", "owner": OWN_UNIT,
            "start_date": "2024-09-02", "end_date": "2024-10-27",
            "metrics": [{"code": "meetings", "name": "Họp", "unit_kinds": ["commune"]}]}

RULES: dict[str, Rule] = {
    # auth
    "auth-token": Rule(_login_form, 200, set(), "auth.login", public=True),
    "auth-me": Rule(get("/auth/me"), 200, set(USER_ROLES), other="same"),
    "auth-password": Rule(send("POST", "/auth/password", {"current_password": PASSWORD,
                                                          "new_password": NEW_PASSWORD}),
                          204, set(USER_ROLES), "user.password_change", other="same"),
    # users
    "users-list": Rule(get("/users", q="dt-user"), 200, ADMINS, other="list", listing={}),
    "users-create": Rule(send("POST", "/users", {
        "username": "t-new-user", "full_name": "Người mới", "password": "mat-khau-moi-1",
        "roles": [{"role": "reporter", "unit": OWN_UNIT}]}), 201, ADMINS, "user.create"),
    "users-read": Rule(get("/users/{user}"), 200, ADMINS),
    "users-update": Rule(send("PATCH", "/users/{user}", {"full_name": "Tên mới"}), 200, ADMINS,
                         "user.update"),
    "users-roles": Rule(send("PUT", "/users/{user}/roles", {"roles": [
        {"role": "viewer", "unit": OWN_UNIT}]}), 200, ADMINS, "user.roles"),
    "users-password-reset": Rule(send("POST", "/users/{user}/password",
                                      {"new_password": NEW_PASSWORD}), 204, ADMINS,
                                 "user.password_reset"),
    # integration tokens
    "tokens-list": Rule(get("/tokens"), 200, ADMINS, other="list", listing={"limit": 500}),
    "tokens-create": Rule(send("POST", "/tokens", {"name": "t-new", "unit": OWN_UNIT,
                                                   "scopes": ["read"]}), 201, ADMINS,
                          "token.create"),
    "tokens-revoke": Rule(send("POST", "/tokens/{victim_token}/revoke"), 200, ADMINS,
                          "token.revoke"),
    "audit-list": Rule(get("/audit", under=OWN_UNIT), 200, ADMINS, listing={}),
    # units
    "units-list": Rule(get("/units", under=OWN_UNIT), 200, READERS, listing={"limit": 500}),
    "units-create": Rule(send("POST", "/units", {"code": "T-DT-NEW", "name": "Thôn mới",
                                                 "kind": "village", "parent": OWN_UNIT}),
                         201, ADMINS, "unit.create"),
    "units-read": Rule(get(f"/units/{OWN_UNIT}-T1"), 200, READERS),
    "units-update": Rule(send("PATCH", f"/units/{OWN_UNIT}-T1", {"head_name": "Trưởng thôn"}),
                         200, ADMINS, "unit.update"),
    "units-deactivate": Rule(send("POST", f"/units/{OWN_UNIT}-T1/deactivate"), 200, ADMINS,
                             "unit.deactivate"),
    "units-contact-set": Rule(send("PUT", f"/units/{OWN_UNIT}-T1/contact",
                                   {"name": "Chị Hoa", "phone": "0912 345 678"}),
                              200, ADMINS, "unit.contact"),
    "units-delete": Rule(send("DELETE", "/units/T-DT-SPARE"), 204, ADMINS, "unit.delete"),
    # imports of units and users: per-row audit rows are checked in tests/test_directory.py
    "units-import-template": Rule(get("/directory/units/template"), 200, ADMINS, other="same"),
    "units-import": Rule(_upload("/directory/units/import", ["code", "name", "kind", "parent"],
                                 ["T-DT-IMP", "Thôn nhập", "village", OWN_UNIT]),
                         200, ADMINS, other="same"),
    "users-import-template": Rule(get("/directory/users/template"), 200, ADMINS, other="same"),
    "users-import": Rule(_upload("/directory/users/import", ["username", "full_name", "role", "unit"],
                                 ["t-imp-user", "Người nhập", "reporter", OWN_UNIT]),
                         200, ADMINS, other="same"),
    # campaigns, metrics, targets, baselines (the campaign is owned by the commune)
    "campaigns-list": Rule(get("/campaigns"), 200, READERS, other="list", listing={"limit": 500}),
    # Managers of the owner create, clone and edit campaigns; only admins change metrics.
    "campaigns-create": Rule(send("POST", "/campaigns", CAMPAIGN), 201, MANAGERS,
                             "campaign.create"),
    "campaigns-clone": Rule(send("POST", "/campaigns/t-dt-camp/clone", {
        "code": "t-dt-clone", "name": "Đợt sau", "start_date": "2024-11-04"}), 201, MANAGERS,
        "campaign.clone"),
    "campaigns-read": Rule(get("/campaigns/t-dt-camp"), 200, READERS),
    "campaigns-update": Rule(send("PATCH", "/campaigns/t-dt-camp", {"name": "Tên mới"}), 200,
                             MANAGERS, "campaign.update"),
    "metrics-create": Rule(send("POST", "/campaigns/t-dt-camp/metrics", {
        "code": "posters", "name": "Áp phích", "unit_kinds": ["commune"]}), 201, ADMINS,
        "metric.create"),
    "metrics-update": Rule(send("PATCH", "/campaigns/t-dt-camp/metrics/staff_total",
                                {"name": "Tổng số"}), 200, ADMINS, "metric.update"),
    "targets-list": Rule(get("/targets", campaign="t-dt-camp"), 200, READERS, listing={"limit": 500}),
    "targets-create": Rule(send("POST", "/targets", TARGET), 201, MANAGERS, "target.create"),
    "targets-read": Rule(get("/targets/{target}"), 200, READERS),
    "targets-update": Rule(send("PATCH", "/targets/{target}", {"goal_ratio": 0.9}), 200,
                           MANAGERS, "target.update"),
    "targets-delete": Rule(send("DELETE", "/targets/{target}"), 204, MANAGERS, "target.delete"),
    "baselines-list": Rule(get("/baselines", campaign="ihanoi-2024", under=OWN_UNIT), 200,
                           READERS, listing={"campaign": "ihanoi-2024", "limit": 500}),
    "baselines-set": Rule(send("PUT", "/baselines", {
        "campaign": "ihanoi-2024", "unit": OWN_UNIT, "metric": "residents_total",
        "value": 30000}), 200, MANAGERS, "baseline.set"),
    # reports
    "reports-create": Rule(_new_report, 201, REPORT_WRITERS, "report.create"),
    "reports-list": Rule(get("/reports", unit=OWN_UNIT), 200, READERS,
                         listing={"limit": 500, "campaign": "ihanoi-live"}),
    "reports-read": Rule(get("/reports/{report[id]}"), 200, READERS),
    "reports-replace": Rule(_replace_report, 200, REPORT_WRITERS, "report.update"),
    "reports-revisions": Rule(get("/reports/{report[id]}/revisions"), 200, READERS),
    # the weekly cycle: completeness, approval, locks, bulk and imports, reminders, webhooks
    "completeness-read": Rule(get("/completeness", campaign="ihanoi-live", under=OWN_UNIT), 200,
                              READERS),
    "chase-list": Rule(get("/chase", campaign="ihanoi-live", under=OWN_UNIT), 200, MANAGERS),
    # Both read as well as write: a `reports:write` token alone reads nothing (README).
    "due-list": Rule(get("/due", campaign="ihanoi-live"), 200, REPORTERS, other="list"),
    "reports-approve": Rule(send("POST", "/reports/{report[id]}/approve"), 200, MANAGERS,
                            "report.approve"),
    "reports-approve-many": Rule(send("POST", "/reports/approve", {
        "campaign": "ihanoi-live", "period": "2024-W35", "unit": OWN_UNIT}), 200, MANAGERS,
        "report.approve"),
    "reports-return": Rule(send("POST", "/reports/{report[id]}/return",
                                {"reason": "Thiếu số liệu"}), 200, MANAGERS, "report.return"),
    "locks-list": Rule(get("/locks", campaign="ihanoi-live", period="2024-W36"), 200, READERS,
                       other="list"),
    "locks-create": Rule(send("POST", "/locks", {"campaign": "ihanoi-live", "period": "2024-W36",
                                                 "unit": OWN_UNIT}), 201, MANAGERS,
                         "period.lock"),
    "locks-unlock": Rule(send("POST", "/locks/unlock", {
        "campaign": "ihanoi-live", "period": "2024-W33", "unit": OWN_UNIT,
        "reason": "Xã cần sửa số liệu"}), 200, MANAGERS, "period.unlock"),
    "reports-bulk": Rule(_bulk, 200, REPORT_WRITERS, "report.bulk", other="same",
                         echoes=True),
    "reports-import": Rule(_import, 200, REPORT_WRITERS, "report.bulk", other="same",
                         echoes=True),
    "reports-import-template": Rule(get("/reports/import-template", campaign="ihanoi-live",
                                        under=OWN_UNIT, format="csv"), 200, REPORTERS),
    "imports-list": Rule(get("/imports"), 200, ADMINS, other="list", listing={"limit": 500}),
    "imports-read": Rule(get("/imports/{import}"), 200, ADMINS),
    "reminders-send": Rule(send("POST", "/reminders", {"campaign": "ihanoi-live",
                                                       "under": OWN_UNIT}), 202, MANAGERS,
                           "reminders.send"),
    "reminders-messages": Rule(get("/reminders/messages", unit=OWN_UNIT), 200, MANAGERS,
                               listing={"limit": 500}),
    # A test message to the (inactive) webhook of Đa Tốn: nothing listens on port 9.
    "reminders-test": Rule(lambda w, c: Req("POST", "/reminders/test", json={
        "channel": "webhook", "webhook_id": w.ids["webhook"]}), 200, ADMINS),
    "reminders-schedule-read": Rule(get("/campaigns/t-dt-camp/reminder-schedule"), 200,
                                    MANAGERS),
    "reminders-schedule-replace": Rule(send("PUT", "/campaigns/t-dt-camp/reminder-schedule", {
        "entries": [{"weekday": 4, "at": "14:00", "kind": "last_hours"}]}), 200, MANAGERS,
        "reminders.schedule"),
    "units-reminder-channels-read": Rule(get(f"/units/{OWN_UNIT}-T1/reminder-channels"), 200,
                                         MANAGERS),
    "units-reminder-channels-set": Rule(send("PUT", f"/units/{OWN_UNIT}-T1/reminder-channels",
                                             {"email": False}), 200, ADMINS,
                                        "unit.reminder_channels"),
    "webhooks-list": Rule(get("/webhooks"), 200, ADMINS, other="list", listing={"limit": 500}),
    "webhooks-create": Rule(send("POST", "/webhooks", {"name": "t-new-hook",
                                                       "url": "http://127.0.0.1:9/x",
                                                       "unit": OWN_UNIT}), 201, ADMINS,
                            "webhook.create"),
    "webhooks-read": Rule(get("/webhooks/{webhook}"), 200, ADMINS),
    "webhooks-update": Rule(send("PATCH", "/webhooks/{webhook}", {"name": "Tên mới"}), 200,
                            ADMINS, "webhook.update"),
    "webhooks-delete": Rule(send("DELETE", "/webhooks/{webhook}"), 204, ADMINS,
                            "webhook.delete"),
    "webhooks-deliveries": Rule(get("/webhooks/{webhook}/deliveries"), 200, ADMINS),
    # data quality (the rule and the flag are in t-dt-camp, owned by Đa Tốn)
    "reports-check": Rule(lambda w, c: Req("POST", "/reports/check", json={
        "campaign": "ihanoi-live", "unit": OWN_UNIT, "period": "2024-W36",
        "values": w.ids["report"]["values"], "note": "x"}), 200, REPORT_WRITERS),
    "quality-rules-list": Rule(get("/campaigns/t-dt-camp/quality-rules"), 200, READERS),
    "quality-rules-create": Rule(send("POST", "/campaigns/t-dt-camp/quality-rules", {
        "metric": "staff_total", "measure": "change_pct", "op": "le", "right": "constant",
        "constant": 10, "message": "Tổng số thay đổi quá 10%"}), 201, MANAGERS,
        "quality_rule.create"),
    "quality-rules-replace": Rule(send("PUT", "/campaigns/t-dt-camp/quality-rules/{quality_rule}", {
        "metric": "staff_installed", "op": "le", "right": "metric", "right_metric": "staff_total",
        "severity": "blocking", "message": "Số đã cài vượt tổng số"}), 200, MANAGERS,
        "quality_rule.update"),
    "quality-rules-delete": Rule(send("DELETE", "/campaigns/t-dt-camp/quality-rules/{quality_rule}"),
                                 204, MANAGERS, "quality_rule.delete"),
    "quality-settings-read": Rule(get("/campaigns/t-dt-camp/quality-settings"), 200, READERS),
    "quality-settings-write": Rule(send("PUT", "/campaigns/t-dt-camp/quality-settings",
                                        {"z_threshold": 4}), 200, MANAGERS,
                                   "quality_settings.update"),
    "data-quality-list": Rule(get("/data-quality", under=OWN_UNIT), 200, READERS, listing={}),
    "data-quality-scan": Rule(send("POST", "/data-quality/scan", {
        "campaign": "t-dt-camp", "period": "2024-W35"}), 200, MANAGERS),
    "data-quality-review": Rule(send("POST", "/data-quality/{flag}/review", {"note": "Đã xem"}),
                                200, MANAGERS, "quality.review"),
    # progress, official counts, exports
    "progress-read": Rule(get("/progress", campaign="ihanoi-live", under=OWN_UNIT), 200, READERS),
    "progress-series": Rule(get("/progress/series", campaign="ihanoi-live", under=OWN_UNIT), 200,
                            READERS),
    "public-leaderboard": Rule(get("/public/leaderboard/ihanoi-live"), 404, set(), public=True),
    "official-counts-create": Rule(send("POST", "/official-counts", {
        "unit": OWN_UNIT, "metric": "residents_accounts", "source": "HANOI EIC", "value": 1200,
        "observed_at": "2024-09-04T15:06:00+07:00"}), 201, OFFICIAL_WRITERS, "official.created"),
    "official-counts-list": Rule(get("/official-counts", under=OWN_UNIT), 200, READERS,
                                 listing={"limit": 500}),
    "exports-weekly-report-xlsx": Rule(get("/exports/weekly-report.xlsx", campaign="ihanoi-live",
                                           under=OWN_UNIT), 200, MANAGERS),
    "exports-weekly-report-docx": Rule(get("/exports/weekly-report.docx",
                                           campaign="ihanoi-live", under=OWN_UNIT), 200, MANAGERS),
    # reorganisations: admins of the unit above every unit changed (here Đa Tốn)
    "reorganizations-create": Rule(send("POST", "/reorganizations", {
        "effective_date": "2024-09-01", "changes": [
            {"kind": "rename", "unit": f"{OWN_UNIT}-T1", "name": "Thôn mới tên"}]}), 201, ADMINS,
        "reorganization.apply"),
    "reorganizations-template": Rule(get("/reorganizations/template"), 200, ADMINS, other="same"),
    "reorganizations-list": Rule(get("/reorganizations"), 200, ADMINS, other="list",
                                 listing={"limit": 500}),
    "reorganizations-read": Rule(get("/reorganizations/{reorganization}"), 200, ADMINS),
    "reorganizations-undo": Rule(send("POST", "/reorganizations/{reorganization}/undo"), 200,
                                 ADMINS, "reorganization.undo"),
    "exports-weekly-report-csv": Rule(get("/exports/weekly-report.csv", campaign="ihanoi-live",
                                          under=OWN_UNIT), 200, MANAGERS),
}


@dataclass
class Matrix:
    client: Any
    conn: Any
    clock: Clock
    world: World
    auditor: dict[str, str]


@pytest.fixture(scope="module", autouse=True)
def _closed_network():  # noqa: ANN202
    """The matrix's webhooks point at loopback and are never called: the address policy
    (test_harden_outbound.py) is lifted for this module."""
    from tiendo.config import get_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(get_settings(), "webhook_allow_private", True)
        yield


@pytest.fixture(scope="module")
def matrix_world(app, _client, database):  # noqa: ANN001, ANN201
    """One world per database, built through the API in a transaction rolled back at the end."""
    conn = database.engine.connect()
    outer = conn.begin()
    clock = Clock()
    bind_app(app, conn, clock)
    _client.headers.clear()
    try:
        world = build_world(_client, conn)
        # Reads the audit after each write; nobody in the matrix touches this account.
        r = _client.post("/api/v1/users", headers=world.admin, json={
            "username": "t-auditor", "full_name": "Kiểm toán", "password": PASSWORD,
            "roles": [{"role": "admin", "unit": "HN-GL"}]})
        assert r.status_code == 201, r.text
        world.audit_floor += 1  # that creation is audited too
        yield Matrix(_client, conn, clock, world, login(_client, "t-auditor"))
    finally:
        app.dependency_overrides.clear()
        outer.rollback()
        conn.close()


@pytest.fixture
def matrix(matrix_world, app):  # noqa: ANN001, ANN201
    bind_app(app, matrix_world.conn, matrix_world.clock)
    yield matrix_world
    app.dependency_overrides.clear()


def _route(app, name: str):  # noqa: ANN001, ANN202
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.name == name:
            return ctx
    raise AssertionError(f"no route named {name}")


def api_route_names(app) -> set[str]:  # noqa: ANN001
    return {ctx.name for ctx in iter_route_contexts(app.routes)
            if isinstance(ctx.original_route, APIRoute) and ctx.path.startswith("/api/v1/")}


def test_every_api_route_has_a_rule(app) -> None:  # noqa: ANN001
    names, ruled = api_route_names(app), set(RULES)
    assert not names - ruled, f"routes without an access rule: {sorted(names - ruled)}"
    assert not ruled - names, f"rules for routes that do not exist: {sorted(ruled - names)}"


def _problems_in(text: str, c: Caller, rule: Rule) -> list[str]:
    found = [s for s in SECRETS if s in text]
    if c.outside is not None and not rule.echoes and (m := c.outside.search(text)):
        found.append(f"outside code {m.group(0)!r}")
    return found


def _check_audit(m: Matrix, rule: Rule, c: Caller) -> str | None:
    r = m.client.get("/api/v1/audit", headers=m.auditor, params={"action": rule.audit,
                                                                 "limit": 1})
    rows = r.json()["data"] if r.status_code == 200 else []
    if not rows or rows[0]["id"] <= m.world.audit_floor:
        return f"no audit row {rule.audit}"
    row = rows[0]
    if not rule.public and (row["actor_user_id"], row["actor_token_id"]) != (c.user_id,
                                                                             c.token_id):
        return f"audit row {rule.audit} names another actor: {row}"
    return None


def run(m: Matrix, rule: Rule, c: Caller, req: Req) -> tuple[int, list[str]]:
    """One request in a savepoint that is rolled back: (status, problems found)."""
    savepoint = m.conn.begin_nested()
    m.clock.set(DEMO_NOW + c.shift)
    try:
        r = m.client.request(req.method, f"/api/v1{req.url}", headers=c.headers, json=req.json,
                             params=req.params, data=req.data, files=req.files)
        m.clock.set(DEMO_NOW)
        # A spreadsheet is zipped bytes: scanning it for codes would only find noise.
        binary = "spreadsheetml" in r.headers.get("content-type", "")
        problems = [] if binary else _problems_in(r.text, c, rule)
        if r.status_code == 401 and "Bearer" not in r.headers.get("WWW-Authenticate", ""):
            problems.append("401 without WWW-Authenticate: Bearer")
        if r.is_success and rule.audit and req.method != "GET":
            problems += filter(None, [_check_audit(m, rule, c)])
        return r.status_code, problems
    finally:
        m.clock.set(DEMO_NOW)
        savepoint.rollback()


@pytest.mark.parametrize("name", sorted(RULES))
def test_access(matrix: Matrix, app, name: str) -> None:  # noqa: ANN001
    rule, route = RULES[name], _route(app, name)
    failures = []
    for c in matrix.world.callers:
        req = rule.build(matrix.world, c)
        assert req.method in route.methods and route.path_regex.match(f"/api/v1{req.url}"), (
            f"the rule for {name} does not call its route ({req.method} {req.url})")
        status, problems = run(matrix, rule, c, req)
        if status != rule.status_for(c) or problems:
            failures.append(f"{c.label}: {status} (expected {rule.status_for(c)}) {problems}")
        if rule.listing is not None and c.side != "none":
            plain = Req("GET", req.url, params=rule.listing)
            status, problems = run(matrix, rule, c, plain)
            expected = 200 if c.kind in rule.who else 403
            if status != expected or problems:
                failures.append(f"{c.label} unfiltered: {status} (expected {expected}) "
                                f"{problems}")
    assert not failures, f"{name}:\n" + "\n".join(failures)
