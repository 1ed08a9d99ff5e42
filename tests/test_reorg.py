"""Reorganisations (#17): a merge and a split with shares, on both databases. Figures before
the effective date stay byte-equal, after it the successors carry their predecessors' shares
(largest remainder, totals conserved), completeness expects the right units on each side,
roles and tokens move or are revoked, a closed unit's report is refused, undo works while no
successor has reported and is refused after."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from conftest import assert_error
from factories import login

V1 = "/api/v1"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PW = "reorg-password-2024"
_seq = itertools.count(1)


def at(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime.combine(datetime(y, m, d).date(), time(hour), tzinfo=TZ).astimezone(UTC)


def ok(r, status: int = 200):  # noqa: ANN001, ANN201
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def make_user(session, username: str, role: str, unit: str) -> None:  # noqa: ANN001
    from tiendo.auth.schemas import RoleGrant, UserCreate
    from tiendo.auth.service import create_user

    create_user(session, None, UserCreate(username=username, full_name=f"Người {username}",
                                          password=PW, roles=[RoleGrant(role=role, unit=unit)]),
                datetime(2024, 1, 1, tzinfo=UTC))
    session.flush()


class World:
    """District D under HN with communes A, B, C; a campaign owned by D (weeks 2024-W27…W44),
    staff and residents targets; reports W27…W30; reporters on A and C, a token on A."""

    def __init__(self, client, clock, session) -> None:  # noqa: ANN001
        self.client, self.clock, self.session = client, clock, session
        n = next(_seq)
        self.p = p = f"RG{n}"
        self.d, self.a, self.b, self.c = f"{p}-D", f"{p}-A", f"{p}-B", f"{p}-C"
        self.ab, self.cx, self.camp = f"{p}-AB", f"{p}-CX", f"rg-{n}"
        make_user(session, f"rg-hn-{n}", "admin", "HN")
        clock.set(at(2024, 6, 1))
        self.h = login(client, f"rg-hn-{n}", PW)
        self.call("POST", "/units", 201, json={"code": self.d, "name": f"Huyện {p}",
                                               "kind": "district", "parent": "HN"})
        for code in (self.a, self.b, self.c):
            self.call("POST", "/units", 201, json={"code": code, "name": f"Xã {code}",
                                                   "kind": "commune", "parent": self.d,
                                                   "opened_on": "2024-01-01"})
        self.call("POST", "/campaigns", 201, json={
            "code": self.camp, "name": f"Đợt {p}", "owner": self.d, "start_date": "2024-07-01",
            "end_date": "2024-10-31", "lock_after_days": 366, "metrics": [
                {"code": "staff_total", "name": "Tổng cán bộ", "unit_kinds": ["commune"]},
                {"code": "staff_installed", "name": "Đã cài", "unit_kinds": ["commune"]},
                {"code": "residents_total", "name": "Dân số", "unit_kinds": ["commune"],
                 "is_baseline": True},
                {"code": "residents_accounts", "name": "Tài khoản", "unit_kinds": ["commune"]}]})
        for code, num, den in (("staff", "staff_installed", "staff_total"),
                               ("residents", "residents_accounts", "residents_total")):
            self.call("POST", "/targets", 201, json={
                "campaign": self.camp, "code": code, "name": f"Chỉ tiêu {code}",
                "numerator": num, "denominator": den, "deadline": "2024-10-31",
                "unit_kinds": ["commune"]})
        for code, value in ((self.a, 1000), (self.b, 2000), (self.c, 3001)):
            self.call("PUT", "/baselines", json={"campaign": self.camp, "unit": code,
                                                 "metric": "residents_total", "value": value})
        make_user(session, f"rg-ra-{n}", "reporter", self.a)
        make_user(session, f"rg-rc-{n}", "reporter", self.c)
        self.ra, self.rc = f"rg-ra-{n}", f"rg-rc-{n}"
        token = self.call("POST", "/tokens", 201, json={
            "name": f"Tích hợp {self.a}", "unit": self.a, "scopes": ["read", "reports:write"]})
        self.token = {"Authorization": f"Bearer {token['token']}"}
        # Weekly reports, each on time (W27 due 04/07 … W30 due 25/07).
        self.sent = {}
        for i, week in enumerate(("2024-W27", "2024-W28", "2024-W29", "2024-W30")):
            clock.set(at(2024, 7, 2 + 7 * i))
            self.h = login(client, f"rg-hn-{n}", PW)
            for k, code in enumerate((self.a, self.b, self.c)):
                if code == self.b and week == "2024-W30":
                    continue  # B skipped its last week: carried forward from W29
                values = {"staff_total": 10 + 5 * k, "staff_installed": 2 + i + k,
                          "residents_accounts": 100 * (k + 1) + 10 * i + 7}
                self.report(code, week, values)
        clock.set(at(2024, 8, 5))  # W32: the change is recorded a week after it took effect
        self.h = login(client, f"rg-hn-{n}", PW)

    def call(self, method: str, path: str, expect: int | None = 200, headers=None, **kw):  # noqa: ANN001, ANN201
        r = self.client.request(method, f"{V1}{path}", headers=headers or self.h, **kw)
        if expect is None:
            return r
        return ok(r, expect)

    def report(self, unit: str, week: str, values: dict, headers=None, expect=201):  # noqa: ANN001, ANN201
        out = self.call("POST", "/reports", expect, headers=headers, json={
            "campaign": self.camp, "unit": unit, "period": week, "values": values,
            "note": "thử"})
        if expect == 201:
            self.sent[(unit, week)] = values
        return out

    def change(self, **extra) -> dict:  # noqa: ANN003
        return {"effective_date": "2024-07-29", "note": "Nghị quyết thử",
                "changes": [
                    {"kind": "merge", "from": [self.a, self.b], "roles_to": self.ab,
                     "to": [{"code": self.ab, "name": "Xã AB", "kind": "commune",
                             "parent": self.d}]},
                    {"kind": "split", "from": [self.c],
                     "to": [{"code": self.ab, "share": 0.6},
                            {"code": self.cx, "name": "Xã CX", "kind": "commune",
                             "parent": self.d, "share": 0.4}]}], **extra}

    def progress(self, week: str, under: str | None = None) -> dict:
        return self.call("GET", "/progress", params={"campaign": self.camp, "period": week,
                                                     "under": under or self.d})

    def csv(self, week: str) -> bytes:
        r = self.call("GET", "/exports/weekly-report.csv", None,
                      params={"campaign": self.camp, "period": week, "under": self.d})
        assert r.status_code == 200, r.text
        return r.content

    def completeness(self, week: str) -> dict[str, str]:
        body = self.call("GET", "/completeness", params={"campaign": self.camp, "period": week,
                                                         "under": self.d, "limit": 500})
        return {u["unit"]: u["status"] for u in body["data"]}


PAST = ("2024-W27", "2024-W28", "2024-W29", "2024-W30")


def shares(value: int, parts: list[float]) -> list[int]:
    """The rounding the tests expect, written out: largest remainder, ties to the first."""
    floors = [int(value * s) for s in parts]
    left = value - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-(value * parts[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@pytest.fixture
def world(client, clock, session) -> World:  # noqa: ANN001
    return World(client, clock, session)


def test_merge_and_split_keep_the_past_and_carry_the_shares(world: World) -> None:
    w = world
    before = {week: (w.progress(week), w.csv(week), w.completeness(week)) for week in PAST}

    # A dry run says what would change and changes nothing.
    dry = w.call("POST", "/reorganizations", 200, params={"dry_run": "true"}, json=w.change())
    assert dry["status"] == "dry_run" and dry["id"] is None
    assert {u["code"] for u in dry["units_opened"]} == {w.ab, w.cx}
    assert {u["code"] for u in dry["units_closed"]} == {w.a, w.b, w.c}
    w.call("GET", f"/units/{w.ab}", 404)
    assert w.call("GET", f"/units/{w.a}")["closed_on"] is None

    done = w.call("POST", "/reorganizations", 201, json=w.change())
    assert done["status"] == "applied" and done["undoable"] is True
    for key in ("units_opened", "units_closed", "links", "baselines", "carried", "access"):
        assert done[key] == dry[key], key

    # Weeks before the change: exactly as before (progress, export, completeness).
    for week in PAST:
        assert (w.progress(week), w.csv(week), w.completeness(week)) == before[week], week
    assert set(w.completeness("2024-W30")) == {w.a, w.b, w.c}

    # After: the successors only, carried (stale) until they report.
    assert w.completeness("2024-W31") == {w.ab: "missing", w.cx: "missing"}
    a30, b29, c30 = (w.sent[(w.a, "2024-W30")], w.sent[(w.b, "2024-W29")],
                     w.sent[(w.c, "2024-W30")])
    want = {}
    for metric in ("staff_total", "staff_installed", "residents_accounts"):
        c_ab, c_cx = shares(c30[metric], [0.6, 0.4])
        want[metric] = (a30[metric] + b29[metric] + c_ab, c_cx)
        assert c_ab + c_cx == c30[metric]  # the split conserves C's figure
    pop_ab, pop_cx = shares(3001, [0.6, 0.4])
    assert (pop_ab, pop_cx) == (1801, 1200)
    progress = {t["code"]: t for t in w.progress("2024-W31")["targets"]}
    staff, residents = progress["staff"], progress["residents"]
    assert (staff["units_expected"], staff["units_stale"], staff["units_missing"]) == (2, 2, 0)
    assert staff["numerator"] == sum(want["staff_installed"])
    assert staff["denominator"] == sum(want["staff_total"])
    # The district's total is conserved across the change.
    old = {t["code"]: t for t in w.progress("2024-W30")["targets"]}
    assert (staff["numerator"], staff["denominator"]) == (old["staff"]["numerator"],
                                                          old["staff"]["denominator"])
    assert residents["denominator"] == (1000 + 2000 + pop_ab) + pop_cx == 1000 + 2000 + 3001
    ab = {t["code"]: t for t in w.progress("2024-W31", w.ab)["targets"]}
    assert (ab["staff"]["numerator"], ab["staff"]["denominator"]) == (
        want["staff_installed"][0], want["staff_total"][0])
    assert ab["residents"]["denominator"] == 1000 + 2000 + pop_ab
    carried = {(c["unit"], c["period"]): c["values"] for c in done["carried"]}
    assert carried[(w.ab, "2024-W30")]["staff_total"] == want["staff_total"][0]
    assert carried[(w.cx, "2024-W30")]["residents_accounts"] == want["residents_accounts"][1]

    # The export shows the successors with the carried figures.
    text = w.csv("2024-W31").decode("utf-8-sig")
    assert w.ab in text and w.cx in text and f"{w.a}," not in text

    # A chart of AB: its predecessors' shares before, its own (carried) after, one line.
    series = w.call("GET", "/progress/series", params={"campaign": w.camp, "under": w.ab})
    staff_series = next(t for t in series["targets"] if t["code"] == "staff")
    assert [p["period"] for p in staff_series["lineage"]] == list(PAST)
    assert staff_series["lineage"][-1]["numerator"] == want["staff_installed"][0]
    assert staff_series["points"][0]["period"] == "2024-W31"
    assert staff_series["points"][0]["numerator"] == want["staff_installed"][0]
    assert {u["code"] for u in series["formed_from"]} == {w.a, w.b, w.c}

    # The unit pages: "thành lập từ …" / "đã sáp nhập vào …".
    unit_ab = w.call("GET", f"/units/{w.ab}")
    assert {(x["code"], x["share"]) for x in unit_ab["formed_from"]} == {
        (w.a, 1.0), (w.b, 1.0), (w.c, 0.6)}
    assert unit_ab["opened_on"] == "2024-07-29"
    unit_c = w.call("GET", f"/units/{w.c}")
    assert unit_c["closed_on"] == "2024-07-29" and unit_c["active"] is False
    assert {x["code"] for x in unit_c["merged_into"]} == {w.ab, w.cx}

    # Roles and tokens: A's reporter and token now on AB; C's reporter revoked.
    ra = login(w.client, w.ra, PW)
    assert [r["unit"] for r in w.call("GET", "/auth/me", headers=ra)["roles"]] == [w.ab]
    rc = login(w.client, w.rc, PW)
    assert w.call("GET", "/auth/me", headers=rc)["roles"] == []
    access = {(x["holder"], x["action"], x["to_unit"]) for x in done["access"]}
    assert (w.ra, "moved", w.ab) in access and (w.rc, "revoked", None) in access

    # A closed unit's report for a week after the change is refused.
    r = w.report(w.a, "2024-W31", {"staff_total": 1, "staff_installed": 1,
                                   "residents_accounts": 1}, expect=None)
    assert_error(r, 422, "unit_inactive")
    # The token moved with the role: it reports for AB now (and not for A).
    w.report(w.ab, "2024-W32", {"staff_total": 60, "staff_installed": 50,
                                "residents_accounts": 900}, headers=w.token)
    progress = {t["code"]: t for t in w.progress("2024-W32", w.ab)["targets"]}
    assert (progress["staff"]["numerator"], progress["staff"]["units_stale"]) == (50, 0)
    assert w.completeness("2024-W32")[w.ab] == "on_time"

    # Undo is refused once a successor has reported.
    r = w.call("POST", f"/reorganizations/{done['id']}/undo", None)
    assert_error(r, 409, "reorganization_has_reports")
    listed = w.call("GET", "/reorganizations")
    assert listed["data"][0]["id"] == done["id"] and listed["data"][0]["undoable"] is False


def test_undo_while_nothing_written_restores_everything(world: World) -> None:
    w = world
    before = {week: (w.progress(week), w.csv(week)) for week in (*PAST, "2024-W31")}
    done = w.call("POST", "/reorganizations", 201, json=w.change())
    undone = w.call("POST", f"/reorganizations/{done['id']}/undo")
    assert undone["status"] == "undone"
    for week in (*PAST, "2024-W31"):
        assert (w.progress(week), w.csv(week)) == before[week], week
    w.call("GET", f"/units/{w.ab}", 404)
    assert w.call("GET", f"/units/{w.a}")["closed_on"] is None
    ra = login(w.client, w.ra, PW)
    assert [r["unit"] for r in w.call("GET", "/auth/me", headers=ra)["roles"]] == [w.a]
    rc = login(w.client, w.rc, PW)
    assert [r["unit"] for r in w.call("GET", "/auth/me", headers=rc)["roles"]] == [w.c]
    w.report(w.a, "2024-W31", {"staff_total": 30, "staff_installed": 20,
                               "residents_accounts": 400}, headers=w.token)
    assert_error(w.call("POST", f"/reorganizations/{done['id']}/undo", None), 409,
                 "reorganization_undone")
    audit = w.call("GET", "/audit", params={"action": "reorganization.undo"})
    assert audit["data"] and audit["data"][0]["object_id"] in (done["id"], str(done["id"]))


def test_a_late_predecessor_report_is_carried_again(world: World) -> None:
    w = world
    w.call("POST", "/reorganizations", 201, json=w.change())
    # B's late report for W30 (its due moment was before the change: B was still expected).
    w.report(w.b, "2024-W30", {"staff_total": 15, "staff_installed": 12,
                               "residents_accounts": 999})
    c30 = w.sent[(w.c, "2024-W30")]
    a30 = w.sent[(w.a, "2024-W30")]
    ab = {t["code"]: t for t in w.progress("2024-W31", w.ab)["targets"]}
    assert ab["staff"]["numerator"] == a30["staff_installed"] + 12 + shares(
        c30["staff_installed"], [0.6, 0.4])[0]
    assert ab["residents"]["numerator"] == a30["residents_accounts"] + 999 + shares(
        c30["residents_accounts"], [0.6, 0.4])[0]


def test_refusals_say_which_change_and_unit(world: World, session) -> None:  # noqa: ANN001
    w = world
    bad = w.change()
    bad["changes"][1]["to"][1]["share"] = 0.5
    assert_error(w.call("POST", "/reorganizations", None, json=bad), 422, "reorg_shares",
                 "changes[1].to")
    # A successor whose predecessors have no population, and none given: no denominator.
    w.call("POST", "/units", 201, json={"code": f"{w.p}-E", "name": "Xã E", "kind": "commune",
                                         "parent": w.d, "opened_on": "2024-01-01"})
    body = {"effective_date": "2024-07-29", "changes": [
        {"kind": "merge", "from": [f"{w.p}-E"],
         "to": [{"code": f"{w.p}-EE", "name": "Xã EE", "kind": "commune", "parent": w.d}]}]}
    err = assert_error(w.call("POST", "/reorganizations", None, json=body), 422,
                       "reorg_no_denominator", "changes[0].to[0].baselines")
    assert f"{w.p}-EE" in err["message"] and "residents" in err["message"]
    # Given explicitly, it applies.
    body["changes"][0]["to"][0]["baselines"] = [
        {"campaign": w.camp, "metric": "residents_total", "value": 4321}]
    done = w.call("POST", "/reorganizations", 201, json=body)
    assert done["baselines"] == [{"campaign": w.camp, "unit": f"{w.p}-EE",
                                  "metric": "residents_total", "value": 4321, "derived": False}]
    # A closed unit cannot be reorganised again; nothing was written by the refusals.
    assert_error(w.call("POST", "/reorganizations", None, json=body), 409)
    assert_error(w.call("POST", "/reorganizations", None, json={
        "effective_date": "2099-01-01", "changes": w.change()["changes"]}), 422, "invalid_date")
    # An admin of one predecessor only is not an admin of the common ancestor.
    make_user(session, f"{w.p.lower()}-adm", "admin", w.a)
    h = login(w.client, f"{w.p.lower()}-adm", PW)
    r = w.call("POST", "/reorganizations", None, headers=h, json=w.change())
    assert r.status_code in (403, 404), r.text
    assert w.call("GET", f"/units/{w.a}")["closed_on"] is None


def test_a_unit_in_a_reorganisation_is_not_deleted(world: World) -> None:
    w = world
    done = w.call("POST", "/reorganizations", 201, json=w.change())
    assert_error(w.call("DELETE", f"/units/{w.a}", None), 409, "unit_in_use")
    assert w.call("GET", f"/reorganizations/{done['id']}")["id"] == done["id"]
