"""Each counted unit's own figures for a target and a week (the weekly exports, the public
leaderboard, the import template's "last week" columns).

Start from the units the target counts in the week under the subtree (open at the week's due
moment, of the target's kinds, or the target's single unit); for each, the report its figure
comes from (`tiendo.figures.sql.report_at`: one seek on the unique (campaign, unit, period) key)
and that report's numerator and denominator values by primary key (the denominator falls back to
the unit's baseline when the report does not carry it, e.g. residents_total). It never reads a
unit's older reports, so its cost grows with the number of units, not with the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CTE, ColumnElement, and_, false, func, literal, or_, select
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar, open_on
from tiendo.campaigns.models import Baseline, Campaign, Target
from tiendo.campaigns.service import targets_of
from tiendo.core.periods import Week
from tiendo.figures.sql import path_child, report_at, run
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit
from tiendo.units.subtrees import in_subtree


@dataclass
class UnitFigures:
    """One counted unit: its latest report at or before the week (if any) and its figures."""

    unit_id: int
    code: str
    name: str
    kind: str
    period: str | None
    timeliness: str | None
    received_at: datetime | None
    numerator: int
    denominator: int | None
    source: str | None = None  # "reorganization": carried across a reorganisation
    # Whether the report carries the numerator's metric (else it counts 0): a report carried
    # from a predecessor of another kind may lack it (an agency split into communes).
    numerator_reported: bool = True


def counted(unit: type[Unit], target: Target, due_date: date) -> ColumnElement[bool]:
    """The units a target counts in a week: its single unit, or units of its kinds, if open
    at the week's due moment."""
    if target.unit_id is not None:
        return and_(unit.id == target.unit_id, open_on(unit, due_date))
    if not target.unit_kinds:
        return false()
    return and_(unit.kind.in_(target.unit_kinds), open_on(unit, due_date))


def _latest(campaign_id: int, target: Target, root: Unit, week: Week, due_date: date,
            detail: bool = False) -> CTE:
    """One row per counted unit: its id, the child of `root` it lies under ('' for root itself),
    its latest report at or before `week` (NULL if none) with that report's period, the target's
    numerator and denominator values and, with `detail`, the report's timeliness and arrival.

    Every lookup is a scalar subquery on an index (report by (campaign, unit, period), values by
    (report, metric), baseline by (metric, unit)) and both levels are MATERIALIZED: left to
    itself, PostgreSQL would rather hash-join every report ever sent than probe one per unit."""
    latest_report = report_at(Report.__table__.alias("older"), campaign_id, Unit.id, str(week))
    picked = (
        select(Unit.id.label("unit_id"),
               path_child(Unit.path, literal(len(root.path) + 1)).label("grp"),
               latest_report.label("report_id"))
        .where(Unit.path.startswith(root.path, autoescape=True), counted(Unit, target, due_date))
        .cte("picked").prefix_with("MATERIALIZED")
    )

    def report_field(column):  # noqa: ANN001, ANN202
        return select(column).where(Report.id == picked.c.report_id).scalar_subquery()

    def value_of(metric_id: int):  # noqa: ANN202
        return (select(ReportValue.value)
                .where(ReportValue.report_id == picked.c.report_id,
                       ReportValue.metric_id == metric_id).scalar_subquery())

    baseline = (select(Baseline.value)
                .where(Baseline.metric_id == target.denominator_metric_id,
                       Baseline.unit_id == picked.c.unit_id).scalar_subquery())
    columns = [picked.c.unit_id, picked.c.grp, picked.c.report_id,
               report_field(Report.period).label("period"),
               value_of(target.numerator_metric_id).label("num"),  # NULL: not in the report
               func.coalesce(value_of(target.denominator_metric_id), baseline).label("den")]
    if detail:
        columns += [report_field(Report.timeliness).label("timeliness"),
                    report_field(Report.received_at).label("received_at"),
                    report_field(Report.source).label("source")]
    return select(*columns).cte("latest").prefix_with("MATERIALIZED")


def unit_figures(session: Session, campaign: Campaign, target: Target, root: Unit,
                 week: Week) -> list[UnitFigures]:
    """Every unit of the subtree the target counts in the week, with its own figures, in
    creation order."""
    latest = _latest(campaign.id, target, root, week, Calendar(campaign).due_date(week),
                     detail=True)
    stmt = (
        select(Unit.id, Unit.code, Unit.name, Unit.kind, latest.c.period, latest.c.timeliness,
               latest.c.received_at, latest.c.num, latest.c.den, latest.c.source)
        .join(latest, latest.c.unit_id == Unit.id)
        .order_by(Unit.id)
    )
    return [UnitFigures(uid, code, name, kind, period, timeliness, received, int(num or 0),
                        None if den is None else int(den), source, num is not None)
            for uid, code, name, kind, period, timeliness, received, num, den, source
            in run(session, stmt)]


@dataclass(frozen=True)
class Expected:
    """Which units a campaign's weeks expect: open at the week's due moment, of the kinds the
    campaign's targets apply to (or named by a target), inside the campaign owner's subtree."""

    kinds: tuple[str, ...]
    single: tuple[int, ...]
    owner_path: str

    @classmethod
    def of(cls, session: Session, campaign: Campaign) -> Expected:
        kinds: set[str] = set()
        single: set[int] = set()
        for t in targets_of(session, campaign.id):
            kinds.update(t.unit_kinds)
            if t.unit_id is not None:
                single.add(t.unit_id)
        owner = session.get(Unit, campaign.owner_unit_id)
        return cls(tuple(sorted(kinds)), tuple(sorted(single)), owner.path)

    def where(self, unit, due_date) -> ColumnElement[bool]:  # noqa: ANN001 - a unit table
        """SQL: the unit (a table or alias) is expected in the week due on `due_date`."""
        c = unit.c if hasattr(unit, "c") else unit
        return and_(open_on(c, due_date), self.counted(c))

    def counted(self, unit) -> ColumnElement[bool]:  # noqa: ANN001 - a unit table
        """SQL: the unit is one the campaign counts, in the weeks it is open."""
        c = unit.c if hasattr(unit, "c") else unit
        return and_(in_subtree(c.path, self.owner_path),
                    or_(c.kind.in_(self.kinds), c.id.in_(self.single)))


def expected_filter(session: Session, campaign: Campaign, week: Week):  # noqa: ANN201
    """The units a week expects (see Expected), as conditions on Unit."""
    return (Expected.of(session, campaign).where(Unit, Calendar(campaign).due_date(week)),)


