"""Every target's whole Sums (expected, fresh, stale, missing, numerator, denominator, oldest
period, the numerator at the pace's base week) over a subtree for a run of weeks, in one
statement: what the kept totals are filled from (tiendo.figures.kept, `tiendo
rebuild-figures`) when a node's totals are missing for many weeks at once.

The same definition as `subtree.sums_by_target`, week by week: the units a target counts at
the week (open at its due moment), each with the report its figure comes from
(`report_at`: latest at or before the week) and the one at the pace's base week; one UNION ALL
branch per week, as in `series.totals_by_week`. With `shallow`, only the root and its
childless children are counted.
"""

from __future__ import annotations

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
from tiendo.figures.subtree import Sums, group_key
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

ZERO, ONE = literal_column("0"), literal_column("1")


def sums_by_week(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                 weeks: list[Week], base_weeks: list[Week], shallow: bool = False,
                 ) -> dict[str, dict[int, Sums]]:
    """Per week (text), per target id: its Sums over `root`'s subtree (every target present;
    zero Sums where it counts no unit). `base_weeks[i]` is the pace's base week of weeks[i]."""
    groups: dict[tuple, list[Target]] = {}
    for t in targets:
        groups.setdefault(group_key(t), []).append(t)
    out = {str(w): {t.id: Sums() for t in targets} for w in weeks}
    if not groups or not weeks:
        return out
    reps = [ts[0] for ts in groups.values()]
    u, r, v, b = (m.__table__.alias(a) for m, a in (
        (Unit, "u"), (Report, "r"), (ReportValue, "v"), (Baseline, "b")))
    cal = Calendar(campaign)
    if shallow:
        g = Unit.__table__.alias("g")
        where = and_(or_(u.c.id == root.id, u.c.parent_id == root.id), or_(
            u.c.id == root.id, ~select(g.c.id).where(g.c.parent_id == u.c.id).exists()))
    else:
        lo, hi = root.path, root.path[:-1] + "0"  # paths end with '/'; '0' comes after it
        # PostgreSQL's path index compares with the pattern operators (see subtree.py).
        where = (and_(u.c.path >= lo, u.c.path < hi)
                 if session.get_bind().dialect.name == "sqlite"
                 else and_(u.c.path.op("~>=~")(lo), u.c.path.op("~<~")(hi)))

    def counts(t: Target, due) -> object:  # noqa: ANN001
        mine = u.c.id == t.unit_id if t.unit_id is not None else u.c.kind.in_(t.unit_kinds or [])
        return and_(mine, open_on(u, due))

    per_week = []
    for n, (week, base) in enumerate(zip(weeks, base_weeks, strict=True)):
        period = bindparam(f"w{n}", str(week), type_=String)
        base_period = bindparam(f"b{n}", str(base), type_=String)
        due = bindparam(f"d{n}", cal.due_date(week), type_=Date)
        flags = [case((counts(t, due), ONE), else_=ZERO).label(f"c{i}")
                 for i, t in enumerate(reps)]
        per_week.append(
            select(literal_column(str(n)).label("n"), u.c.id.label("unit_id"), *flags,
                   report_at(r, campaign.id, u.c.id, period).label("report_id"),
                   report_at(r, campaign.id, u.c.id, base_period).label("base_id"))
            .where(where, or_(*(counts(t, due) for t in reps))))
    picked = union_all(*per_week).cte("p").prefix_with("MATERIALIZED")
    p = picked.c
    looked = (select(p, select(r.c.period).where(r.c.id == p.report_id).scalar_subquery()
                     .label("period"))
              .cte("l").prefix_with("MATERIALIZED"))
    lt = looked.c

    def value(report_id, metric_id: int):  # noqa: ANN001, ANN202
        return (select(v.c.value).where(v.c.report_id == report_id, v.c.metric_id == metric_id)
                .scalar_subquery())

    def total(column) -> object:  # noqa: ANN001
        return cast(func.coalesce(func.sum(column), ZERO), BigInteger)

    week_of_n = case(*((lt.n == literal_column(str(n)), literal_column(f"'{w}'"))
                       for n, w in enumerate(weeks)))
    columns = []
    for i, t in enumerate(reps):
        mine = lt[f"c{i}"] == ONE
        baseline = (select(b.c.value).where(b.c.metric_id == t.denominator_metric_id,
                                            b.c.unit_id == lt.unit_id).scalar_subquery())
        columns += [
            func.sum(lt[f"c{i}"]),
            func.sum(case((and_(mine, lt.report_id.is_not(None)), ONE), else_=ZERO)),
            func.sum(case((and_(mine, lt.period == week_of_n), ONE), else_=ZERO)),
            func.min(case((mine, lt.period))),
            total(case((mine, func.coalesce(value(lt.report_id, t.numerator_metric_id),
                                            ZERO)))),
            total(case((mine, func.coalesce(value(lt.report_id, t.denominator_metric_id),
                                            baseline)))),
            total(case((mine, func.coalesce(value(lt.base_id, t.numerator_metric_id),
                                            ZERO)))),
        ]
    stmt = select(lt.n, *columns).group_by(lt.n)
    for row in run(session, stmt):
        week = str(weeks[int(row[0])])
        for i, ts in enumerate(groups.values()):
            expected, reported, fresh, oldest, num, den, base = row[1 + 7 * i: 8 + 7 * i]
            if expected:
                sums = Sums(int(expected), int(fresh), int(reported - fresh),
                            int(expected - reported), int(num), int(den), oldest, int(base))
                for t in ts:
                    out[week][t.id] = sums
    return out
