"""The set-based sums behind GET /progress against a straightforward computation (every unit,
every report, in Python) on a hand-built tree: a unit that never reported, stale units carried
forward (one of them falling back before the pace's base week), a unit over 100 %, an inactive
unit, a report without its denominator, a baseline denominator, the root counted itself, a
target for a single unit, two targets with the same figures, and a unit outside the subtree
whose path begins with the root's path as text."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tiendo.campaigns.models import Baseline, Metric
from tiendo.campaigns.schemas import CampaignCreate, TargetCreate
from tiendo.campaigns.service import insert_campaign, insert_target
from tiendo.core.periods import Week
from tiendo.demo.seed import METRICS, STAFF_KINDS
from tiendo.figures.subtree import Child, Sums, sums_by_target
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

W = {n: Week(2024, n) for n in range(1, 30)}
AT = datetime(2024, 3, 1, tzinfo=UTC)
# (staff_total, staff_installed, residents_accounts or None) per unit and week.
REPORTS = {
    "R": {10: (10, 5, None), 16: (10, 8, None)},
    "A": {n: (40, 2 * n, 100 * n) for n in range(10, 17)},
    "A1": {16: (5, 5, None)},  # a village: no target counts it
    "C": {10: (30, 3, None), 11: (30, 6, None), 14: (30, 12, None)},
    "D": {15: (20, 18, None), 16: (20, 25, None)},  # more installed than staff
    "E1": {15: (50, 10, None)},
    "F": {16: (60, 60, None)},  # inactive
    "X": {16: (70, 70, None)},  # outside the subtree
}


def add_unit(session, code: str, kind: str, parent: Unit | None, active: bool = True,  # noqa: ANN001
             unit_id: int | None = None) -> Unit:
    # An inactive unit closed long before the campaign: no week expects it.
    unit = Unit(id=unit_id, code=code, name=f"Đơn vị {code}", kind=kind, active=active,
                closed_on=None if active else date(2020, 1, 1),
                parent_id=parent.id if parent else None, path="?",
                depth=parent.depth + 1 if parent else 0)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.flush()
    return unit


@pytest.fixture
def world(session):  # noqa: ANN001, ANN201
    district = session.exec(select(Unit).where(Unit.code == "HN-GL")).one()
    campaign = insert_campaign(session, CampaignCreate(
        code="sums-test", name="Thử tổng hợp", owner="HN-GL", start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 29), metrics=METRICS), district)
    metric = {m.code: m.id for m in session.exec(
        select(Metric).where(Metric.campaign_id == campaign.id))}
    u: dict[str, Unit] = {}
    # Ids chosen so that X's path starts with R's path as text ("/…/98765" and "/…/987650").
    u["R"] = add_unit(session, "T-SUMS-R", "agency", district, unit_id=98765)
    u["X"] = add_unit(session, "T-SUMS-X", "school", district, unit_id=987650)
    u["A"] = add_unit(session, "T-SUMS-A", "commune", u["R"])
    u["A1"] = add_unit(session, "T-SUMS-A1", "village", u["A"])
    u["B"] = add_unit(session, "T-SUMS-B", "commune", u["R"])  # never reports
    for name in "CDG":
        u[name] = add_unit(session, f"T-SUMS-{name}", "school", u["R"])
    u["E"] = add_unit(session, "T-SUMS-E", "agency", u["R"])  # never reports itself
    u["E1"] = add_unit(session, "T-SUMS-E1", "school", u["E"])
    u["F"] = add_unit(session, "T-SUMS-F", "school", u["R"], active=False)
    for name, population in (("A", 1000), ("B", 300)):
        session.add(Baseline(campaign_id=campaign.id, metric_id=metric["residents_total"],
                             unit_id=u[name].id, value=population))
    weekly = dict(REPORTS, G={16: (None, 7, None)})  # G's report lacks its denominator
    for name, weeks in weekly.items():
        for n, (total, installed, accounts) in weeks.items():
            report = Report(campaign_id=campaign.id, unit_id=u[name].id, period=str(W[n]),
                            timeliness="on_time", received_at=AT)
            session.add(report)
            session.flush()
            for code, value in (("staff_total", total), ("staff_installed", installed),
                                ("residents_accounts", accounts)):
                if value is not None:
                    session.add(ReportValue(report_id=report.id, metric_id=metric[code],
                                            value=value))
    targets = {}
    for code, num, den, kinds, unit, goal in (
            ("staff", "staff_installed", "staff_total", STAFF_KINDS, None, 1.0),
            ("staff_again", "staff_installed", "staff_total", STAFF_KINDS, None, 0.9),
            ("residents", "residents_accounts", "residents_total", ["commune"], None, 1.0),
            ("only_d", "staff_installed", "staff_total", [], u["D"], 1.0),
            ("nobody", "staff_installed", "staff_total", ["party"], None, 1.0)):
        targets[code] = insert_target(session, campaign, TargetCreate(
            campaign=campaign.code, code=code, name=code, numerator=num, denominator=den,
            goal_ratio=goal, deadline=date(2024, 6, 30), unit_kinds=kinds,
            unit=unit.code if unit else None), unit)
    session.flush()
    return campaign, u, targets


def naive(session, campaign, targets, root: Unit, week: Week,  # noqa: ANN001
          base_week: Week | None) -> dict[int, dict[str, Sums]]:
    """Every unit of the subtree and every report of the campaign, read and summed in Python."""
    units = [x for x in session.exec(select(Unit)) if x.path.startswith(root.path)]
    reports = session.exec(select(Report).where(Report.campaign_id == campaign.id)).all()
    values = {(v.report_id, v.metric_id): v.value for v in session.exec(select(ReportValue))}
    baselines = {(b.unit_id, b.metric_id): b.value for b in session.exec(select(Baseline))}

    def latest(unit: Unit, upto: Week | None) -> Report | None:
        mine = [r for r in reports if r.unit_id == unit.id and upto and r.period <= str(upto)]
        return max(mine, key=lambda r: r.period, default=None)

    out: dict[int, dict[str, Sums]] = {}
    for t in targets:
        out[t.id] = by_child = {}
        for unit in units:
            counted = unit.id == t.unit_id if t.unit_id else unit.kind in t.unit_kinds
            if not (counted and unit.active):
                continue
            s = by_child.setdefault(unit.path[len(root.path):].split("/")[0], Sums())
            report, base = latest(unit, week), latest(unit, base_week)
            s.expected += 1
            if report is None:
                s.missing += 1
            elif report.period == str(week):
                s.fresh += 1
            else:
                s.stale += 1
            if report is not None:
                s.oldest_period = min(filter(None, (s.oldest_period, report.period)))
            s.numerator += values.get((report.id, t.numerator_metric_id), 0) if report else 0
            den = values.get((report.id, t.denominator_metric_id)) if report else None
            s.denominator += den if den is not None else baselines.get(
                (unit.id, t.denominator_metric_id), 0)
            s.base_numerator += values.get((base.id, t.numerator_metric_id), 0) if base else 0
    return out


@pytest.mark.parametrize("root_name", ["R", "A", "E"])
@pytest.mark.parametrize(("week", "base_week"), [(16, 13), (12, 9), (20, 17), (16, None),
                                                 (9, 6)])
def test_sums_match_a_straightforward_computation(session, world, root_name, week, base_week):  # noqa: ANN001
    campaign, units, targets = world
    root = units[root_name]
    week, base_week = W[week], W[base_week] if base_week else None
    got = sums_by_target(session, campaign, list(targets.values()), root, week, base_week)
    assert got.by_target == naive(session, campaign, targets.values(), root, week, base_week)
    for key in {k for by_child in got.by_target.values() for k in by_child if k}:
        child = session.get(Unit, int(key))
        assert got.children[key] == Child(child.id, child.code, child.name, child.kind)


def test_hand_computed_figures_under_the_root(session, world):  # noqa: ANN001
    """The rules spelled out once, for W16 with the pace from W13."""
    campaign, u, targets = world
    got = sums_by_target(session, campaign, list(targets.values()), u["R"], W[16], W[13])
    staff = got.by_target[targets["staff"].id]
    key = {name: str(u[name].id) for name in u}
    # R itself: fresh 8/10, its pace from W10 (before W13, carried forward).
    assert staff[""] == Sums(1, 1, 0, 0, 8, 10, "2024-W16", 5)
    assert staff[key["A"]] == Sums(1, 1, 0, 0, 32, 40, "2024-W16", 26)  # its village not counted
    assert staff[key["B"]] == Sums(1, 0, 0, 1, 0, 0, None, 0)  # never reported, no baseline
    assert staff[key["C"]] == Sums(1, 0, 1, 0, 12, 30, "2024-W14", 6)  # stale; W13 ← W11
    assert staff[key["D"]] == Sums(1, 1, 0, 0, 25, 20, "2024-W16", 0)  # over 100 %
    assert staff[key["E"]] == Sums(2, 0, 1, 1, 10, 50, "2024-W15", 0)  # E missing, E1 stale
    assert staff[key["G"]] == Sums(1, 1, 0, 0, 7, 0, "2024-W16", 0)  # no denominator
    assert key["F"] not in staff and key["X"] not in staff  # inactive; outside the subtree
    assert got.by_target[targets["staff_again"].id] == staff
    residents = got.by_target[targets["residents"].id]
    assert residents == {key["A"]: Sums(1, 1, 0, 0, 1600, 1000, "2024-W16", 1300),
                         key["B"]: Sums(1, 0, 0, 1, 0, 300, None, 0)}
    assert got.by_target[targets["only_d"].id] == {key["D"]: staff[key["D"]]}
    assert got.by_target[targets["nobody"].id] == {}
    assert got.total(targets["staff"].id) == Sums(8, 4, 2, 2, 94, 150, "2024-W14", 37)
