"""Progress on hand-computed cases (fresh units whose every number we know) and on the demo."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from conftest import assert_error
from factories import new_unit, staff_report
from tiendo.campaigns.models import Baseline, Campaign, Target
from tiendo.progress.schemas import ProgressPublic, Status
from tiendo.progress.service import forecast_of, status_of
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

HN = ZoneInfo("Asia/Ho_Chi_Minh")
# (staff_total, staff_installed) per week of ihanoi-2024; C never reports, P (the parent) neither.
FIGURES = {
    "A": {"2024-W30": (40, 20), "2024-W31": (40, 30), "2024-W32": (40, 34), "2024-W33": (40, 40)},
    "B": {"2024-W30": (50, 10), "2024-W31": (50, 20)},
    "C": {},
    "D": {"2024-W32": (20, 5), "2024-W33": (20, 10)},
}


@pytest.fixture
def admin(auth):
    return auth("admin")


@pytest.fixture
def tree(client, admin, clock):
    """A fresh agency P with public-service units A, B, C, D under it, reported as FIGURES;
    A sends W33 on time (before Thursday 15:00), every other report arrives late."""
    parent = new_unit(client, admin, "agency")
    units = {"P": parent}
    for name, weeks in FIGURES.items():
        units[name] = new_unit(client, admin, "public_service", parent=parent["code"])
        for period, (total, installed) in weeks.items():
            on_time = name == "A" and period == "2024-W33"
            if on_time:
                clock.set(datetime(2024, 8, 15, 10, 0, tzinfo=HN))
            r = client.post("/api/v1/reports", headers=admin,
                            json=staff_report(units[name]["code"], period, total, installed))
            assert r.status_code == 201, r.text
            clock.set(datetime(2024, 9, 5, 10, 0, tzinfo=HN))
    return units


def get_progress(client, headers, **params):
    r = client.get("/api/v1/progress", headers=headers,
                   params={"campaign": "ihanoi-2024", **params})
    assert r.status_code == 200, r.text
    return r.json()


def target(body, code):
    return next(t for t in body["targets"] if t["code"] == code)


def test_hand_computed_subtree_with_stale_and_missing_units(client, admin, tree):
    body = get_progress(client, admin, under=tree["P"]["code"], period="2024-W33")
    assert body["under"]["code"] == tree["P"]["code"] and body["period"] == "2024-W33"
    assert [t["code"] for t in body["targets"]] == ["staff"]  # no commune under P
    staff = target(body, "staff")
    # A 40/40 this week, B 20/50 carried from W31, D 10/20, C and P never reported.
    assert (staff["numerator"], staff["denominator"]) == (70, 110)
    assert staff["ratio"] == 0.636 and staff["remaining"] == 40 and staff["over_100"] is False
    assert (staff["units_expected"], staff["units_counted"], staff["units_stale"],
            staff["units_missing"]) == (5, 2, 1, 2)
    # Pace over W30→W33: (70 − 30) / 3; 40 to go at 13.3/week = 3 weeks from Thu 15/08, on
    # 05/09: after the campaign's end (01/09), so no date is given: not reached at this pace.
    assert staff["weekly_pace"] == 13.3
    assert forecast_of(date(2024, 8, 15), 40, 40 / 3) == date(2024, 9, 5)
    assert staff["forecast_date"] is None
    # Deadline 26/07 had passed on 15/08 without the target met.
    assert staff["status"] == "behind" and staff["upstream_status"] == "behind"
    assert staff["official"] is None
    children = {c["unit"]: c for c in staff["children"]}
    a, b, c, d = (children[tree[n]["code"]] for n in "ABCD")
    assert tree["P"]["code"] not in children
    assert (a["numerator"], a["denominator"], a["ratio"], a["status"], a["stale"]) == \
        (40, 40, 1.0, "met", False)
    assert (b["numerator"], b["denominator"], b["stale"], b["last_period"]) == \
        (20, 50, True, "2024-W31")
    assert (c["numerator"], c["denominator"], c["ratio"], c["last_period"], c["rank"]) == \
        (0, 0, None, None, None)
    assert (d["ratio"], d["remaining"], d["last_period"]) == (0.5, 10, "2024-W33")
    assert [x["unit"] for x in staff["children"]] == [tree[n]["code"] for n in "ADBC"]
    assert [x["rank"] for x in staff["children"]] == [1, 2, 3, None]


def test_skipped_week_is_carried_forward(client, admin, tree):
    w34 = target(get_progress(client, admin, under=tree["P"]["code"], period="2024-W34"), "staff")
    assert (w34["numerator"], w34["denominator"]) == (70, 110)
    assert (w34["units_counted"], w34["units_stale"], w34["units_missing"]) == (0, 3, 2)
    assert all(c["stale"] for c in w34["children"] if c["last_period"])
    w30 = target(get_progress(client, admin, under=tree["P"]["code"], period="2024-W30"), "staff")
    # D had not reported yet: it counts as missing, with no denominator.
    assert (w30["numerator"], w30["denominator"], w30["units_missing"]) == (30, 90, 3)


@pytest.mark.parametrize(("deadline", "upstream", "status", "upstream_status"), [
    ("2024-09-05", "2024-09-14", "on_track", "on_track"),  # forecast falls on the deadline
    ("2024-08-30", "2024-09-14", "at_risk", "on_track"),   # 6 days late: within a week
    ("2024-08-29", "2024-09-05", "at_risk", "on_track"),   # 7 days late: still at risk
    ("2024-08-28", "2024-08-28", "behind", "behind"),      # 8 days late
])
def test_status_against_deadlines(client, auth, admin, tree, deadline, upstream, status,
                                  upstream_status):
    manager = auth("vanphong")
    staff_id = target(get_progress(client, admin, period="2024-W33"), "staff")["target_id"]
    r = client.patch(f"/api/v1/targets/{staff_id}", headers=manager,
                     json={"deadline": deadline, "upstream_deadline": upstream})
    assert r.status_code == 200, r.text
    staff = target(get_progress(client, admin, under=tree["P"]["code"], period="2024-W33"),
                   "staff")
    assert (staff["status"], staff["upstream_status"]) == (status, upstream_status)
    children = {c["unit"]: c["status"] for c in staff["children"]}
    assert children[tree["A"]["code"]] == "met"
    assert children[tree["C"]["code"]] == "behind"  # nothing known, nothing moving


def test_no_forecast_beyond_the_campaigns_end():
    ref, end = date(2024, 8, 15), date(2024, 9, 1)
    assert forecast_of(ref, 20, 10.0, end) == date(2024, 8, 29)
    assert forecast_of(ref, 24, 10.0, end) == date(2024, 9, 1)  # on the last day: still shown
    assert forecast_of(ref, 25, 10.0, end) is None  # one day later: not reached at this pace
    assert forecast_of(ref, 1000, 10.0, end) is None  # not "reached in 2026"
    assert forecast_of(ref, 1000, 10.0) == date(2026, 7, 16)


def test_status_rule_boundaries():
    ref, deadline = date(2024, 8, 15), date(2024, 8, 30)
    assert status_of(1.0, 100, 100, None, ref, deadline) == Status.met
    assert status_of(0.95, 95, 100, None, ref, deadline) == Status.met
    assert status_of(1.0, 50, 100, date(2024, 8, 30), ref, deadline) == Status.on_track
    assert status_of(1.0, 50, 100, date(2024, 9, 6), ref, deadline) == Status.at_risk
    assert status_of(1.0, 50, 100, date(2024, 9, 7), ref, deadline) == Status.behind
    assert status_of(1.0, 50, 100, None, ref, deadline) == Status.behind  # no pace
    assert status_of(1.0, 0, 0, None, ref, deadline) == Status.behind  # nothing known
    assert status_of(1.0, 50, 100, date(2024, 8, 20), date(2024, 8, 31), deadline) == \
        Status.behind  # the deadline has passed


def test_over_100_and_unit_that_never_reported_uses_its_baseline(client, auth, admin):
    manager = auth("vanphong")
    before = target(get_progress(client, admin, period="2024-W33"), "residents")
    reported, silent = new_unit(client, admin, "commune"), new_unit(client, admin, "commune")
    for unit, population in ((reported, 100), (silent, 300)):
        r = client.put("/api/v1/baselines", headers=manager, json={
            "campaign": "ihanoi-2024", "unit": unit["code"], "metric": "residents_total",
            "value": population})
        assert r.status_code == 200, r.text
    body = staff_report(reported["code"], "2024-W33", 10, 5)
    body["values"]["residents_accounts"] = 120  # more accounts than the (wrong) population
    assert client.post("/api/v1/reports", headers=admin, json=body).status_code == 201

    after = target(get_progress(client, admin, period="2024-W33"), "residents")
    assert after["numerator"] - before["numerator"] == 120
    assert after["denominator"] - before["denominator"] == 400
    assert after["units_missing"] - before["units_missing"] == 1
    assert after["units_counted"] - before["units_counted"] == 1
    children = {c["unit"]: c for c in after["children"]}
    over = children[reported["code"]]
    assert (over["ratio"], over["over_100"], over["status"], over["rank"]) == (1.2, True, "met", 1)
    never = children[silent["code"]]
    assert (never["numerator"], never["denominator"], never["ratio"], never["last_period"]) == \
        (0, 300, 0.0, None)
    alone = target(get_progress(client, admin, under=reported["code"], period="2024-W33"),
                   "residents")
    assert (alone["ratio"], alone["over_100"], alone["remaining"]) == (1.2, True, 0)
    assert alone["children"] == []


def _naive_latest(session, campaign_code, period):
    """An independent, slow computation: every report of the campaign, latest per unit."""
    campaign = session.exec(select(Campaign).where(Campaign.code == campaign_code)).one()
    district = session.exec(select(Unit).where(Unit.code == "HN-GL")).one()
    out = {}
    for t in session.exec(select(Target).where(Target.campaign_id == campaign.id)):
        units = session.exec(select(Unit).where(Unit.kind.in_(t.unit_kinds), Unit.active,
                                                Unit.path.startswith(district.path))).all()
        num = den = fresh = stale = missing = 0
        for u in units:
            reports = session.exec(select(Report).where(
                Report.campaign_id == campaign.id, Report.unit_id == u.id,
                Report.period <= period).order_by(Report.period.desc())).all()
            baseline = session.exec(select(Baseline.value).where(
                Baseline.unit_id == u.id, Baseline.metric_id == t.denominator_metric_id)).first()
            if not reports:
                missing += 1
                den += baseline or 0
                continue
            values = {v.metric_id: v.value for v in session.exec(
                select(ReportValue).where(ReportValue.report_id == reports[0].id))}
            num += values.get(t.numerator_metric_id, 0)
            den += values.get(t.denominator_metric_id, baseline or 0)
            fresh, stale = (fresh + 1, stale) if reports[0].period == period else (fresh, stale + 1)
        out[t.code] = (num, den, len(units), fresh, stale, missing)
    return out


@pytest.mark.parametrize(("campaign", "period"), [("ihanoi-2024", "2024-W29"),
                                                   ("ihanoi-2024", "2024-W33"),
                                                   ("ihanoi-live", "2024-W36")])
def test_demo_district_sums_match_a_naive_computation(client, auth, session, campaign, period):
    body = get_progress(client, auth("lanhdao"), campaign=campaign, period=period)
    assert body["under"]["code"] == "HN-GL"
    expected = _naive_latest(session, campaign, period)
    for t in body["targets"]:
        got = (t["numerator"], t["denominator"], t["units_expected"], t["units_counted"],
               t["units_stale"], t["units_missing"])
        assert got == expected[t["code"]]
        assert t["ratio"] == round(t["numerator"] / t["denominator"], 3)
        assert sum(c["numerator"] for c in t["children"]) == t["numerator"]
        assert sum(c["denominator"] for c in t["children"]) == t["denominator"]
    assert target(body, "staff")["units_expected"] == 139


def test_official_count_beside_the_reported_sum(client, auth):
    viewer = auth("lanhdao")
    w30 = target(get_progress(client, viewer, period="2024-W30"), "residents")
    assert w30["official"] == {"value": 2850, "observed_at": "2024-07-23T08:06:00Z",
                               "source": "HANOI EIC", "period": "2024-W30",
                               "reported": w30["numerator"], "gap": 2850 - w30["numerator"]}
    # Weeks later the same count is still set against what units reported for week 30, not
    # against the week on screen.
    w35 = target(get_progress(client, viewer, period="2024-W35"), "residents")
    assert w35["numerator"] > w30["numerator"]
    assert (w35["official"]["period"], w35["official"]["reported"], w35["official"]["gap"]) == (
        "2024-W30", w30["numerator"], 2850 - w30["numerator"])
    # Observed on Tuesday of W30: not yet known at the end of W29, and not for other metrics.
    assert target(get_progress(client, viewer, period="2024-W29"), "residents")["official"] is None
    assert target(get_progress(client, viewer, period="2024-W30"), "staff")["official"] is None
    live = get_progress(client, viewer, campaign="ihanoi-live")
    assert target(live, "residents")["official"] is None  # recorded for ihanoi-2024 only


def test_periods_default_and_validation(client, auth):
    viewer = auth("lanhdao")
    # Now is 2024-W36: the finished campaign shows its last week, the live one this week.
    assert get_progress(client, viewer)["period"] == "2024-W35"
    live = get_progress(client, viewer, campaign="ihanoi-live")
    assert live["period"] == "2024-W36" and live["as_of"] == "2024-09-05T03:00:00Z"
    for period, code in (("2024-W20", "period_outside_campaign"),
                         ("2024-W53", "invalid_period")):
        r = client.get("/api/v1/progress", headers=viewer,
                       params={"campaign": "ihanoi-2024", "period": period})
        assert_error(r, 422, code, "period")
    r = client.get("/api/v1/progress", headers=viewer,
                   params={"campaign": "ihanoi-live", "period": "2024-W37"})
    assert_error(r, 422, "period_in_future", "period")
    assert_error(client.get("/api/v1/progress", headers=viewer, params={"campaign": "nope"}),
                 404, "campaign_not_found")


def test_access_follows_the_subtree(client, auth):
    assert_error(client.get("/api/v1/progress", params={"campaign": "ihanoi-2024"}), 401)
    daton = auth("daton")
    mine = get_progress(client, daton)
    assert mine["under"]["code"] == "GL-X-DATON"
    assert {t["code"] for t in mine["targets"]} == {"staff", "residents"}
    assert all(t["units_expected"] == 1 for t in mine["targets"])
    r = client.get("/api/v1/progress", headers=daton,
                   params={"campaign": "ihanoi-2024", "under": "GL-X-BATTRANG"})
    assert_error(r, 404, "unit_not_found", "under")
    agency = get_progress(client, auth("phongvhtt"))
    assert [t["code"] for t in agency["targets"]] == ["staff"]


def test_series_points_match_progress(client, admin, tree):
    r = client.get("/api/v1/progress/series", headers=admin,
                   params={"campaign": "ihanoi-2024", "under": tree["P"]["code"]})
    assert r.status_code == 200, r.text
    (staff,) = r.json()["targets"]
    assert [p["period"] for p in staff["points"]] == [f"2024-W{w}" for w in range(28, 36)]
    assert [p["numerator"] for p in staff["points"]] == [0, 0, 30, 50, 59, 70, 70, 70]
    assert [p["denominator"] for p in staff["points"]] == [0, 0, 90, 90, 110, 110, 110, 110]
    assert staff["points"][0]["ratio"] is None and staff["points"][5]["ratio"] == 0.636
    district = client.get("/api/v1/progress/series", headers=admin,
                          params={"campaign": "ihanoi-2024"}).json()
    for t in district["targets"]:
        point = t["points"][3]
        again = target(get_progress(client, admin, period=point["period"]), t["code"])
        assert (point["numerator"], point["denominator"]) == (again["numerator"],
                                                              again["denominator"])


def test_public_leaderboard_only_when_switched_on(client, admin):
    assert_error(client.get("/api/v1/public/leaderboard/ihanoi-2024"), 404,
                 "leaderboard_not_found")
    assert_error(client.get("/api/v1/public/leaderboard/no-such"), 404, "leaderboard_not_found")
    r = client.patch("/api/v1/campaigns/ihanoi-2024", headers=admin,
                     json={"public_leaderboard": True})
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/public/leaderboard/ihanoi-2024")
    assert r.status_code == 200, r.text
    body = r.json()
    assert "Cán bộ" not in r.text and "sender" not in r.text  # no personal data
    residents = next(t for t in body["targets"] if t["code"] == "residents")
    assert len(residents["units"]) == 22 and {u["kind"] for u in residents["units"]} == {"commune"}
    ratios = [u["ratio"] for u in residents["units"]]
    assert ratios == sorted(ratios, reverse=True)
    assert residents["units"][0]["rank"] == 1
    progress = target(get_progress(client, admin, period="2024-W35"), "residents")
    best = max(progress["children"], key=lambda c: c["ratio"])
    assert residents["units"][0]["ratio"] == best["ratio"]


def test_a_district_answer_is_its_published_schema_byte_for_byte(client, auth):
    """The children's rows are serialised without being validated again: read back through the
    published schema (ProgressPublic), the answer must come out the same, byte for byte."""
    r = client.get("/api/v1/progress", headers=auth("vanphong"), params={
        "campaign": "ihanoi-2024", "period": "2024-W30", "under": "HN-GL"})
    assert r.status_code == 200, r.text
    children = [c for t in r.json()["targets"] for c in t["children"]]
    assert len(children) > 20 and len({c["status"] for c in children}) > 1
    assert ProgressPublic.model_validate_json(r.content).model_dump_json().encode() == r.content
