"""The weekly report to the city as one table per target: a row per unit, grouped by kind,
with the same figures as GET /progress (each unit's latest report at or before the week)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar, reporting_status
from tiendo.campaigns.models import Campaign, Metric, Target
from tiendo.campaigns.service import get_campaign, metrics_of, targets_of
from tiendo.core.periods import Week
from tiendo.figures.units import UnitFigures, unit_figures
from tiendo.progress.schemas import OfficialFigure
from tiendo.progress.service import (
    latest_officials,
    official_figure,
    ratio_of,
    remaining_of,
    reported_at_official_weeks,
)
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
    """A unit row, or a subtotal / total (code empty)."""

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

    @property
    def ratio(self) -> float | None:
        return ratio_of(self.numerator, self.denominator or 0)

    @property
    def remaining(self) -> int:
        return remaining_of(self.goal, self.numerator, self.denominator or 0)


def summed(name: str, lines: list[Line], goal: float) -> Line:
    """A subtotal or total; its reporting column says how many of its units sent this week."""
    sent = sum(x.reporting in (REPORTING_VI["on_time"], REPORTING_VI["late"]) for x in lines)
    width = max((len(x.others) for x in lines), default=0)
    others = [sum(x.others[i] or 0 for x in lines) for i in range(width)]
    return Line("", name, sum(x.denominator or 0 for x in lines),
                sum(x.numerator for x in lines), goal, f"{sent}/{len(lines)} đã nộp",
                others=others)


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


def _line(row: UnitFigures, goal: float, week: Week, due: datetime, now: datetime,
          tz: ZoneInfo) -> Line:
    status = reporting_status(row.period, row.timeliness, week, due, now)
    if row.period is None:
        note = "Chưa có số liệu"
    elif row.source == "reorganization":  # no own report yet: the predecessors' shares
        note = f"Chuyển từ sắp xếp đơn vị (số liệu tuần {row.period})"
    elif row.period != str(week):
        note = f"Dùng số liệu tuần {row.period}"
    else:
        note = ""
    received = (row.received_at.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
                if row.received_at and row.period == str(week) else None)
    return Line(row.code, row.name, row.denominator, row.numerator, goal,
                REPORTING_VI[status], received, note)


def official_sentence(figure: OfficialFigure, tz: ZoneInfo) -> str:
    """'Số liệu chính thức ngày 23/07 (tuần 30): 2.850 — các đơn vị báo cáo tuần đó: 3.112'."""
    day = figure.observed_at.astimezone(tz).strftime("%d/%m")
    return (f"Số liệu chính thức ngày {day} (tuần {int(figure.period[-2:])}): "
            f"{vn_int(figure.value)} — các đơn vị báo cáo tuần đó: {vn_int(figure.reported)} "
            f"(nguồn: {figure.source})")


def vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def other_metrics(session: Session, campaign: Campaign, targets: list[Target],
                  metrics: list[Metric], under: Unit, week: Week,
                  ) -> list[tuple[Metric, dict[int, int]]]:
    """The campaign's weekly metrics that no target uses (propaganda: broadcasts, posters,
    village meetings…), each with every reporting unit's figure at the week, read through the
    figures engine like the targets' (a metric counted on its own, as a target of it over
    itself would be)."""
    used = {m for t in targets for m in (t.numerator_metric_id, t.denominator_metric_id)}
    out = []
    for m in sorted(metrics, key=lambda m: m.position):
        if m.is_baseline or m.id in used:
            continue
        probe = Target(campaign_id=campaign.id, code=m.code, name=m.name, unit_kinds=m.unit_kinds,
                       numerator_metric_id=m.id, denominator_metric_id=m.id,
                       deadline=campaign.end_date)
        out.append((m, {f.unit_id: f.numerator for f in unit_figures(
            session, campaign, probe, under, week) if f.period is not None}))
    return out


def build(session: Session, principal: Principal, campaign_ref: str, period: str | None,
          under_ref: str | None, now: datetime) -> WeeklyReport:
    """Managers only: the report goes upward in the district's name. The figures are "as of"
    now for the current week, else the last minute of the week."""
    campaign = get_campaign(session, principal, campaign_ref)
    under = resolve_under(session, principal, under_ref, Action.manage)
    week = Calendar(campaign).week(period, now)
    tz = ZoneInfo(campaign.timezone)
    due = Calendar(campaign).due(week)
    metrics = {m.id: m for m in metrics_of(session, campaign.id)}
    codes = {m.id: m.code for m in metrics.values()}
    targets = targets_of(session, campaign.id)
    officials = latest_officials(session, campaign, under,
                                 sorted({codes[t.numerator_metric_id] for t in targets}), week)
    reported_at = reported_at_official_weeks(session, campaign, targets, under, week, officials,
                                             codes)
    others = other_metrics(session, campaign, targets, list(metrics.values()), under, week)
    sheets = []
    for target in targets:
        rows = unit_figures(session, campaign, target, under, week)
        if not rows:
            continue
        groups = {kind: Group(kind, label) for kind, label in KIND_GROUPS.items()}
        for row in rows:
            group = groups.setdefault(row.kind, Group(row.kind, row.kind))
            line = _line(row, target.goal_ratio, week, due, now, tz)
            line.others = [by_unit.get(row.unit_id) for _, by_unit in others]
            group.lines.append(line)
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
            if official else None, other_labels=[m.name for m, _ in others]))
    as_of = min(now, week.end(campaign.timezone) - timedelta(minutes=1))
    return WeeklyReport(campaign=campaign.code, campaign_name=campaign.name,
                        under_code=under.code, under_name=under.name, period=str(week),
                        monday=week.monday, sunday=week.sunday,
                        as_of=as_of.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0),
                        sheets=sheets)
