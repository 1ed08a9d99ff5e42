"""Every target's sums per child of a subtree, for a week and the week the pace starts from, in
one statement (what GET /progress and the weekly export read); the same for a run of weeks is
`tiendo.figures.weekly`, which takes its reports the same way.

For each unit of the subtree that some target counts, the statement takes its report for exactly
the week when there is one (most units report every week, and an equality seek in the
(campaign, unit, period) index is cheaper than a search back, above all on PostgreSQL), else its
latest report before the week; then the values of each target's numerator and denominator (the
denominator falls back to the unit's baseline), looked up only for the units that target counts;
then sums per direct child of the subtree's root. It starts from the units and never reads older
reports, so its cost grows with the number of units, not with the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar, open_on
from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.core.periods import Week
from tiendo.figures.sql import path_child, report_before, report_for, run, unindexed
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit
from tiendo.units.subtrees import in_bound_subtree, subtree_range

WIDTH = 7  # aggregate columns per group of targets
# Constants written into the statement, not bound, and short aliases: psycopg parses a statement
# of more than 50 parameters or 4 KB again at every execution.
ZERO, ONE = literal_column("0"), literal_column("1")


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


class Child(NamedTuple):
    id: int
    code: str
    name: str
    kind: str


@dataclass
class SubtreeSums:
    """Per target id, its sums per child key (the child's id as text; '' is the root itself);
    and the children that appear, by key. `kept_total`: per target id, the whole subtree's
    sums, when they were read kept with the children's (the root's own line is then left out:
    tiendo.figures.kept)."""

    by_target: dict[int, dict[str, Sums]]
    children: dict[str, Child]
    kept_total: dict[int, Sums] | None = None

    def total(self, target_id: int) -> Sums:
        """The target's sums over the whole subtree."""
        if self.kept_total is not None:
            return self.kept_total[target_id]
        parts = self.by_target[target_id].values()
        periods = [p.oldest_period for p in parts if p.oldest_period]
        return Sums(expected=sum(p.expected for p in parts), fresh=sum(p.fresh for p in parts),
                    stale=sum(p.stale for p in parts), missing=sum(p.missing for p in parts),
                    numerator=sum(p.numerator for p in parts),
                    denominator=sum(p.denominator for p in parts),
                    oldest_period=min(periods) if periods else None,
                    base_numerator=sum(p.base_numerator for p in parts))

    def counts(self, target_id: int) -> bool:
        """Whether the target counts some unit of the subtree."""
        return bool(self.by_target[target_id]) or self.total(target_id).expected > 0


class Counted(NamedTuple):
    """What the engine sums: a numerator metric and a denominator metric (the unit's baseline
    when its report lacks it) over the units counted: one unit, or the units of some kinds, open
    at the week's due moment. Every target is one; so is a metric over the units that report it
    (`of_metric`). Targets that count the same are summed once."""

    unit_id: int | None
    unit_kinds: tuple[str, ...]
    numerator_metric_id: int
    denominator_metric_id: int

    @classmethod
    def of_metric(cls, metric: Metric) -> Counted:
        """The metric's own figures over the units of its kinds (e.g. posters put up)."""
        return cls(None, tuple(sorted(metric.unit_kinds or ())), metric.id, metric.id)


def _shape(counted: Target | Counted) -> str:
    return "unit" if counted.unit_id is not None else "kinds" if counted.unit_kinds else "none"


def group_key(target: Target) -> Counted:
    """Targets that count the same units with the same metrics have the same figures."""
    return Counted(target.unit_id, tuple(sorted(target.unit_kinds or ())),
                   target.numerator_metric_id, target.denominator_metric_id)


def report_value(report_id, i: int, metric: str):  # noqa: ANN001, ANN201
    """The value of group i's metric `metric` ('num' or 'den': parameter num{i} or den{i}) in
    a report, by its (report, metric) key."""
    v = ReportValue.__table__.alias("v")
    return (select(v.c.value)
            .where(v.c.report_id == report_id, v.c.metric_id == bindparam(f"{metric}{i}"))
            .scalar_subquery())


def group_values(lt, flags: list[str], base_report=None) -> list[ColumnElement]:  # noqa: ANN001
    """Per group of targets i (whether `lt`'s unit counts for it: column flags[i]): that flag,
    the numerator and the denominator of the report `lt.week_id` (the denominator falls back to
    the unit's baseline) as num{i}, den{i} and, given `base_report`, that report's numerator as
    base{i}; each value a scalar lookup by key, made only for the units the group counts.
    Parameters: num{i} and den{i} (metric ids)."""
    b, value = Baseline.__table__.alias("b"), report_value
    columns: list[ColumnElement] = []
    for i, flag in enumerate(flags):
        mine = lt[flag] == ONE
        baseline = (select(b.c.value)
                    .where(b.c.metric_id == bindparam(f"den{i}"), b.c.unit_id == lt.unit_id)
                    .scalar_subquery())
        columns += [
            lt[flag],
            case((mine, func.coalesce(value(lt.week_id, i, "num"), ZERO))).label(f"num{i}"),
            case((mine, func.coalesce(value(lt.week_id, i, "den"), baseline))).label(f"den{i}"),
        ]
        if base_report is not None:
            columns.append(case((mine, func.coalesce(value(base_report, i, "num"), ZERO)))
                           .label(f"base{i}"))
    return columns


def counted_params(counted: list) -> dict[str, object]:  # noqa: ANN001 - Targets or Counted
    """The statements' parameters of each group i: num{i}, den{i} and unit{i} or kinds{i}."""
    params: dict[str, object] = {}
    for i, c in enumerate(counted):
        params[f"num{i}"], params[f"den{i}"] = c.numerator_metric_id, c.denominator_metric_id
        if c.unit_id is not None:
            params[f"unit{i}"] = c.unit_id
        elif c.unit_kinds:
            params[f"kinds{i}"] = list(c.unit_kinds)
    return params


@lru_cache(maxsize=64)
def _statement(shapes: tuple[str, ...], with_base: bool, scope: str = "subtree") -> Select:
    """The statement for groups of targets of these shapes, every value a bound parameter: built
    once per shape, so a request pays neither its construction nor its compilation. Parameters:
    campaign, week, base_week, due_date (the week's: it decides which units are expected), root
    (its id), prefix and prefix_end (its subtree's range of paths), start (where the child's id
    begins in a path) and, per group of targets i: unit{i}
    or kinds{i}, num{i} and den{i} (metric ids). `scope`: the root's whole subtree; "shallow",
    the root and its childless children; "listed", the units of parameter `units` (the root and
    some of its children).

    Each level is MATERIALIZED and every lookup a scalar subquery on an index, made only where
    needed: left to itself, PostgreSQL would rather hash-join every report ever sent."""
    u, r = Unit.__table__.alias("u"), Report.__table__.alias("r")
    weeks = ["week", "base_week"] if with_base else ["week"]
    flags = [f"c{i}" for i in range(len(shapes))]

    is_open = open_on(u, bindparam("due_date", type_=Date))  # open at the week's due moment

    def counts(i: int, shape: str) -> ColumnElement[bool]:
        if shape == "unit":
            return and_(u.c.id == bindparam(f"unit{i}"), is_open)
        if shape == "kinds":  # not by the kind index: the subtree's path range is narrower
            return and_(unindexed(u.c.kind).in_(bindparam(f"kinds{i}", expanding=True)),
                        is_open)
        return false()

    # A range of paths, not LIKE: SQLite's LIKE ignores case and cannot use the path index, and
    # PostgreSQL's generic plan of a prepared LIKE cannot either (that index compares with the
    # pattern operators).
    in_subtree = in_bound_subtree(u.c.path)
    if scope == "listed":
        in_subtree = u.c.id.in_(bindparam("units", expanding=True))
    elif scope == "shallow":  # the root and its childless children (kept totals cover the rest)
        below = Unit.__table__.alias("g")
        root = bindparam("root")
        # (id = root OR parent_id = root) first, as such: both sides use an index.
        in_subtree = and_(or_(u.c.id == root, u.c.parent_id == root), or_(
            u.c.id == root, ~select(below.c.id).where(below.c.parent_id == u.c.id).exists()))

    # 1. The counted units, with their report for exactly the week (and the base week), if any.
    picked = (
        select(path_child(u.c.path, bindparam("start")).label("grp"), u.c.id.label("unit_id"),
               *(case((counts(i, s), ONE), else_=ZERO).label(flags[i])
                 for i, s in enumerate(shapes)),
               *(report_for(r, bindparam("campaign"), u.c.id, bindparam(w)).label(f"{w}_exact")
                 for w in weeks))
        .where(in_subtree, or_(*(counts(i, s) for i, s in enumerate(shapes))))
        .cte("p").prefix_with("MATERIALIZED")
    )
    p = picked.c

    # 2. Else their latest report before that week: a unit that skipped it is carried forward.
    def before(w: str):  # noqa: ANN202
        return report_before(r, bindparam("campaign"), p.unit_id, bindparam(w))

    latest = (
        select(p.grp, p.unit_id, *(p[f] for f in flags),
               case((p.week_exact.is_not(None), ONE), else_=ZERO).label("fresh"),
               *(func.coalesce(p[f"{w}_exact"], before(w)).label(f"{w}_id") for w in weeks))
        .cte("l").prefix_with("MATERIALIZED")
    )
    lt = latest.c

    # 3. The report's period and, for each group of targets that counts the unit, its values.
    columns = [lt.grp, lt.fresh, lt.week_id,
               case((lt.fresh == ONE, bindparam("week")),
                    else_=select(r.c.period).where(r.c.id == lt.week_id).scalar_subquery())
               .label("period"),
               *group_values(lt, flags, lt.base_week_id if with_base else None)]
    figures = select(*columns).cte("f").prefix_with("MATERIALIZED")

    # 4. Sums per child of the root and group of targets (WIDTH columns each), with the child.
    f = figures.c

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
            total(f[f"base{i}"]) if with_base else ZERO,
        ]
    sums = (select(f.grp, *(a.label(f"a{n}") for n, a in enumerate(aggregates)))
            .group_by(f.grp).subquery("s"))
    child = Unit.__table__.alias("child")
    # Joined among the root's children only: PostgreSQL would rather hash the whole unit table.
    return (select(child.c.id, child.c.code, child.c.name, child.c.kind, sums)
            .select_from(sums.outerjoin(child, and_(
                child.c.parent_id == bindparam("root"),
                child.c.id == cast(func.nullif(sums.c.grp, literal_column("''")), Integer)))))


def sums_by_target(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                   week: Week, base_week: Week | None = None, *, shallow: bool = False,
                   units: list[int] | None = None) -> SubtreeSums:
    """Every target's sums per direct child of `root`, with the numerator at `base_week` too
    when it is given (for the pace). A child under which a target counts no unit is left out of
    that target's sums; a target that counts none at all has no sums. With `shallow`, only the
    root itself and its children without children of their own are counted; with `units`, only
    those units (the root and children without children of their own): the others are read
    from the kept totals (`tiendo.figures.kept`)."""
    sums, children = sums_by_counted(session, campaign, [group_key(t) for t in targets], root,
                                     week, base_week, shallow=shallow, units=units)
    return SubtreeSums({t.id: dict(sums[group_key(t)]) for t in targets}, children)


def sums_by_counted(session: Session, campaign: Campaign, counted: list[Counted], root: Unit,
                    week: Week, base_week: Week | None = None, *, shallow: bool = False,
                    units: list[int] | None = None,
                    ) -> tuple[dict[Counted, dict[str, Sums]], dict[str, Child]]:
    """`sums_by_target` for what is counted rather than for targets: per Counted, its sums per
    child key (a child under which it counts no unit is left out); and the children that
    appear, by key."""
    groups = list(dict.fromkeys(counted))
    out: dict[Counted, dict[str, Sums]] = {c: {} for c in groups}
    children: dict[str, Child] = {}
    if not groups:
        return out, children
    scope = "listed" if units is not None else "shallow" if shallow else "subtree"
    stmt = _statement(tuple(_shape(c) for c in groups), base_week is not None, scope)
    params = {"campaign": campaign.id, "week": str(week),
              "due_date": Calendar(campaign).due_date(week),
              "root": root.id, "start": len(root.path) + 1}
    if units is not None:
        params["units"] = units
    else:
        params.update(subtree_range(root.path))
    if base_week is not None:
        params["base_week"] = str(base_week)
    params.update(counted_params(groups))
    for row in run(session, stmt, params).all():
        key = row[4] or ""
        if row[0] is not None:
            children[key] = Child._make(row[:4])
        for i, c in enumerate(groups):
            start = 5 + i * WIDTH
            expected, reported, fresh, oldest, num, den, base = row[start:start + WIDTH]
            if expected:
                out[c][key] = Sums(expected, fresh, reported - fresh, expected - reported, num,
                                   den, oldest, base)
    return out, children
