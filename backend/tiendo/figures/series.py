"""Every target's totals over a subtree for a run of weeks, in one statement (the weekly series).

For each week, the units a target counts in that week (open at its due moment, of its kinds or
its single unit) each with the report its figure comes from (`report_at`: latest at or before
the week), then that report's numerator and denominator values (the denominator falling back to
the unit's baseline), summed per week. The weeks are one UNION ALL of per-week selects, each a
range scan of the subtree's paths: one round trip however many weeks are asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Date,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar, open_on
from tiendo.campaigns.models import Baseline, Campaign, Target
from tiendo.core.periods import Week
from tiendo.figures.sql import report_at, run
from tiendo.figures.subtree import group_key
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

ZERO, ONE = literal_column("0"), literal_column("1")


@dataclass(frozen=True, slots=True)
class WeekTotal:
    week: str
    expected: int
    numerator: int
    denominator: int


def totals_by_week(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                   weeks: list[Week]) -> dict[int, list[WeekTotal]]:
    """Per target id, its totals over `root`'s subtree for each of `weeks` in which it counts
    at least one unit (weeks in order)."""
    groups: dict[tuple, list[Target]] = {}
    for t in targets:
        groups.setdefault(group_key(t), []).append(t)
    out: dict[int, list[WeekTotal]] = {t.id: [] for t in targets}
    if not groups or not weeks:
        return out
    reps = [ts[0] for ts in groups.values()]
    u, r, v, b = (m.__table__.alias(a) for m, a in (
        (Unit, "u"), (Report, "r"), (ReportValue, "v"), (Baseline, "b")))
    cal = Calendar(campaign)
    lo, hi = root.path, root.path[:-1] + "0"  # paths end with '/'; '0' comes after it

    def counts(t: Target, due) -> object:  # noqa: ANN001
        mine = u.c.id == t.unit_id if t.unit_id is not None else u.c.kind.in_(t.unit_kinds or [])
        return and_(mine, open_on(u, due))

    per_week = []
    for n, week in enumerate(weeks):
        period = bindparam(f"w{n}", str(week), type_=String)
        due = bindparam(f"d{n}", cal.due_date(week), type_=Date)
        flags = [case((counts(t, due), ONE), else_=ZERO).label(f"c{i}") for i, t in enumerate(reps)]
        per_week.append(
            select(literal_column(str(n)).label("n"), u.c.id.label("unit_id"), *flags,
                   report_at(r, campaign.id, u.c.id, period).label("report_id"))
            .where(u.c.path >= lo, u.c.path < hi, or_(*(counts(t, due) for t in reps))))
    picked = union_all(*per_week).cte("p").prefix_with("MATERIALIZED")
    p = picked.c

    def value(metric_id: int):  # noqa: ANN202
        return (select(v.c.value).where(v.c.report_id == p.report_id, v.c.metric_id == metric_id)
                .scalar_subquery())

    columns = []
    for i, t in enumerate(reps):
        mine = p[f"c{i}"] == ONE
        baseline = (select(b.c.value).where(b.c.metric_id == t.denominator_metric_id,
                                            b.c.unit_id == p.unit_id).scalar_subquery())
        columns += [
            func.sum(p[f"c{i}"]),
            cast(func.coalesce(func.sum(case((mine, func.coalesce(
                value(t.numerator_metric_id), ZERO)))), ZERO), BigInteger),
            cast(func.coalesce(func.sum(case((mine, func.coalesce(
                value(t.denominator_metric_id), baseline)))), ZERO), BigInteger),
        ]
    stmt = select(p.n, *columns).group_by(p.n).order_by(p.n)
    for row in run(session, stmt):
        week = str(weeks[int(row[0])])
        for i, ts in enumerate(groups.values()):
            expected, num, den = row[1 + 3 * i: 4 + 3 * i]
            if expected:
                for t in ts:
                    out[t.id].append(WeekTotal(week, int(expected), int(num), int(den)))
    return out
