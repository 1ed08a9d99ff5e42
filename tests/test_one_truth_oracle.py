"""One truth (#12), judged from outside: hypothesis builds a small district (a new district
under HN, 2–4 children, some with children of their own), a campaign of 4–8 weeks with one or
two metric pairs and targets (by kinds, a baseline denominator, a single unit), opens units at
random weeks, closes some, posts random report sequences (skipped weeks, corrections, late
reports) while the clock moves, and then checks every week against a plain Python oracle
written here: progress (totals, units expected/counted/stale/missing, children), the series,
completeness, both weekly exports, the public leaderboard and the import template.

The oracle is the specification (issue #12):
- weeks: the ISO weeks from start_date's to end_date's; due moment of W: its Thursday 15:00 in
  the campaign's zone; d(W) = that local date.
- a unit is open at W iff (opened_on is null or opened_on <= d(W)) and (closed_on is null or
  closed_on > d(W)); a week expects the open units a target counts; a report for a week in
  which its unit is not open is refused with 422.
- a unit's figure at W: the value of its latest report with period <= W (stale when earlier);
  none: 0 in the numerator, its baseline in a baseline denominator, "missing".
- completeness status from the report for W itself: on_time (received before the due moment) or
  late; else pending before the due moment, missing after.

`over_time=False` keeps every unit open for the whole campaign (what main did before #12), to
tell the parts that already agree from the ones that do not. Examples share the test's
database (unique codes); ORACLE_EXAMPLES sets how many, ORACLE_SHRINK=1 shrinks a failure.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tiendo.figures.upkeep import check as check_figures

V1 = "/api/v1"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = time(15, 0)
PASSWORD = "oracle-password-2024"
_seq = itertools.count(1)

COUNTABLE = ["commune", "agency", "school", "public_service"]
GRANDCHILDREN = {"commune": ["village", "school"], "agency": ["public_service", "school"],
                 "school": [], "party": []}
NAMES = {"staff_total": "Tổng cán bộ", "staff_installed": "Cán bộ đã cài",
         "residents_total": "Dân số", "residents_accounts": "Tài khoản dân cư"}
STATUS_VI = {"on_time": {"đúng hạn"}, "late": {"muộn"}, "missing": {"chưa nộp"},
             "pending": {"chưa nộp", "chưa đến hạn"}}


# --- the calendar, as the issue states it ------------------------------------------------------
def week_of(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def monday(week: str) -> date:
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)


def d_of(week: str) -> date:
    return monday(week) + timedelta(days=3)


def due_of(week: str) -> datetime:
    return datetime.combine(d_of(week), DUE, tzinfo=TZ)


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


# --- a plan: what happens, in plain data ---------------------------------------------------------
@dataclass
class UnitPlan:
    code: str
    kind: str
    parent: str
    opened_on: date | None  # None: created before the campaign without a date (today then)
    created: datetime
    close_on: date | None = None
    close_at: datetime | None = None
    successor: bool = False  # opened by the plan's reorganisation, not by POST /units


@dataclass
class ReportPlan:
    unit: str
    week: str
    at: datetime
    values: dict[str, int]
    correction: tuple[datetime, dict[str, int]] | None = None


@dataclass
class ReorgPlan:
    """One reorganisation: each change moves whole predecessors (share 1) or shares of one."""

    effective: date
    at: datetime
    changes: list[tuple[str, list[str], list[tuple[str, float]]]]  # kind, from, (to, share)
    explicit: dict[str, int] = field(default_factory=dict)  # successor → residents_total

    def links(self) -> list[tuple[str, str, float, int]]:
        return [(p, to, share, i) for _, preds, tos in self.changes for p in preds
                for i, (to, share) in enumerate(tos)]


@dataclass
class TargetPlan:
    code: str
    numerator: str
    denominator: str
    kinds: list[str]
    unit: str | None = None


@dataclass
class Plan:
    prefix: str
    district: str
    start: date
    end: date
    weeks: list[str]
    setup: datetime
    now: datetime
    units: list[UnitPlan]
    metrics: list[dict]
    targets: list[TargetPlan]
    baselines: dict[str, int]
    reports: list[ReportPlan] = field(default_factory=list)
    reorg: ReorgPlan | None = None

    def summary(self) -> str:
        lines = [f"campaign {self.prefix} {self.start}…{self.end} weeks {self.weeks} now "
                 f"{self.now.astimezone(TZ):%Y-%m-%d %H:%M} (local)"]
        lines += [f"target {t.code}: {t.numerator}/{t.denominator} kinds={t.kinds} unit={t.unit}"
                  for t in self.targets]
        for u in self.units:
            lines.append(f"unit {u.code} {u.kind} under {u.parent} opened_on={u.opened_on} "
                         f"created={u.created.astimezone(TZ):%m-%d %H:%M} close_on={u.close_on} "
                         f"close_at={u.close_at and u.close_at.astimezone(TZ)}")
        lines.append(f"baselines {self.baselines}")
        if self.reorg:
            lines.append(f"reorg effective {self.reorg.effective} at "
                         f"{self.reorg.at.astimezone(TZ):%m-%d %H:%M}: {self.reorg.changes} "
                         f"explicit {self.reorg.explicit}")
        for r in sorted(self.reports, key=lambda r: r.at):
            corr = (f" corrected {r.correction[0].astimezone(TZ):%m-%d %H:%M} → {r.correction[1]}"
                    if r.correction else "")
            lines.append(f"report {r.unit} {r.week} at {r.at.astimezone(TZ):%m-%d %H:%M} "
                         f"{r.values}{corr}")
        return "\n".join(lines)


@st.composite
def plans(draw, over_time: bool, reorg: bool = False) -> Plan:  # noqa: ANN001, C901
    rnd = draw(st.randoms(use_true_random=False))
    n = next(_seq)
    prefix = f"OR{n}-{rnd.randrange(10**6):06d}"
    n_weeks = draw(st.integers(4, 8))
    first_monday = date(2025, 1, 6) + timedelta(weeks=draw(st.integers(0, 40)))
    start = first_monday + timedelta(days=draw(st.integers(0, 6)))
    last_monday = first_monday + timedelta(weeks=n_weeks - 1)
    end = last_monday + timedelta(days=draw(st.integers(0, 6)))
    weeks = [week_of(first_monday + timedelta(weeks=i)) for i in range(n_weeks)]
    setup = local(first_monday - timedelta(days=14))
    district = f"{prefix}-D"

    staff_kinds = draw(st.lists(st.sampled_from(COUNTABLE), min_size=1, max_size=4,
                                unique=True))
    residents = draw(st.booleans())
    children = draw(st.lists(st.sampled_from(["commune", "agency", "school", "party"]),
                             min_size=2, max_size=4))
    if residents and "commune" not in children and draw(st.booleans()):
        children[0] = "commune"

    def opening(parent_created: datetime) -> tuple[date | None, datetime]:
        mode = rnd.choice(["before", "before", "future", "at", "backdated"]) if over_time \
            else "before"
        if mode == "before":
            return (None if rnd.random() < 0.5 else setup.date() - timedelta(days=30)), \
                max(setup, parent_created + timedelta(minutes=1))
        day = first_monday + timedelta(days=rnd.randrange(7 * n_weeks))
        created = {"future": setup, "at": local(day, 8),
                   "backdated": local(day + timedelta(days=rnd.randint(1, 10)), 10)}[mode]
        return day, max(created, parent_created + timedelta(minutes=1))

    units: list[UnitPlan] = []
    for i, kind in enumerate(children):
        opened, created = opening(setup)
        child = UnitPlan(f"{prefix}-C{i}", kind, district, opened, created)
        units.append(child)
        options = GRANDCHILDREN[kind]
        for j in range(rnd.randint(0, 2) if options else 0):
            opened, created = opening(child.created)
            units.append(UnitPlan(f"{prefix}-C{i}-{j}", rnd.choice(options), child.code,
                                  opened, created))

    if over_time:
        by_code = {u.code: u for u in units}
        for u in units:
            if rnd.random() < 0.3:
                low = max(first_monday, (u.opened_on or first_monday) + timedelta(days=1))
                high = last_monday + timedelta(days=6)
                if low > high:
                    continue
                u.close_on = low + timedelta(days=rnd.randrange((high - low).days + 1))
                subtree = [x for x in units if x.code == u.code
                           or x.parent == u.code or by_code.get(x.parent, x).parent == u.code]
                latest = max(x.created for x in subtree)
                u.close_at = max(local(u.close_on + timedelta(days=rnd.choice([0, 0, 1, 5, 9])),
                                       9, rnd.randrange(60)),
                                 latest + timedelta(minutes=5))

    reorg_plan = None
    candidates = [u for u in units if u.parent == district and u.kind in COUNTABLE]
    if reorg and candidates:
        rnd.shuffle(candidates)
        preds = candidates[:rnd.randint(1, min(3, len(candidates)))]
        eff = first_monday + timedelta(days=rnd.randrange(7, 7 * (n_weeks - 1)))
        s1, s2 = f"{prefix}-S1", f"{prefix}-S2"
        share = rnd.choice([0.5, 0.25, 0.6, 0.75, round(rnd.uniform(0.05, 0.95), 2)])
        codes = [p.code for p in preds]
        mode = rnd.choice(["merge", "split", "both"] if len(preds) > 1 else ["merge", "split"])
        if mode == "merge":
            changes = [("merge", codes, [(s1, 1.0)])]
        elif mode == "split":
            changes = [("split", codes[:1], [(s1, share), (s2, round(1 - share, 6))])]
            if len(codes) > 1:
                changes.append(("merge", codes[1:], [(s2, 1.0)]))
        else:
            changes = [("merge", codes[:-1], [(s1, 1.0)]),
                       ("split", codes[-1:], [(s1, share), (s2, round(1 - share, 6))])]
        at = local(eff + timedelta(days=rnd.randint(0, 6)), 11, rnd.randrange(60))
        at = max(at, max(u.created for u in units) + timedelta(minutes=5))
        reorg_plan = ReorgPlan(eff, at, changes)
        for code in sorted({to for _, _, tos in changes for to, _ in tos}):
            units.append(UnitPlan(code, preds[0].kind, district, eff, at, successor=True))

    metrics = [{"code": "staff_total", "name": NAMES["staff_total"], "unit_kinds": staff_kinds},
               {"code": "staff_installed", "name": NAMES["staff_installed"],
                "unit_kinds": staff_kinds}]
    targets = [TargetPlan("staff", "staff_installed", "staff_total", staff_kinds)]
    baselines: dict[str, int] = {}
    if residents:
        metrics += [{"code": "residents_total", "name": NAMES["residents_total"],
                     "unit_kinds": ["commune"], "is_baseline": True},
                    {"code": "residents_accounts", "name": NAMES["residents_accounts"],
                     "unit_kinds": ["commune"]}]
        targets.append(TargetPlan("residents", "residents_accounts", "residents_total",
                                  ["commune"]))
        baselines = {u.code: rnd.randint(100, 3000) for u in units
                     if u.kind == "commune" and not u.successor and rnd.random() < 0.75}
    staff_units = [u for u in units if u.kind in staff_kinds and u.created == setup
                   and not u.successor]
    if staff_units and draw(st.booleans()):
        single = rnd.choice(staff_units)
        targets.append(TargetPlan("single", "staff_installed", "staff_total", [], single.code))

    # Now: somewhere around a week's due moment, or after the campaign.
    cur = draw(st.integers(1, n_weeks))
    now = (due_of(weeks[-1]) + timedelta(days=10) if cur == n_weeks
           else due_of(weeks[cur]) + timedelta(hours=draw(st.integers(-30, 70))))
    plan = Plan(prefix, district, start, end, weeks, setup, now, units, metrics, targets,
                baselines)
    plan.reorg = reorg_plan
    if reorg_plan is not None and residents:
        for u in units:
            if u.successor and u.kind == "commune":
                preds = {p for p, to, _, _ in reorg_plan.links() if to == u.code}
                if not preds <= baselines.keys() or rnd.random() < 0.3:
                    reorg_plan.explicit[u.code] = rnd.randint(100, 5000)

    reporting = {u.code: sorted({m["code"] for m in metrics if not m.get("is_baseline")
                                 and u.kind in m["unit_kinds"]}) for u in units}
    for u in units:
        codes = reporting[u.code]
        if not codes:
            continue
        for week in weeks:
            roll = rnd.random()
            if roll < 0.35:
                continue  # skipped week
            due = due_of(week)
            if roll < 0.75:
                at = due - timedelta(minutes=rnd.randint(1, 70 * 60))
            else:
                at = due + timedelta(minutes=rnd.randint(1, 12 * 24 * 60))
            at = max(at, local(monday(week), 0, 1), u.created + timedelta(minutes=1))
            if at > now:
                continue
            values = random_values(rnd, codes, baselines.get(u.code))
            report = ReportPlan(u.code, week, at, values)
            if rnd.random() < 0.25:
                limit = min(now, due - timedelta(minutes=1)) if at < due else now
                if limit > at:
                    when = at + (limit - at) * rnd.random()
                    report.correction = (when, random_values(rnd, codes, baselines.get(u.code)))
            plan.reports.append(report)
    return plan


def random_values(rnd: random.Random, codes: list[str], baseline: int | None) -> dict[str, int]:
    values = {}
    if "staff_total" in codes:
        values["staff_total"] = rnd.randint(1, 60)
        values["staff_installed"] = rnd.randint(0, values["staff_total"])
    if "residents_accounts" in codes:
        values["residents_accounts"] = rnd.randint(0, baseline or 3000)
    return values


# --- the oracle ------------------------------------------------------------------------------------
@dataclass
class Sent:
    values: dict[str, int]
    received: datetime
    id: int | None = None


class Oracle:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.kind = {u.code: u.kind for u in plan.units}
        self.parent = {u.code: u.parent for u in plan.units}
        self.opened: dict[str, date | None] = {}
        self.closed: dict[str, date | None] = {}
        self.reports: dict[tuple[str, str], Sent] = {}
        self.baselines: dict[str, int] = dict(plan.baselines)
        self.links: list[tuple[str, str, float, int]] = []  # applied: (from, to, share, order)
        self.w0: str | None = None  # the predecessors' last week (the carry's week)

    # the tree as it stands
    def ancestors(self, code: str) -> list[str]:
        out = []
        while code in self.parent:
            code = self.parent[code]
            out.append(code)
        return out

    def under(self, code: str, root: str) -> bool:
        return code == root or root in self.ancestors(code)

    def is_open(self, code: str, week: str) -> bool:
        d = d_of(week)
        opened, closed = self.opened[code], self.closed[code]
        return (opened is None or opened <= d) and (closed is None or closed > d)

    def close(self, code: str, on: date) -> None:
        for other in self.closed:
            if self.under(other, code) and self.closed[other] is None:
                self.closed[other] = on

    # the figures
    def expected(self, target: TargetPlan, week: str, root: str) -> list[str]:
        return [c for c in self.opened if self.under(c, root) and self.is_open(c, week)
                and (c == target.unit if target.unit else self.kind[c] in target.kinds)]

    def expected_any(self, week: str, root: str) -> list[str]:
        return sorted({c for t in self.plan.targets for c in self.expected(t, week, root)})

    def own_latest(self, code: str, week: str) -> tuple[str, Sent] | None:
        mine = [(w, s) for (c, w), s in self.reports.items() if c == code and w <= week]
        return max(mine, key=lambda x: x[0]) if mine else None

    def latest(self, code: str, week: str) -> tuple[str, Sent] | None:
        """A successor without a report of its own at or before `week` carries its
        predecessors' shares from W0 (#17)."""
        own = self.own_latest(code, week)
        if own is not None or self.w0 is None or week < self.w0:
            return own
        carried = self.carried(code)
        return (self.w0, Sent(carried, due_of(self.w0))) if carried else None

    def carried(self, code: str) -> dict[str, int]:
        """The issue's rule, stated here once more: per metric the successor's kind reports,
        the sum over its predecessors of share × the predecessor's figure at W0, each
        predecessor's figure divided among its successors by largest remainder (the shares'
        floors, then one unit each to the largest fractions, ties to the successor listed
        first), so that a split conserves its total."""
        kinds = {m["code"] for m in self.plan.metrics if not m.get("is_baseline")
                 and self.kind[code] in m["unit_kinds"]}
        out: dict[str, int] = {}
        for pred in {p for p, to, _, _ in self.links if to == code}:
            last = self.own_latest(pred, self.w0)
            if last is None:
                continue
            mine = sorted((x for x in self.links if x[0] == pred), key=lambda x: x[3])
            for metric, value in last[1].values.items():
                if metric in kinds:
                    parts = largest_remainder(value, [x[2] for x in mine])
                    out[metric] = out.get(metric, 0) + parts[[x[1] for x in mine].index(code)]
        return out

    def figure(self, code: str, metric: str, week: str) -> int | None:
        if metric == "residents_total":
            return self.baselines.get(code)
        last = self.latest(code, week)
        return None if last is None else last[1].values.get(metric)

    def sums(self, target: TargetPlan, week: str, units: list[str]) -> dict[str, int]:
        out = {"numerator": 0, "denominator": 0, "counted": 0, "stale": 0, "missing": 0}
        for c in units:
            out["numerator"] += self.figure(c, target.numerator, week) or 0
            out["denominator"] += self.figure(c, target.denominator, week) or 0
            last = self.latest(c, week)
            out["missing" if last is None else "counted" if last[0] == week else "stale"] += 1
        return out

    def status(self, code: str, week: str, now: datetime) -> str:
        sent = self.reports.get((code, week))
        if sent is not None:
            return "on_time" if sent.received < due_of(week) else "late"
        return "pending" if now < due_of(week) else "missing"


def largest_remainder(value: int, shares: list[float]) -> list[int]:
    exact = [value * x for x in shares]
    parts = [int(e + 1e-9) for e in exact]
    for i in sorted(range(len(shares)), key=lambda i: (parts[i] - exact[i], i))[
            :value - sum(parts)]:
        parts[i] += 1
    return parts


def w0_of(effective: date) -> str:
    week = week_of(effective)
    return week if d_of(week) < effective else week_of(monday(week) - timedelta(days=7))


def ratio3(num: int, den: int) -> float | None:
    return round(num / den, 3) if den > 0 else None


# --- driving the API -------------------------------------------------------------------------------
class Api:
    """The HN admin, logged in afresh whenever the clock has moved past its session."""

    def __init__(self, client, clock, username: str) -> None:  # noqa: ANN001
        self.client, self.clock, self.username = client, clock, username
        self.token: tuple[datetime, str] | None = None
        self.writer: dict[str, str] = {}  # an integration token: reports without log-ins

    def as_writer(self, district: str) -> None:
        r = self.call("POST", "/tokens", 201, json={
            "name": f"Tích hợp {district}", "unit": district, "scopes": ["read", "reports:write"]})
        self.writer = {"Authorization": f"Bearer {r.json()['token']}"}

    def at(self, moment: datetime) -> None:
        self.clock.set(moment.astimezone(UTC))

    def headers(self) -> dict[str, str]:
        now = self.clock.now
        if self.token is None or not (self.token[0] <= now < self.token[0] + timedelta(
                minutes=50)):
            r = self.client.post(f"{V1}/auth/token",
                                 data={"username": self.username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self.token = (now, r.json()["access_token"])
        return {"Authorization": f"Bearer {self.token[1]}"}

    def call(self, method: str, path: str, expect: int | None = 200, writer: bool = False,
             **kw):  # noqa: ANN003, ANN201
        auth = self.writer if writer else self.headers()
        r = self.client.request(method, f"{V1}{path}", headers={**auth, **kw.pop("headers", {})},
                                **kw)
        if expect is not None:
            assert r.status_code == expect, f"{method} {path} {kw}: {r.status_code} {r.text}"
        return r


_USERS: dict[int, str] = {}


def hn_admin(session) -> str:  # noqa: ANN001
    """An admin of the city (HN), arranged directly in the test's transaction: the demo's
    admins hold only the district."""
    key = id(session)
    if key not in _USERS:
        from tiendo.auth.models import Role
        from tiendo.auth.schemas import RoleGrant, UserCreate
        from tiendo.auth.service import create_user
        name = f"oracle-hn-{next(_seq)}"
        create_user(session, None, UserCreate(username=name, full_name="Quản trị thành phố thử",
                                              password=PASSWORD,
                                              roles=[RoleGrant(role=Role.admin, unit="HN")]),
                    datetime(2024, 1, 1, tzinfo=UTC))
        session.flush()
        _USERS.clear()
        _USERS[key] = name
    return _USERS[key]


def build(api: Api, plan: Plan, oracle: Oracle, problems: list[str]) -> None:
    """Plays the plan through the API in the order of time, keeping the oracle's state."""
    api.at(plan.setup)
    api.call("POST", "/units", 201, json={"code": plan.district, "name": f"Huyện {plan.prefix}",
                                          "kind": "district", "parent": "HN"})
    api.call("POST", "/campaigns", 201, json={
        "code": plan.prefix, "name": f"Chiến dịch {plan.prefix}", "owner": plan.district,
        "start_date": plan.start.isoformat(), "end_date": plan.end.isoformat(),
        "lock_after_days": 366, "public_leaderboard": True, "metrics": plan.metrics})
    api.as_writer(plan.district)
    events: list[tuple[datetime, int, str, object]] = []
    for u in plan.units:
        events.append((u.created, 0, "create", u))
        if u.close_at:
            events.append((u.close_at, 1, "close", u))
    if plan.reorg is not None:
        events.append((plan.reorg.at, 1, "reorg", plan.reorg))
    for r in plan.reports:
        events.append((r.at, 2, "report", r))
        if r.correction:
            events.append((r.correction[0], 3, "correct", r))
    targets_made = False
    for n, (moment, _, kind, item) in enumerate(sorted(events, key=lambda e: (e[0], e[1]))):
        if moment > plan.now:
            break  # the future: not yet happened when the weeks are checked
        if not targets_made and moment > plan.setup:
            make_targets(api, plan)
            targets_made = True
        api.at(moment)
        if targets_made and n % 3 == 0:
            read_between(api, plan)
        if kind == "reorg":
            reorganize(api, plan, oracle, item, problems)  # type: ignore[arg-type]
            continue
        if kind in ("report", "correct") and item.unit not in oracle.opened:
            continue  # a successor of a reorganisation that was refused
        if kind == "create":
            u: UnitPlan = item  # type: ignore[assignment]
            if u.successor:
                continue
            body = {"code": u.code, "name": f"Đơn vị {u.code}", "kind": u.kind,
                    "parent": u.parent}
            if u.opened_on is not None:
                body["opened_on"] = u.opened_on.isoformat()
            r = api.call("POST", "/units", 201, json=body)
            oracle.opened[u.code] = (date.fromisoformat(r.json()["opened_on"])
                                     if r.json().get("opened_on") else None)
            if u.opened_on is None:  # no date given: today
                oracle.opened[u.code] = moment.astimezone(TZ).date()
            oracle.closed[u.code] = None
            if u.code in plan.baselines:
                api.call("PUT", "/baselines", json={
                    "campaign": plan.prefix, "unit": u.code, "metric": "residents_total",
                    "value": plan.baselines[u.code]})
        elif kind == "close":
            u = item  # type: ignore[assignment]
            if oracle.closed[u.code] is not None:
                continue  # closed with an ancestor already
            opened = oracle.opened[u.code]
            if opened is not None and u.close_on < opened:  # closing before opening: refused
                r = api.call("POST", f"/units/{u.code}/deactivate", None,
                             json={"closed_on": u.close_on.isoformat()})
                if r.status_code != 422 or r.json()["error"]["code"] != "invalid_date":
                    problems.append(f"closing {u.code} on {u.close_on} before it opened on "
                                    f"{opened} answered {r.status_code} {r.text[:120]}")
                continue
            api.call("POST", f"/units/{u.code}/deactivate", 200,
                     json={"closed_on": u.close_on.isoformat()})
            oracle.close(u.code, u.close_on)
        elif kind == "report":
            rp: ReportPlan = item  # type: ignore[assignment]
            r = api.call("POST", "/reports", None, writer=True, json={
                "campaign": plan.prefix, "unit": rp.unit, "period": rp.week,
                "values": rp.values, "note": "Số liệu thử"})
            if oracle.is_open(rp.unit, rp.week):
                if r.status_code != 201:
                    problems.append(f"report {rp.unit} {rp.week} (open that week) refused: "
                                    f"{r.status_code} {r.text[:160]}")
                    continue
                oracle.reports[(rp.unit, rp.week)] = Sent(dict(rp.values), moment,
                                                          r.json()["id"])
            elif r.status_code == 422:
                code = r.json()["error"]["code"]
                # A successor's week before it opened may hold its carried figures (#17):
                # stored by the reorganisation, not by this report.
                stored = sum(1 for x in api.call("GET", "/reports", writer=True, params={
                    "campaign": plan.prefix, "unit": rp.unit, "period": rp.week}).json()["data"]
                    if x["source"] != "reorganization")
                if code == "validation_error" or stored:
                    problems.append(f"report {rp.unit} {rp.week} (not open that week) refused "
                                    f"as {code!r} (a code of its own expected), stored {stored}")
            else:
                problems.append(f"report {rp.unit} {rp.week} (not open that week: opened_on="
                                f"{oracle.opened[rp.unit]} closed_on={oracle.closed[rp.unit]}) "
                                f"answered {r.status_code} {r.text[:120]}, not 422")
                if r.status_code == 201:  # counted as the API says, so the rest can be judged
                    oracle.reports[(rp.unit, rp.week)] = Sent(dict(rp.values), moment,
                                                              r.json()["id"])
        elif kind == "correct":
            rp = item  # type: ignore[assignment]
            sent = oracle.reports.get((rp.unit, rp.week))
            if sent is None:
                continue
            current = api.call("GET", f"/reports/{sent.id}", writer=True).json()
            when, values = rp.correction  # type: ignore[misc]
            r = api.call("PUT", f"/reports/{sent.id}", None, writer=True,
                         headers={"If-Match": f'"{current["version"]}"'},
                         json={"values": values, "note": "Sửa số liệu thử"})
            if not oracle.is_open(rp.unit, rp.week):
                # Closed since, with a date before that week's deadline: the week no longer
                # expects the unit, and its report cannot be corrected either.
                if r.status_code != 422 or r.json()["error"]["code"] not in (
                        "unit_inactive", "unit_not_open"):
                    problems.append(f"correction of {rp.unit} {rp.week} (no longer open that "
                                    f"week) answered {r.status_code} {r.text[:160]}")
                continue
            if r.status_code != 200:
                problems.append(f"correction of {rp.unit} {rp.week} refused: {r.status_code} "
                                f"{r.text[:160]}")
                continue
            sent.values = dict(values)
    if not targets_made:
        make_targets(api, plan)


def reorganize(api: Api, plan: Plan, oracle: Oracle, rp: ReorgPlan,
               problems: list[str]) -> None:
    """Applies the plan's reorganisation; refused (422/409) when a predecessor is no longer
    open or opened on or after the effective date, as the issue says."""
    preds = [p for _, ps, _ in rp.changes for p in ps]
    valid = all(oracle.closed.get(p) is None and p in oracle.opened and (
        oracle.opened[p] is None or oracle.opened[p] < rp.effective) for p in preds)
    succ = {u.code: u for u in plan.units if u.successor}
    changes = []
    for kind, ps, tos in rp.changes:
        to = []
        for code, share in tos:
            spec = {"code": code, "name": f"Đơn vị {code}", "kind": succ[code].kind,
                    "parent": plan.district}
            if kind == "split":
                spec["share"] = share
            if code in rp.explicit:
                spec["baselines"] = [{"campaign": plan.prefix, "metric": "residents_total",
                                      "value": rp.explicit[code]}]
            to.append(spec)
        changes.append({"kind": kind, "from": ps, "to": to})
    r = api.call("POST", "/reorganizations", None, json={
        "effective_date": rp.effective.isoformat(), "changes": changes})
    if not valid:
        if r.status_code not in (409, 422):
            problems.append(f"reorganisation of closed/late units answered {r.status_code} "
                            f"{r.text[:160]}")
        return
    if r.status_code != 201:
        problems.append(f"reorganisation refused: {r.status_code} {r.text[:200]}")
        return
    for p in preds:
        oracle.close(p, rp.effective)
    oracle.links = rp.links()
    oracle.w0 = w0_of(rp.effective)
    if not (plan.weeks[0] <= oracle.w0 < plan.weeks[-1]):
        oracle.w0 = None  # the successors are never expected: nothing carried
    for code, u in succ.items():
        oracle.opened[code], oracle.closed[code] = rp.effective, None
        if code in rp.explicit:
            oracle.baselines[code] = rp.explicit[code]
        elif u.kind == "commune" and any(m["code"] == "residents_total" for m in plan.metrics):
            mine = sorted(oracle.links, key=lambda x: x[3])
            total = 0
            for pred in {p for p, to, _, _ in mine if to == code}:
                theirs = [x for x in mine if x[0] == pred]
                parts = largest_remainder(oracle.baselines[pred], [x[2] for x in theirs])
                total += parts[[x[1] for x in theirs].index(code)]
            oracle.baselines[code] = total


def read_between(api: Api, plan: Plan) -> None:
    """Reads between writes fill the kept subtree totals (every week so far, the children
    with children of their own) and the reporting counts of this week and the last: later writes, late
    reports, corrections and closings must invalidate them, or the checks at the end
    disagree."""
    api.call("GET", "/progress/series", params={"campaign": plan.prefix, "under": plan.district})
    api.call("GET", "/progress", params={"campaign": plan.prefix, "under": plan.district})
    current = week_of(api.clock.now.astimezone(TZ).date())
    for week in [w for w in plan.weeks if w <= current][-2:]:  # a late report: the week before
        api.call("GET", "/completeness", params={"campaign": plan.prefix, "period": week,
                                                 "under": plan.district})


def make_targets(api: Api, plan: Plan) -> None:
    api.at(plan.setup)
    for t in plan.targets:
        body = {"campaign": plan.prefix, "code": t.code, "name": f"Chỉ tiêu {t.code}",
                "numerator": t.numerator, "denominator": t.denominator, "goal_ratio": 1.0,
                "deadline": plan.end.isoformat(), "unit_kinds": t.kinds}
        if t.unit:
            body["unit"] = t.unit
        api.call("POST", "/targets", 201, json=body)


# --- the checks ------------------------------------------------------------------------------------
def check_week(api: Api, plan: Plan, oracle: Oracle, week: str, problems: list[str]) -> None:
    now = api.clock.now
    root = plan.district
    params = {"campaign": plan.prefix, "period": week, "under": root}
    children = [u.code for u in plan.units if u.parent == root]

    # progress
    body = api.call("GET", "/progress", params=params).json()
    got = {t["code"]: t for t in body["targets"]}
    for t in plan.targets:
        units = oracle.expected(t, week, root)
        if not units:
            if t.code in got and (got[t.code]["numerator"] or got[t.code]["denominator"]
                                  or got[t.code]["units_expected"]):
                problems.append(f"{week} progress {t.code}: expects no unit, API {got[t.code]}")
            continue
        if t.code not in got:
            problems.append(f"{week} progress {t.code}: missing (oracle expects {units})")
            continue
        want, have = oracle.sums(t, week, units), got[t.code]
        pairs = [("numerator", want["numerator"]), ("denominator", want["denominator"]),
                 ("units_expected", len(units)), ("units_counted", want["counted"]),
                 ("units_stale", want["stale"]), ("units_missing", want["missing"])]
        for key, value in pairs:
            if have[key] != value:
                problems.append(f"{week} progress {t.code} {key}: API {have[key]}, oracle "
                                f"{value} (units {units})")
        api_children = {c["unit"]: c for c in have["children"]}
        for child in children:
            mine = [c for c in units if oracle.under(c, child)]
            if not mine:
                if child in api_children and (api_children[child]["numerator"]
                                              or api_children[child]["denominator"]):
                    problems.append(f"{week} progress {t.code} child {child}: no expected "
                                    f"unit, API {api_children[child]}")
                continue
            s = oracle.sums(t, week, mine)
            c = api_children.get(child)
            if c is None or (c["numerator"], c["denominator"]) != (s["numerator"],
                                                                   s["denominator"]):
                problems.append(f"{week} progress {t.code} child {child}: API "
                                f"{c and (c['numerator'], c['denominator'])}, oracle "
                                f"{(s['numerator'], s['denominator'])} (units {mine})")

    # completeness
    # paged (#14): small pages, walked to the end, the summary the same on every page
    body, have, offset = None, {}, 0
    while True:
        page = api.call("GET", "/completeness",
                        params={**params, "limit": 3, "offset": offset}).json()
        summary = {k: v for k, v in page.items() if k not in ("data", "offset")}
        if body is not None and summary != body:
            problems.append(f"{week} completeness summary moved between pages: {summary}")
        body = summary
        have.update({u["unit"]: u["status"] for u in page["data"]})
        offset += 3
        if offset >= page["count"]:
            break
    want = {c: oracle.status(c, week, now) for c in oracle.expected_any(week, root)}
    if len(have) != body["count"]:
        problems.append(f"{week} completeness pages listed {len(have)} units, count "
                        f"{body['count']}")
    if body["expected"] != len(want) or have != want:
        diff = {c: (have.get(c), want.get(c)) for c in set(want) | set(have)
                if have.get(c) != want.get(c)}
        problems.append(f"{week} completeness expected API {body['expected']} oracle "
                        f"{len(want)}; (API, oracle) status: {diff}")

    # the weekly export, CSV and .xlsx
    csv_rows = api.call("GET", "/exports/weekly-report.csv", params=params).content
    check_export(plan, oracle, week, now, "csv", parse_csv(csv_rows), problems)
    xlsx = api.call("GET", "/exports/weekly-report.xlsx", params=params).content
    check_export(plan, oracle, week, now, "xlsx", parse_xlsx(plan, xlsx), problems)

    # the import template: its units, and any figure it shows
    r = api.call("GET", "/reports/import-template",
                 params={**params, "format": "csv"})
    check_template(plan, oracle, week, r.content, problems)


def parse_csv(data: bytes) -> dict[str, dict[str, tuple]]:
    """target code → unit code → (denominator, numerator, reporting) from the CSV export."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    head = rows[0]
    col = {name: head.index(name) for name in ("Chỉ tiêu", "Mã đơn vị", "Tổng số", "Đã đạt",
                                               "Tình trạng báo cáo")}
    out: dict[str, dict[str, tuple]] = {}
    for row in rows[1:]:
        if not row or not row[col["Mã đơn vị"]]:
            continue
        out.setdefault(row[col["Chỉ tiêu"]], {})[row[col["Mã đơn vị"]]] = (
            row[col["Tổng số"]], row[col["Đã đạt"]], row[col["Tình trạng báo cáo"]])
    return out


def parse_xlsx(plan: Plan, data: bytes) -> dict[str, dict[str, tuple]]:
    """target code → unit code → (denominator, numerator, reporting): sheets named after the
    targets, columns found by their headings (the metric names), units by their names."""
    by_name = {f"Đơn vị {u.code}": u.code for u in plan.units}
    sheets = {f"Chỉ tiêu {t.code}"[:28]: t for t in plan.targets}
    wb = load_workbook(io.BytesIO(data))
    out: dict[str, dict[str, tuple]] = {}
    for ws in wb.worksheets:
        target = sheets.get(ws.title)
        if target is None:
            continue
        rows = list(ws.iter_rows(values_only=True))
        head_at = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
        head = list(rows[head_at])
        den = head.index(NAMES[target.denominator])
        num = head.index(NAMES[target.numerator])
        name_col = head.index("Đơn vị")
        status = head.index("Tình trạng báo cáo")
        table = out.setdefault(target.code, {})
        for row in rows[head_at + 1:]:
            code = by_name.get(row[name_col])
            if code is not None and isinstance(row[0], int):
                table[code] = (row[den], row[num], row[status])
    return out


def check_export(plan: Plan, oracle: Oracle, week: str, now: datetime, what: str,
                 got: dict[str, dict[str, tuple]], problems: list[str]) -> None:
    """A row per child of the district under which the target counts a unit (#14): the sums of
    its subtree and "sent/expected đã nộp"; a child that is the only unit counted under it shows
    its own status instead."""
    root = plan.district
    children = [u.code for u in plan.units if u.parent == root]
    for t in plan.targets:
        units = oracle.expected(t, week, root)
        rows = {}
        for child in [root, *children]:
            mine = [c for c in units if (c == root if child == root else oracle.under(c, child))]
            if mine:
                rows[child] = mine
        have = got.get(t.code, {})
        if set(have) != set(rows):
            problems.append(f"{week} {what} {t.code}: rows API {sorted(have)}, oracle "
                            f"{sorted(rows)}")
        for c in set(have) & set(rows):
            mine = rows[c]
            s = oracle.sums(t, week, mine)
            d, n, status = have[c]
            # empty, or "—" in the .xlsx where a unit has no figure yet: nothing, counted as 0
            d = 0 if d in ("", None, "—") else int(d)
            n = 0 if n in ("", None, "—") else int(n)
            if mine == [c]:
                ok = status in STATUS_VI[oracle.status(c, week, now)]
                want_status = oracle.status(c, week, now)
            else:
                want_status = f"{s['counted']}/{len(mine)} đã nộp"
                ok = status == want_status
            if (d, n) != (s["denominator"], s["numerator"]) or not ok:
                problems.append(f"{week} {what} {t.code} {c}: API ({d}, {n}, {status}), oracle "
                                f"({s['denominator']}, {s['numerator']}, {want_status}) "
                                f"(units {mine})")


def check_template(plan: Plan, oracle: Oracle, week: str, data: bytes,
                   problems: list[str]) -> None:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    codes = {u.code for u in plan.units}
    metric_of: dict[int, str] = {}
    for row in rows[:3]:  # a heading row, maybe a second one with the codes
        for i, cell in enumerate(row):
            for code, name in NAMES.items():
                if cell and (code in cell or name in cell):
                    metric_of.setdefault(i, code)
    seen = {}
    for row in rows:
        unit = next((cell for cell in row if cell in codes), None)
        if unit is not None:
            seen[unit] = row
    reporting = {c for c in oracle.expected_any(week, plan.district)
                 if any(oracle.kind[c] in m["unit_kinds"] for m in plan.metrics
                        if not m.get("is_baseline"))}
    if set(seen) != reporting:
        problems.append(f"{week} template units: API {sorted(seen)}, oracle {sorted(reporting)}")
    previous = week_of(monday(week) - timedelta(days=7))
    for unit, row in seen.items():
        for i, metric in metric_of.items():
            if i >= len(row) or row[i].strip() == "":
                continue
            allowed = {oracle.figure(unit, metric, week), oracle.figure(unit, metric, previous)}
            if int(row[i]) not in allowed:
                problems.append(f"{week} template {unit} {metric}: shows {row[i]}, figures at "
                                f"{previous}/{week} are {sorted(map(str, allowed))}")


def check_series_and_leaderboard(api: Api, plan: Plan, oracle: Oracle, current: str,
                                 problems: list[str]) -> None:
    root = plan.district
    weeks = [w for w in plan.weeks if w <= current]
    body = api.call("GET", "/progress/series",
                    params={"campaign": plan.prefix, "under": root}).json()
    got = {t["code"]: {p["period"]: p for p in t["points"]} for t in body["targets"]}
    for t in plan.targets:
        for week in weeks:
            units = oracle.expected(t, week, root)
            s = oracle.sums(t, week, units)
            point = got.get(t.code, {}).get(week)
            if point is None:
                if units:
                    problems.append(f"series {t.code} {week}: no point, oracle {s}")
                continue
            if (point["numerator"], point["denominator"]) != (s["numerator"], s["denominator"]):
                problems.append(f"series {t.code} {week}: API ({point['numerator']}, "
                                f"{point['denominator']}), oracle ({s['numerator']}, "
                                f"{s['denominator']})")
        extra = set(got.get(t.code, {})) - set(weeks)
        if extra:
            problems.append(f"series {t.code}: points beyond the current week {sorted(extra)}")

    r = api.client.get(f"{V1}/public/leaderboard/{plan.prefix}")
    assert r.status_code == 200, r.text
    body = r.json()
    if body["period"] != current:
        problems.append(f"leaderboard period {body['period']}, oracle {current}")
    boards = {t["code"]: {u["unit"]: (u["ratio"], u["rank"]) for u in t["units"]}
              for t in body["targets"]}
    for t in plan.targets:
        units = oracle.expected(t, current, root)
        ratios = {c: ratio3(oracle.figure(c, t.numerator, current) or 0,
                            oracle.figure(c, t.denominator, current) or 0) for c in units}
        order = sorted(units, key=lambda c: (ratios[c] is None, -(ratios[c] or 0.0), c))
        want, prev = {}, None
        for i, c in enumerate(order):
            if ratios[c] is None:
                want[c] = (None, None)
            else:
                rank = prev[1] if prev and prev[0] == ratios[c] else i + 1
                want[c] = (ratios[c], rank)
                prev = (ratios[c], rank)
        have = boards.get(t.code, {})
        if have != want:
            diff = {c: (have.get(c), want.get(c)) for c in set(have) | set(want)
                    if have.get(c) != want.get(c)}
            problems.append(f"leaderboard {t.code} {current}: (API, oracle) {diff}")


def current_week(plan: Plan) -> str:
    week = week_of(plan.now.astimezone(TZ).date())
    return min(max(week, plan.weeks[0]), plan.weeks[-1])


def run_plan(client, clock, session, plan: Plan) -> None:  # noqa: ANN001
    note(plan.summary())
    api = Api(client, clock, hn_admin(session))
    oracle = Oracle(plan)
    problems: list[str] = []
    build(api, plan, oracle, problems)
    api.at(plan.now)
    current = current_week(plan)
    for week in plan.weeks:
        if week <= current:
            check_week(api, plan, oracle, week, problems)
    check_series_and_leaderboard(api, plan, oracle, current, problems)
    checked, differences = check_figures(session, plan.prefix)
    problems += [f"kept total {d.unit_id} {d.week} {d.what}: kept {d.kept}, live "
                 f"{d.live}" for d in differences]
    if not checked and any(u.parent != plan.district and u.created <= plan.now
                           for u in plan.units):
        problems.append("no subtree total was kept, though the district has grandchildren")
    if problems:
        shown = "\n".join(problems[:60])
        raise AssertionError(f"{len(problems)} disagreements with the oracle:\n{shown}\n"
                             f"--- the example:\n{plan.summary()}")


EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "15"))
PHASES = ([Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
          if os.environ.get("ORACLE_SHRINK") == "1"
          else [Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
# CI replays the same examples every run (a failure there is reproducible); elsewhere each run
# explores new ones.
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, phases=PHASES, database=None,
                    derandomize=os.environ.get("CI") == "true",
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(plan=plans(over_time=True))
def test_every_week_agrees_with_the_oracle(client, clock, session, plan):  # noqa: ANN001
    """Units opened and closed at random weeks: the whole of #12's "units over time"."""
    run_plan(client, clock, session, plan)


@settings(SETTINGS, max_examples=max(3, EXAMPLES // 3))
@given(plan=plans(over_time=False))
def test_every_week_agrees_with_the_oracle_units_never_closed(client, clock, session,
                                                              plan):  # noqa: ANN001
    """Every unit open for the whole campaign: the figures engine alone."""
    run_plan(client, clock, session, plan)


def _carried_from_an_agency() -> Plan:
    """A random example that once disagreed (session 6): a commune (S2) made from 75 % of an
    agency (C1), which never sends residents' accounts. Its carried report has none, so the
    import template's "last week" must show none, not 0."""
    p, kinds = "ORX-CARRY", ["agency", "commune", "public_service", "school"]

    def at(m: int, d: int, h: int, mi: int) -> datetime:
        return datetime(2025, m, d, h, mi, tzinfo=TZ)

    def unit(code: str, kind: str, parent: str, opened: date | None, created: datetime,
             close: tuple[date, datetime] | None = None, successor: bool = False) -> UnitPlan:
        return UnitPlan(f"{p}-{code}", kind, parent, opened, created, *(close or (None, None)),
                        successor=successor)

    def report(code: str, week: int, when: datetime, values: tuple[int, ...],
               correction: tuple[datetime, tuple[int, ...]] | None = None) -> ReportPlan:
        keys = ("staff_total", "staff_installed", "residents_accounts")
        r = ReportPlan(f"{p}-{code}", f"2025-W{week}", when, dict(zip(keys, values, strict=False)))
        if correction:
            r.correction = (correction[0], dict(zip(keys, correction[1], strict=False)))
        return r

    d, c0, c1 = f"{p}-D", f"{p}-C0", f"{p}-C1"
    plan = Plan(p, d, date(2025, 10, 4), date(2025, 11, 23), [f"2025-W{n}" for n in range(40, 48)],
                at(9, 15, 9, 0), at(11, 30, 15, 0), [
                    unit("C0", "commune", d, None, at(9, 15, 9, 1),
                         (date(2025, 11, 20), at(11, 21, 9, 53))),
                    unit("C0-0", "school", c0, date(2025, 8, 16), at(9, 15, 9, 2),
                         (date(2025, 10, 17), at(10, 17, 9, 30))),
                    unit("C0-1", "village", c0, None, at(9, 15, 9, 2)),
                    unit("C1", "agency", d, None, at(9, 15, 9, 1)),
                    unit("C1-0", "school", c1, None, at(9, 15, 9, 2)),
                    unit("C1-1", "public_service", c1, date(2025, 9, 29), at(9, 15, 9, 2),
                         (date(2025, 10, 19), at(10, 24, 9, 20))),
                    unit("S1", "commune", d, date(2025, 11, 3), at(11, 6, 11, 17), None, True),
                    unit("S2", "commune", d, date(2025, 11, 3), at(11, 6, 11, 17), None, True)],
                [{"code": "staff_total", "name": NAMES["staff_total"], "unit_kinds": kinds},
                 {"code": "staff_installed", "name": NAMES["staff_installed"],
                  "unit_kinds": kinds},
                 {"code": "residents_total", "name": NAMES["residents_total"],
                  "unit_kinds": ["commune"], "is_baseline": True},
                 {"code": "residents_accounts", "name": NAMES["residents_accounts"],
                  "unit_kinds": ["commune"]}],
                [TargetPlan("staff", "staff_installed", "staff_total", kinds),
                 TargetPlan("residents", "residents_accounts", "residents_total", ["commune"])],
                {c0: 835})
    plan.reorg = ReorgPlan(date(2025, 11, 3), at(11, 6, 11, 17),
                           [("merge", [c0], [(f"{p}-S1", 1.0)]),
                            ("split", [c1], [(f"{p}-S1", 0.25), (f"{p}-S2", 0.75)])],
                           {f"{p}-S1": 2433, f"{p}-S2": 276})
    plan.reports = [
        report("C1", 40, at(10, 2, 1, 18), (16, 9), (at(10, 2, 3, 30), (9, 9))),
        report("C1-1", 40, at(10, 3, 13, 36), (26, 0)),
        report("C1-1", 41, at(10, 10, 16, 55), (19, 14)),
        report("C1-1", 42, at(10, 15, 14, 44), (29, 8), (at(10, 15, 15, 33), (29, 14))),
        report("C0-0", 42, at(10, 16, 5, 9), (34, 16)),
        report("C0", 42, at(10, 16, 9, 35), (29, 24, 463)),
        report("C1", 42, at(10, 16, 19, 17), (23, 19)),
        report("C1-1", 43, at(10, 22, 16, 44), (59, 23), (at(10, 23, 0, 10), (16, 10))),
        report("C0", 43, at(10, 23, 9, 32), (4, 2, 104), (at(10, 23, 9, 46), (30, 20, 513))),
        report("C1-1", 44, at(10, 28, 15, 45), (2, 1), (at(10, 30, 5, 58), (51, 29))),
        report("C0-0", 43, at(11, 4, 2, 2), (26, 20), (at(11, 20, 4, 15), (3, 0))),
        report("C0", 45, at(11, 4, 6, 29), (16, 5, 168), (at(11, 4, 6, 29), (44, 39, 36))),
        report("S1", 40, at(11, 6, 11, 18), (51, 14, 2110)),
        report("S1", 42, at(11, 6, 11, 18), (52, 37, 479)),
        report("S1", 43, at(11, 6, 11, 18), (50, 7, 242), (at(11, 18, 15, 13), (36, 18, 15))),
        report("S2", 42, at(11, 6, 11, 18), (22, 5, 254)),
        report("S2", 43, at(11, 6, 11, 18), (50, 38, 146), (at(11, 20, 4, 8), (38, 32, 2890))),
        report("S2", 44, at(11, 6, 11, 18), (7, 1, 576), (at(11, 11, 10, 28), (11, 10, 20))),
        report("C1", 45, at(11, 7, 17, 12), (11, 7)),
        report("S1", 45, at(11, 8, 12, 18), (37, 26, 1429)),
        report("C1-0", 46, at(11, 12, 16, 36), (25, 10)),
        report("C0", 46, at(11, 13, 13, 3), (46, 34, 254)),
        report("C1", 46, at(11, 13, 13, 51), (44, 14), (at(11, 13, 14, 18), (43, 41))),
        report("S1", 46, at(11, 13, 19, 54), (37, 1, 2164)),
        report("S2", 46, at(11, 16, 6, 40), (10, 1, 378)),
        report("C1", 47, at(11, 19, 6, 39), (49, 11)),
        report("C0-0", 47, at(11, 20, 12, 25), (6, 0), (at(11, 20, 13, 44), (51, 51)))]
    return plan


@settings(SETTINGS, max_examples=max(3, EXAMPLES // 2))
@given(plan=plans(over_time=True, reorg=True))
@example(plan=_carried_from_an_agency())
def test_every_week_agrees_with_the_oracle_across_reorganisations(client, clock, session,
                                                                  plan):  # noqa: ANN001
    """#17: a merge, a split with a share, or both, on a random date: predecessors close,
    successors open and carry their shares until they report."""
    run_plan(client, clock, session, plan)


@pytest.fixture(autouse=True)
def _fresh_users() -> None:
    _USERS.clear()
