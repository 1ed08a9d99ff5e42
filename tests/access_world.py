"""The people, tokens and objects the access matrix walks: everything is built through the API
inside one transaction that is rolled back at the end of the module.

The objects touched are in commune GL-X-DATON ("own" subtree of the district users and of
Đa Tốn's reporter and tokens); the "other" callers hold the same roles on GL-X-BATTRANG only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from conftest import PASSWORD
from tiendo.audit.models import AuditEvent
from tiendo.units.models import Unit

OWN_UNIT, OTHER_UNIT, DISTRICT = "GL-X-DATON", "GL-X-BATTRANG", "HN-GL"
USER_ROLES = ("admin", "manager", "reporter", "viewer")
SCOPES = ("read", "reports:write", "official-counts:write")
CALLERS = USER_ROLES + SCOPES
ADMINS, MANAGERS = {"admin"}, {"admin", "manager"}
READERS = {*USER_ROLES, "read"}
REPORT_WRITERS = {"admin", "manager", "reporter", "reports:write"}
OFFICIAL_WRITERS = {"admin", "manager", "official-counts:write"}
# Demo users on the own side; in-test users (made here) on the other side.
OWN_USERS = {"admin": "admin", "manager": "vanphong", "viewer": "lanhdao", "reporter": "daton"}
OTHER_USERS = {"admin": "bt-admin", "manager": "bt-manager", "viewer": "bt-viewer",
               "reporter": "battrang"}
UNAUTHENTICATED = ("anonymous", "expired_login", "expired_token", "revoked_token",
                   "deactivated_user")
NEW_PASSWORD = "another-password-2024"


@dataclass
class Req:
    method: str
    url: str
    json: Any = None
    params: dict[str, Any] | None = None
    data: dict[str, str] | None = None
    files: dict[str, Any] | None = None


@dataclass
class Caller:
    kind: str  # a role, a scope, or one of UNAUTHENTICATED
    side: str  # "own", "other" or "none"
    headers: dict[str, str]
    username: str | None = None
    user_id: int | None = None
    token_id: int | None = None
    shift: timedelta = timedelta(0)  # how far the clock moves for this caller's request
    outside: re.Pattern[str] | None = None  # codes and names it must never see

    @property
    def label(self) -> str:
        return f"{self.kind}@{self.side}"


@dataclass
class World:
    admin: dict[str, str]  # the district admin's headers, for arranging and reading the audit
    callers: list[Caller] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)
    audit_floor: int = 0

    def __getitem__(self, key: str) -> Any:  # noqa: ANN401
        return self.ids[key]


def _ok(r, status: int = 200) -> Any:  # noqa: ANN001, ANN401
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = PASSWORD) -> dict[str, str]:  # noqa: ANN001
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return bearer(_ok(r)["access_token"])


def _outside(conn, root_codes: set[str], markers: set[str]) -> re.Pattern[str]:  # noqa: ANN001
    """Codes of every unit outside the caller's subtree, plus names of objects kept there."""
    rows = conn.execute(select(Unit.code, Unit.path)).all()
    roots = [p for c, p in rows if c in root_codes]
    codes = {c for c, p in rows if not any(p.startswith(r) for r in roots)} | markers
    words = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{words})(?![\w.-])")


def build_world(client, conn) -> World:  # noqa: ANN001, PLR0915
    admin = login(client, "admin")
    w = World(admin=admin)

    def post(url: str, body: dict, status: int = 201) -> Any:  # noqa: ANN401
        return _ok(client.post(f"/api/v1{url}", headers=admin, json=body), status)

    def new_user(username: str, role: str, unit: str) -> int:
        return post("/users", {"username": username, "full_name": f"Người thử {username}",
                               "password": PASSWORD,
                               "roles": [{"role": role, "unit": unit}]})["id"]

    for role in ("admin", "manager", "viewer"):
        new_user(OTHER_USERS[role], role, OTHER_UNIT)

    def new_token(name: str, unit: str, scopes: list[str], days: int = 90) -> dict:
        return post("/tokens", {"name": name, "unit": unit, "scopes": scopes,
                                "expires_in_days": days})

    markers = {"t-dt-camp", "dt-user", "T-DT-SPARE"}
    for side, unit, users in (("own", OWN_UNIT, OWN_USERS), ("other", OTHER_UNIT, OTHER_USERS)):
        for role in USER_ROLES:
            name = users[role]
            headers = login(client, name)
            me = _ok(client.get("/api/v1/auth/me", headers=headers))
            roots = {r["unit"] for r in me["roles"]}
            outside = _outside(conn, roots, markers if side == "other" else set())
            w.callers.append(Caller(role, side, headers, name, me["id"], outside=outside))
        for scope in SCOPES:
            token = new_token(f"t-{scope}-{side}", unit, [scope])
            name = f"t-{scope}-{side}"
            if side == "own":
                markers.add(name)
            outside = _outside(conn, {unit}, markers if side == "other" else set())
            w.callers.append(Caller(scope, side, bearer(token["token"]), token_id=token["id"],
                                    outside=outside))

    # Those who must get 401 whatever they ask.
    revoked = new_token("t-revoked", OWN_UNIT, list(SCOPES))
    post(f"/tokens/{revoked['id']}/revoke", {}, 200)
    expiring = new_token("t-expiring", OWN_UNIT, list(SCOPES), days=1)
    new_user("dt-gone", "reporter", OWN_UNIT)
    gone = login(client, "dt-gone")
    gone_id = _ok(client.get("/api/v1/auth/me", headers=gone))["id"]
    _ok(client.patch(f"/api/v1/users/{gone_id}", headers=admin, json={"active": False}))
    w.callers += [
        Caller("anonymous", "none", {}),
        Caller("expired_login", "none", admin, shift=timedelta(minutes=61)),
        Caller("expired_token", "none", bearer(expiring["token"]), shift=timedelta(days=2)),
        Caller("revoked_token", "none", bearer(revoked["token"])),
        Caller("deactivated_user", "none", gone),
    ]

    # The objects, all inside Đa Tốn.
    w.ids["user"] = new_user("dt-user", "reporter", OWN_UNIT)
    w.ids["victim_token"] = new_token("t-victim", OWN_UNIT, ["read"])["id"]
    post("/units", {"code": "T-DT-SPARE", "name": "Thôn thử", "kind": "village",
                    "parent": OWN_UNIT, "opened_on": "2024-01-01"})
    post("/campaigns", {"code": "t-dt-camp", "name": "Chiến dịch của xã", "owner": OWN_UNIT,
                        "start_date": "2024-08-05", "end_date": "2024-10-27",
                        "metrics": [{"code": c, "name": c, "unit_kinds": ["commune"]}
                                    for c in ("staff_total", "staff_installed")]})
    w.ids["target"] = post("/targets", {
        "campaign": "t-dt-camp", "code": "staff", "name": "Cài đặt", "numerator":
        "staff_installed", "denominator": "staff_total", "deadline": "2024-09-30",
        "unit_kinds": ["commune"]})["id"]
    # A data-quality rule of that campaign, and the flag it raised on a report of Đa Tốn.
    w.ids["quality_rule"] = post("/campaigns/t-dt-camp/quality-rules", {
        "metric": "staff_installed", "op": "le", "right": "metric", "right_metric": "staff_total",
        "factor": 0.5, "message": "Quá nửa số CBCCVC đã cài đặt?"})["id"]
    post("/reports", {"campaign": "t-dt-camp", "unit": OWN_UNIT, "period": "2024-W35",
                      "values": {"staff_total": 40, "staff_installed": 30}})
    w.ids["flag"] = _ok(client.get("/api/v1/data-quality", headers=admin,
                                   params={"campaign": "t-dt-camp"}))["data"][0]["id"]
    report = _ok(client.get("/api/v1/reports", headers=admin, params={
        "unit": OWN_UNIT, "campaign": "ihanoi-live", "period": "2024-W35"}))["data"][0]
    w.ids["report"] = report
    # An inactive webhook (nothing is sent in the matrix) and a kept bulk post, both in Đa Tốn.
    w.ids["webhook"] = post("/webhooks", {"name": "t-dt-hook", "url": "http://127.0.0.1:9/h",
                                          "unit": OWN_UNIT, "active": False})["id"]
    w.ids["import"] = _ok(client.post("/api/v1/reports/bulk", headers=admin, json={
        "campaign": "ihanoi-live", "dry_run": True, "items": [
            {"unit": OWN_UNIT, "period": "2024-W35", "values": report["values"]}]}),
        200)["import_id"]
    w.ids["reorganization"] = post("/reorganizations", {
        "effective_date": "2024-09-01", "changes": [
            {"kind": "rename", "unit": "T-DT-SPARE", "name": "Thôn thử (đổi tên)"}]})["id"]
    w.audit_floor = conn.execute(select(func.max(AuditEvent.id))).scalar_one()
    return w
