"""Which units a target counts, the figures of a group of units (Sums), the SQL pieces the
progress statements share, and each counted unit's own figures (exports, the leaderboard).

Sums per child for GET /progress and the series come from tiendo.progress.sums. unit_figures:
for a target, a subtree and a week, start from the units counted for the target in the subtree
(active, of the target's kinds, or the target's single unit), look up for each its newest report
at or before the week with a correlated subquery on the unique (campaign_id, unit_id, period)
index (ORDER BY period DESC LIMIT 1: MAX(period) that also yields the report's id), and fetch
that one report's numerator and denominator values by primary key (the denominator falls back to
the unit's baseline when the report does not carry it, e.g. residents_total). It never reads a
unit's older reports, so its cost grows with the number of units, not with the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    CTE,
    ColumnElement,
    String,
    and_,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar, open_on
from tiendo.campaigns.models import Baseline, Campaign, Target
from tiendo.core.periods import Week
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit


class path_child(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """`path_child(path, start)`: the id segment of a materialised path that begins at character
    `start` (1-based), e.g. ('/1/2/17/40/', 6) → '17'; '' when the path ends there (the root)."""

    type = String()
    inherit_cache = True
    name = "path_child"


@compiles(path_child)
def _path_child_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    path, start = (compiler.process(c, **kw) for c in element.clauses)
    rest = f"substr({path}, {start})"
    return f"substr({rest}, 1, instr({rest}, '/') - 1)"


@compiles(path_child, "postgresql")
def _path_child_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    path, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"split_part(substr({path}, {start}), '/', 1)"


class unindexed(FunctionElement):  # noqa: N801 - reads like the SQL it renders
    """A text column that SQLite's planner will not look up in an index (a unary +, as SQLite's
    documentation advises); the plain column elsewhere."""

    type = String()
    inherit_cache = True
    name = "unindexed"


@compiles(unindexed)
def _unindexed(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "+" + compiler.process(next(iter(element.clauses)), **kw)


@dataclass(slots=True)
class Sums:
    """Figures of a group of units for one target and week. `fresh` units reported for the week
    itself, `stale` ones are carried forward from an earlier week, `missing` ones never reported
    up to the week (they count 0 in the numerator and their baseline, if any, in the denominator).
    """

    expected: int = 0
    fresh: int = 0
    stale: int = 0
    missing: int = 0
    numerator: int = 0
    denominator: int = 0
    oldest_period: str | None = None
    base_numerator: int = 0  # the numerator at the week the pace is measured from, if asked

    def add(self, other: Sums) -> Sums:
        periods = [p for p in (self.oldest_period, other.oldest_period) if p]
        return Sums(self.expected + other.expected, self.fresh + other.fresh,
                    self.stale + other.stale, self.missing + other.missing,
                    self.numerator + other.numerator, self.denominator + other.denominator,
                    min(periods) if periods else None,
                    self.base_numerator + other.base_numerator)


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
    older = aliased(Report)
    latest_report = (
        select(older.id)
        .where(older.campaign_id == campaign_id, older.unit_id == Unit.id,
               older.period <= str(week))
        .order_by(older.period.desc())
        .limit(1)
        .correlate(Unit)
        .scalar_subquery()
    )
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
               func.coalesce(value_of(target.numerator_metric_id), 0).label("num"),
               func.coalesce(value_of(target.denominator_metric_id), baseline).label("den")]
    if detail:
        columns += [report_field(Report.timeliness).label("timeliness"),
                    report_field(Report.received_at).label("received_at")]
    return select(*columns).cte("latest").prefix_with("MATERIALIZED")


def run(session: Session, stmt, params: dict | None = None):  # noqa: ANN001, ANN202
    """A Core statement on the session's connection (no ORM layer: rows are plain)."""
    return session.connection().execute(stmt, params or {})


def unit_figures(session: Session, campaign: Campaign, target: Target, root: Unit,
                 week: Week) -> list[UnitFigures]:
    """Every unit of the subtree the target counts in the week, with its own figures, in
    creation order."""
    latest = _latest(campaign.id, target, root, week, Calendar(campaign).due_date(week),
                     detail=True)
    stmt = (
        select(Unit.id, Unit.code, Unit.name, Unit.kind, latest.c.period, latest.c.timeliness,
               latest.c.received_at, latest.c.num, latest.c.den)
        .join(latest, latest.c.unit_id == Unit.id)
        .order_by(Unit.id)
    )
    return [UnitFigures(uid, code, name, kind, period, timeliness, received, int(num),
                        None if den is None else int(den))
            for uid, code, name, kind, period, timeliness, received, num, den
            in run(session, stmt)]
