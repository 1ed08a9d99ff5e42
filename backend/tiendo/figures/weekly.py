"""Every target's whole Sums (expected, fresh, stale, missing, numerator, denominator, oldest
period, the numerator at the pace's base week) over a subtree for a run of weeks, in one
statement. The one multi-week builder: the weekly series reads it (`series.totals_by_week`:
the same figures, fewer fields), and the kept totals are filled from it (tiendo.figures.kept,
`tiendo rebuild-figures`) when a node's totals are missing for many weeks at once.

The same definition and the same seeks as `subtree.sums_by_target`, week by week: one UNION
ALL branch per week takes the units a target counts at the week (open at its due moment) with
their report for exactly the week (an equality seek: most units report every week); a second
level takes the latest report before the week only for the units without one; then each
target's values (the denominator falling back to the unit's baseline), summed per week. The
pace's base week is mostly one of the weeks asked: its numerator is then the unit's own row of
that week, and seeks are made only for the others. With `shallow`, only the root and its
childless children are counted.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar, open_on
from tiendo.campaigns.models import Campaign, Target
from tiendo.core.periods import Week
from tiendo.figures.sql import report_before, report_for, run, unindexed
from tiendo.figures.subtree import (
    WIDTH,
    Sums,
    _shape,
    counted_params,
    group_key,
    group_values,
    report_value,
)
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.subtrees import in_bound_subtree, subtree_range

ZERO, ONE = literal_column("0"), literal_column("1")


@lru_cache(maxsize=32)
def _statement(shapes: tuple[str, ...], weeks: int, with_base: bool,
               shallow: bool) -> Select:
    """The statement for groups of targets of these shapes over `weeks` distinct weeks, every
    value a bound parameter (built once per shape and number of weeks). Parameters: campaign, root,
    prefix and prefix_end (the subtree's range of paths); per week n: w{n} (the week), d{n}
    (its due date: it decides which units are expected) and, `with_base`, b{n} (the pace's base
    week); per group of targets i: unit{i} or kinds{i}, num{i} and den{i} (metric ids).
    One row per week that counts a unit: n, then WIDTH aggregates per group (as subtree's)."""
    u, r = Unit.__table__.alias("u"), Report.__table__.alias("r")
    flags = [f"c{i}" for i in range(len(shapes))]
    campaign = bindparam("campaign")

    def counts(i: int, shape: str, due) -> ColumnElement[bool]:  # noqa: ANN001
        if shape == "unit":
            return and_(u.c.id == bindparam(f"unit{i}"), open_on(u, due))
        if shape == "kinds":  # not by the kind index: the subtree's range is narrower
            return and_(unindexed(u.c.kind).in_(bindparam(f"kinds{i}", expanding=True)),
                        open_on(u, due))
        return false()

    if shallow:  # the root and its childless children only (the kept totals cover the rest)
        g, root = Unit.__table__.alias("g"), bindparam("root")
        in_subtree = and_(or_(u.c.id == root, u.c.parent_id == root), or_(
            u.c.id == root, ~select(g.c.id).where(g.c.parent_id == u.c.id).exists()))
    else:  # a range of paths; PostgreSQL's path index compares with the pattern operators
        in_subtree = in_bound_subtree(u.c.path)

    # 1. Per week, the counted units with their report for exactly the week.
    per_week = []
    for n in range(weeks):
        week, due = bindparam(f"w{n}", type_=String), bindparam(f"d{n}", type_=Date)
        base = bindparam(f"b{n}", type_=String)
        per_week.append(
            select(literal_column(str(n)).label("n"), cast(week, String).label("week"),
                   *([cast(base, String).label("base")] if with_base else []),
                   u.c.id.label("unit_id"),
                   *(case((counts(i, s, due), ONE), else_=ZERO).label(flags[i])
                     for i, s in enumerate(shapes)),
                   report_for(r, campaign, u.c.id, week).label("week_exact"))
            .where(in_subtree, or_(*(counts(i, s, due) for i, s in enumerate(shapes)))))
    picked = union_all(*per_week).cte("p").prefix_with("MATERIALIZED")
    p = picked.c

    # 2. Else their latest report before that week: a unit that skipped it is carried forward.
    latest = (
        select(p.n, p.week, *([p.base] if with_base else []), p.unit_id, *(p[f] for f in flags),
               case((p.week_exact.is_not(None), ONE), else_=ZERO).label("fresh"),
               func.coalesce(p.week_exact, report_before(r, campaign, p.unit_id, p.week))
               .label("week_id"))
        .cte("l").prefix_with("MATERIALIZED")
    )
    lt = latest.c

    # 3. The report's period and, for each group of targets that counts the unit, its values.
    columns = [lt.n, lt.week, *([lt.base] if with_base else []), lt.unit_id, lt.fresh,
               lt.week_id,
               case((lt.fresh == ONE, lt.week),
                    else_=select(r.c.period).where(r.c.id == lt.week_id).scalar_subquery())
               .label("period"),
               *group_values(lt, flags)]
    figures = select(*columns).cte("f").prefix_with("MATERIALIZED")
    f = figures.c

    # 4. The report at the pace's base week: the base week is mostly one of the weeks asked, so
    # the unit's row of that week has it, and its values; seeks only for the others.
    if with_base:
        prev = figures.alias("prev")
        joined = select(
            *f, *(prev.c[flag].label(f"p{flag}") for flag in flags),
            *(prev.c[f"num{i}"].label(f"pnum{i}") for i in range(len(flags))),
            case((prev.c.unit_id.is_not(None), prev.c.week_id),
                 else_=func.coalesce(report_for(r, campaign, f.unit_id, f.base),
                                     report_before(r, campaign, f.unit_id, f.base)))
            .label("base_id"),
        ).select_from(figures.outerjoin(prev, and_(prev.c.unit_id == f.unit_id,
                                                   prev.c.week == f.base)))
        f = joined.subquery("j").c

    def base_numerator(i: int, flag: str) -> ColumnElement:
        return case((f[flag] == ONE, case((f[f"p{flag}"] == ONE, f[f"pnum{i}"]),
                                          else_=func.coalesce(report_value(f.base_id, i, "num"),
                                                              ZERO))))

    # 5. Sums per week and group of targets (WIDTH columns each, as subtree's).
    def total(column) -> ColumnElement[int]:  # noqa: ANN001 - a BIGINT (PostgreSQL: not NUMERIC)
        return cast(func.coalesce(func.sum(column), ZERO), BigInteger)

    aggregates = []
    for i, flag in enumerate(flags):
        mine = f[flag] == ONE
        aggregates += [
            func.sum(f[flag]),
            func.sum(case((and_(mine, f.week_id.is_not(None)), ONE), else_=ZERO)),
            func.sum(case((mine, f.fresh), else_=ZERO)),
            func.min(case((mine, f.period))),
            total(f[f"num{i}"]),
            total(f[f"den{i}"]),
            total(base_numerator(i, flag)) if with_base else ZERO,
        ]
    return select(f.n, *aggregates).group_by(f.n)


def sums_by_week(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                 weeks: list[Week], base_weeks: list[Week] | None = None, shallow: bool = False,
                 ) -> dict[str, dict[int, Sums]]:
    """Per week (text), per target id: its Sums over `root`'s subtree (every target present;
    zero Sums where it counts no unit). `base_weeks[i]` is the pace's base week of weeks[i];
    without them, base_numerator is 0."""
    groups: dict[tuple, list[Target]] = {}
    for t in targets:
        groups.setdefault(group_key(t), []).append(t)
    out = {str(w): {t.id: Sums() for t in targets} for w in weeks}
    if not groups or not weeks:
        return out
    reps = [ts[0] for ts in groups.values()]
    bases = None if base_weeks is None else dict(zip(weeks, base_weeks, strict=True))
    weeks = list(dict.fromkeys(weeks))  # once each: a week is matched to its base by its name
    stmt = _statement(tuple(_shape(t) for t in reps), len(weeks), base_weeks is not None,
                      shallow)
    cal = Calendar(campaign)
    params: dict[str, object] = {"campaign": campaign.id, "root": root.id,
                                 **subtree_range(root.path)}
    for n, week in enumerate(weeks):
        params[f"w{n}"], params[f"d{n}"] = str(week), cal.due_date(week)
        if bases is not None:
            params[f"b{n}"] = str(bases[week])
    params.update(counted_params(reps))
    for row in run(session, stmt, params):
        week = str(weeks[int(row[0])])
        for i, ts in enumerate(groups.values()):
            expected, reported, fresh, oldest, num, den, base = row[1 + WIDTH * i:
                                                                    1 + WIDTH * (i + 1)]
            if expected:
                sums = Sums(int(expected), int(fresh), int(reported - fresh),
                            int(expected - reported), int(num), int(den), oldest, int(base))
                for t in ts:
                    out[week][t.id] = sums
    return out
