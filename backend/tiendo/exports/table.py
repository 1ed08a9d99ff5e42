"""The weekly report to the city as one table per target: a row per direct child of `under`
(a district lists its communes, agencies and schools; a province its districts; the nation its
provinces), grouped by kind with subtotals and a total. A child's row is its whole subtree's
figures, the same sums as GET /progress (`sums_by_target`); a child that is itself the only unit
counted under it shows its own report (on time, late, not sent, carried from an earlier week).
`depth=2` adds each child's own children beneath it. The file grows with the children shown,
never with the units below them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar, is_open_on, reporting_status
from tiendo.campaigns.models import Campaign, Metric, Target
from tiendo.campaigns.service import get_campaign, metrics_of, targets_of
from tiendo.core.periods import Week
from tiendo.figures.kept import sums_by_target
from tiendo.figures.subtree import Counted, SubtreeSums, Sums, sums_by_counted
from tiendo.progress.schemas import OfficialFigure
from tiendo.progress.service import (
    latest_officials,
    official_figure,
    ratio_of,
    remaining_of,
    reported_at_official_weeks,
)
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.service import resolve_under

# Groups in the order a district report lists them.
KIND_GROUPS = {
    "agency": "Cơ quan chuyên môn",
    "public_service": "Đơn vị sự nghiệp công lập",
    "school": "Trường học",
    "party": "Khối Đảng",
    "mass_org": "MTTQ và các tổ chức chính trị - xã hội",
    "commune": "UBND các xã, thị trấn",
    "village": "Thôn, tổ dân phố",
    "district": "Quận, huyện, thị xã",
    "city": "Tỉnh, thành phố",
}
REPORTING_VI = {"on_time": "đúng hạn", "late": "muộn", "missing": "chưa nộp",
                "pending": "chưa nộp"}


@dataclass
class Line:
    """A child's row (its subtree's figures), or a subtotal / total (code empty)."""

    code: str
    name: str
    denominator: int | None
    numerator: int
    goal: float
    reporting: str = ""
    received_at: datetime | None = None  # local time, naive (as spreadsheets want it)
    note: str = ""
    # The campaign's other metrics (broadcasts, posters, meetings…) as of the same week; None
    # where the unit does not report that metric or has no figure for it.
    others: list[int | None] = field(default_factory=list)
    units: int = 1  # units counted in the row, and how many of them sent this week's report
    sent: int = 0
    sub: list[Line] = field(default_factory=list)  # with depth=2: the child's own children

    @property
    def ratio(self) -> float | None:
        return ratio_of(self.numerator, self.denominator or 0)

    @property
    def remaining(self) -> int:
        return remaining_of(self.goal, self.numerator, self.denominator or 0)


def summed(name: str, lines: list[Line], goal: float) -> Line:
    """A subtotal or total; its reporting column says how many of its units sent this week."""
    sent, units = sum(x.sent for x in lines), sum(x.units for x in lines)
    width = max((len(x.others) for x in lines), default=0)
    others = [sum(x.others[i] or 0 for x in lines) for i in range(width)]
    return Line("", name, sum(x.denominator or 0 for x in lines),
                sum(x.numerator for x in lines), goal, f"{sent}/{units} đã nộp",
                others=others, units=units, sent=sent)


@dataclass
class Group:
    kind: str
    label: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Sheet:
    code: str
    name: str
    numerator_label: str
    denominator_label: str
    deadline: date
    groups: list[Group]
    total: Line
    official: str | None = None  # the outside count against that week's reported sum
    other_labels: list[str] = field(default_factory=list)  # names of `Line.others`


@dataclass
class WeeklyReport:
    campaign: str
    campaign_name: str
    under_code: str
    under_name: str
    period: str
    monday: date
    sunday: date
    as_of: datetime  # local, naive
    sheets: list[Sheet]
    # The campaign's other metrics summed over the whole subtree (the letter's propaganda).
    other_totals: list[tuple[str, int]] = field(default_factory=list)


def official_sentence(figure: OfficialFigure, tz: ZoneInfo) -> str:
    """'Số liệu chính thức ngày 23/07 (tuần 30): 2.850 — các đơn vị báo cáo tuần đó: 3.112'."""
    day = figure.observed_at.astimezone(tz).strftime("%d/%m")
    return (f"Số liệu chính thức ngày {day} (tuần {int(figure.period[-2:])}): "
            f"{vn_int(figure.value)} — các đơn vị báo cáo tuần đó: {vn_int(figure.reported)} "
            f"(nguồn: {figure.source})")


def vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def other_metrics(targets: list[Target], metrics: list[Metric]) -> list[Metric]:
    """The campaign's weekly metrics that no target uses (propaganda: broadcasts, posters,
    village meetings…), in the campaign's order: each summed over the units that report it
    (`Counted.of_metric`), each unit's latest report at or before the week."""
    used = {m for t in targets for m in (t.numerator_metric_id, t.denominator_metric_id)}
    return [m for m in sorted(metrics, key=lambda m: m.position)
            if not m.is_baseline and m.id not in used]


@dataclass
class Level:
    """The figures engine's sums under a node (the targets', from the kept totals where they
    help; the other metrics' by metric id), with what its rows need of the children: the Unit
    rows (open dates, kind), each one's own report for the week, and the week of the figures a
    reorganisation carried to it (if any)."""

    root: Unit
    sums: SubtreeSums
    others: dict[int, dict[str, Sums]]
    units: dict[int, Unit]
    own: dict[int, Report]
    carried: dict[int, str]


def read_level(session: Session, campaign: Campaign, targets: list[Target],
               others: list[Metric], root: Unit, week: Week) -> Level:
    sums = sums_by_target(session, campaign, targets, root, week)
    counted = {m.id: Counted.of_metric(m) for m in others}
    by_counted, children = sums_by_counted(session, campaign, list(counted.values()), root,
                                           week)
    children = sums.children | children
    ids = [root.id] + [c.id for c in children.values()]
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(ids)))}
    own = {r.unit_id: r for r in session.exec(select(Report).where(
        Report.campaign_id == campaign.id, Report.period == str(week),
        col(Report.unit_id).in_(ids)))}
    carried = dict(session.exec(select(Report.unit_id, Report.period).where(
        Report.campaign_id == campaign.id, Report.source == "reorganization",
        Report.period <= str(week), col(Report.unit_id).in_(ids))).all())
    return Level(root, sums, {m: by_counted[c] for m, c in counted.items()}, units, own,
                 carried)


class Rows:
    """Builds a sheet's lines for one target from the levels read."""

    def __init__(self, campaign: Campaign, target: Target, others: list[Metric], week: Week,
                 now: datetime) -> None:
        self.target, self.others, self.week, self.now = target, others, week, now
        cal = Calendar(campaign)
        self.due, self.due_date = cal.due(week), cal.due_date(week)
        self.tz = ZoneInfo(campaign.timezone)

    def counts_itself(self, unit: Unit) -> bool:
        t = self.target
        kinds = t.unit_kinds or []
        return ((t.unit_id == unit.id or (t.unit_id is None and unit.kind in kinds))
                and is_open_on(unit, self.due_date))

    def lines(self, level: Level) -> list[tuple[Unit, Line]]:
        """(child, its line) for each child under which the target counts a unit, the root
        itself first when it counts, then the children in creation order."""
        mine = level.sums.by_target.get(self.target.id, {})
        out = []
        for key in sorted(mine, key=lambda k: -1 if k == "" else int(k)):
            unit = level.root if key == "" else level.units[int(key)]
            line = self.line(unit, mine[key], level)
            line.others = [level.others[m.id][key].numerator
                           if key in level.others[m.id] else None for m in self.others]
            out.append((unit, line))
        return out

    def line(self, unit: Unit, s: Sums, level: Level) -> Line:
        goal = self.target.goal_ratio
        if s.expected == 1 and self.counts_itself(unit):  # the child alone: its own report
            report = level.own.get(unit.id)
            status = reporting_status(report and report.period, report and report.timeliness,
                                      self.week, self.due, self.now)
            if s.missing:
                note = "Chưa có số liệu"
            elif s.stale and level.carried.get(unit.id) == s.oldest_period:
                note = f"Chuyển từ sắp xếp đơn vị (số liệu tuần {s.oldest_period})"
            else:
                note = f"Dùng số liệu tuần {s.oldest_period}" if s.stale else ""
            received = (report.received_at.astimezone(self.tz)
                        .replace(tzinfo=None, second=0, microsecond=0) if report else None)
            # A unit that never reported and has no baseline has no denominator at all.
            den = None if s.missing and not s.denominator else s.denominator
            return Line(unit.code, unit.name, den, s.numerator, goal, REPORTING_VI[status],
                        received, note, units=1, sent=s.fresh)
        note = f"{s.missing} đơn vị chưa có số liệu" if s.missing else ""
        return Line(unit.code, unit.name, s.denominator, s.numerator, goal,
                    f"{s.fresh}/{s.expected} đã nộp", None, note, units=s.expected,
                    sent=s.fresh)


def build(session: Session, principal: Principal, campaign_ref: str, period: str | None,
          under_ref: str | None, now: datetime, depth: int = 1) -> WeeklyReport:
    """Managers only: the report goes upward in the district's name. The figures are "as of"
    now for the current week, else the last minute of the week."""
    campaign = get_campaign(session, principal, campaign_ref)
    under = resolve_under(session, principal, under_ref, Action.manage)
    week = Calendar(campaign).week(period, now)
    tz = ZoneInfo(campaign.timezone)
    metrics = {m.id: m for m in metrics_of(session, campaign.id)}
    codes = {m.id: m.code for m in metrics.values()}
    targets = targets_of(session, campaign.id)
    officials = latest_officials(session, campaign, under,
                                 sorted({codes[t.numerator_metric_id] for t in targets}), week)
    reported_at = reported_at_official_weeks(session, campaign, targets, under, week, officials,
                                             codes)
    others = other_metrics(targets, list(metrics.values()))
    top = read_level(session, campaign, targets, others, under, week)
    below: dict[int, Level] = {}  # depth=2: a child's own level, read once for every target
    sheets = []
    for target in targets:
        rows = Rows(campaign, target, others, week, now)
        lines = rows.lines(top)
        if not lines:
            continue
        groups = {kind: Group(kind, label) for kind, label in KIND_GROUPS.items()}
        for unit, line in lines:
            if depth > 1 and unit.id != under.id and line.units > 1:
                if unit.id not in below:
                    below[unit.id] = read_level(session, campaign, targets, others, unit,
                                                week)
                line.sub = [sub for _, sub in rows.lines(below[unit.id])]
            groups.setdefault(unit.kind, Group(unit.kind, unit.kind)).lines.append(line)
        kept = [g for g in groups.values() if g.lines]
        total = summed("TỔNG CỘNG", [x for g in kept for x in g.lines], target.goal_ratio)
        official = officials.get(codes[target.numerator_metric_id])
        sheets.append(Sheet(
            code=target.code, name=target.name,
            numerator_label=metrics[target.numerator_metric_id].name,
            denominator_label=metrics[target.denominator_metric_id].name,
            deadline=target.deadline, groups=kept, total=total,
            official=official_sentence(official_figure(
                campaign, target, official, week, total.numerator, reported_at), tz)
            if official else None, other_labels=[m.name for m in others]))
    other_totals = [(m.name, sum(s.numerator for s in top.others[m.id].values()))
                    for m in others]
    as_of = min(now, week.end(campaign.timezone) - timedelta(minutes=1))
    return WeeklyReport(campaign=campaign.code, campaign_name=campaign.name,
                        under_code=under.code, under_name=under.name, period=str(week),
                        monday=week.monday, sunday=week.sunday,
                        as_of=as_of.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0),
                        sheets=sheets, other_totals=other_totals)
