"""Reporting counts of a subtree for a week (who sent on time, late, or not yet), per unit
kind: what /completeness sums, live or from the kept counts.

Live: the units the week expects (`Expected`), each with its report for exactly that week (one
seek on the unique (campaign, unit, period) key); one UNION ALL branch per week. Kept
(`status_total`, invalidated with the kept figure totals by `tiendo.figures.cache.changed`): a
node's row is the sum of its childless children and itself counted live and its other
children's kept rows, computed one level down when missing and stored after the read under
the same counters as the figure totals (`tiendo.figures.kept.Keeper`). So a read at the nation
reads one kept row per kind, not 100,000 units, and the counts are still exactly the live
ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.core.periods import Week
from tiendo.figures.cache import STATUS
from tiendo.figures.kept import Keeper, enabled, has_children, with_children
from tiendo.figures.sql import path_child, run
from tiendo.figures.units import Expected
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.subtrees import in_subtree, in_subtrees

_U = Unit.__table__
MARKER = ""  # the kind of the row that says "this node-week is kept"


class Tally(NamedTuple):
    """Units of one kind expected in a week: reported on time, late, not (yet) reported."""

    on_time: int = 0
    late: int = 0
    unsent: int = 0

    def add(self, other: Tally) -> Tally:
        return Tally(self.on_time + other.on_time, self.late + other.late,
                     self.unsent + other.unsent)


Counts = dict[str, Tally]  # unit kind → its tally (kinds with no expected unit left out)


def add(a: Counts, b: Counts) -> Counts:
    return {k: a.get(k, Tally()).add(b.get(k, Tally())) for k in a.keys() | b.keys()}


def _weekly(session: Session, campaign: Campaign, weeks: list[Week], expected: Expected,
            key, where) -> dict[tuple[int, str], Counts]:  # noqa: ANN001
    """Per (key, week): the counts of the expected units of `where` (conditions on the unit
    alias `u`), grouped by `key`; one UNION ALL branch per week, in one statement."""
    cal = Calendar(campaign)
    u, r = _U.alias("u"), Report.__table__.alias("r")
    per_week = []
    for n, week in enumerate(weeks):
        period = bindparam(f"w{n}", str(week), type_=String)
        joined = u.outerjoin(r, and_(r.c.campaign_id == campaign.id, r.c.unit_id == u.c.id,
                                     r.c.period == period))
        per_week.append(
            select(literal_column(str(n)).label("n"), key(u).label("node"),
                   u.c.kind.label("kind"), r.c.timeliness.label("t"))
            .select_from(joined)
            .where(where(u), expected.where(u, bindparam(f"d{n}", cal.due_date(week),
                                                         type_=Date))))
    rows = union_all(*per_week).subquery("x")

    def count(condition) -> object:  # noqa: ANN001
        return cast(func.sum(case((condition, 1), else_=0)), Integer)

    out: dict[tuple[int, str], Counts] = defaultdict(dict)
    for n, node, kind, on_time, late, unsent in run(session, select(
            rows.c.n, rows.c.node, rows.c.kind, count(rows.c.t == "on_time"),
            count(rows.c.t == "late"), count(rows.c.t.is_(None)),
    ).group_by(rows.c.n, rows.c.node, rows.c.kind)):
        out[(node, str(weeks[int(n)]))][kind] = Tally(on_time, late, unsent)
    return out


def counts_by_week(session: Session, campaign: Campaign, root: Unit, weeks: list[Week],
                   expected: Expected | None = None) -> dict[str, Counts]:
    """Per week (text): the counts over `root`'s whole subtree, live, in one statement."""
    if not weeks:
        return {}
    expected = expected or Expected.of(session, campaign)
    found = _weekly(session, campaign, weeks, expected, lambda u: literal_column(str(root.id)),
                    lambda u: in_subtree(u.c.path, root.path))
    return {str(w): found.get((root.id, str(w)), {}) for w in weeks}


def own_counts(session: Session, campaign: Campaign, nodes: list[int], weeks: list[Week],
               expected: Expected) -> dict[tuple[int, str], Counts]:
    """Per (node, week): the counts of each node itself and its childless children (its
    whole subtree when it has no grandchildren), for many nodes in one statement."""
    if not nodes or not weeks:
        return {}
    g = _U.alias("g")
    return _weekly(
        session, campaign, weeks, expected,
        lambda u: case((u.c.id.in_(nodes), u.c.id), else_=u.c.parent_id),
        lambda u: or_(u.c.id.in_(nodes), and_(u.c.parent_id.in_(nodes),
                                               ~exists().where(g.c.parent_id == u.c.id))))


class KeptCounts(Keeper):
    """One read's work on the kept counts: found, computed and to be stored."""

    table = STATUS

    def __init__(self, session: Session, campaign: Campaign,
                 expected: Expected | None = None) -> None:
        super().__init__(session, campaign)
        self.pending: dict[tuple[int, str], Counts] = {}
        self.expected = expected or Expected.of(session, campaign)

    def totals(self, nodes: list[int], weeks: list[Week]) -> dict[tuple[int, str], Counts]:
        """Per (node, week): the counts over the node's whole subtree; kept ones read in one
        statement, the others computed level by level (one statement per level) and queued
        to be stored."""
        return self._totals({n: list(weeks) for n in nodes})

    def _totals(self, wanted: dict[int, list[Week]]) -> dict[tuple[int, str], Counts]:
        wanted = {n: ws for n, ws in wanted.items() if ws}
        if not wanted:
            return {}
        names = sorted({str(w) for ws in wanted.values() for w in ws})
        found: dict[tuple[int, str], Counts] = defaultdict(dict)
        for node, week, kind, *tally in self.session.connection().execute(
                select(STATUS.c.unit_id, STATUS.c.week, STATUS.c.kind, STATUS.c.on_time,
                       STATUS.c.late, STATUS.c.unsent)
                .where(STATUS.c.campaign_id == self.campaign.id,
                       STATUS.c.unit_id.in_(sorted(wanted)), STATUS.c.week.in_(names))):
            found[(node, week)][kind] = Tally(*tally)
        out: dict[tuple[int, str], Counts] = {}
        missing: dict[int, list[Week]] = {}
        for node, ws in wanted.items():
            for week in ws:
                key = (node, str(week))
                if key in self.pending:
                    out[key] = self.pending[key]
                elif MARKER in found.get(key, {}):
                    out[key] = {k: t for k, t in found[key].items() if k != MARKER}
                else:
                    missing.setdefault(node, []).append(week)
        if not missing:
            return out
        self.stamp(list(missing))  # before any of it is computed
        self.load_branches(list(missing))
        below = self._totals({b.child.id: ws for node, ws in missing.items()
                              for b in self.branches(node)})
        weeks = sorted({w for ws in missing.values() for w in ws})
        own = own_counts(self.session, self.campaign, sorted(missing), weeks, self.expected)
        for node, ws in missing.items():
            for week in ws:
                whole = own.get((node, str(week)), {})
                for b in self.branches(node):
                    whole = add(whole, below[(b.child.id, str(week))])
                out[(node, str(week))] = self.pending[(node, str(week))] = whole
        return out

    def rows(self, kept: dict[tuple[int, str], Counts]) -> list[dict]:
        return [{"campaign_id": self.campaign.id, "unit_id": n, "week": w, "kind": kind,
                 "on_time": t.on_time, "late": t.late, "unsent": t.unsent}
                for (n, w), counts in kept.items()
                for kind, t in [(MARKER, Tally()), *sorted(counts.items())]]


def status_counts(session: Session, campaign: Campaign, root: Unit, week: Week,
                  expected: Expected | None = None) -> Counts:
    """The week's counts over `root`'s whole subtree: its kept row when there is one (a node
    with children), else computed from its children's and kept."""
    if not enabled(session) or not has_children(session, root.id):
        return counts_by_week(session, campaign, root, [week], expected)[str(week)]
    kept = KeptCounts(session, campaign, expected)
    kept.paths[root.id] = root.path
    kept.stamp([root.id])  # before anything is read, the tree's shape included
    counts = kept.totals([root.id], [week])[(root.id, str(week))]
    kept.store()
    return counts


def counts_over(session: Session, campaign: Campaign, roots: list[Unit], weeks: list[Week],
                expected: Expected) -> dict[str, Tally]:
    """Per week (text): the counts of every kind together over the disjoint subtrees at
    `roots`. Roots with children from their kept rows (one statement for all weeks), the
    others live in one statement."""
    parts: list[dict[tuple[int, str], Counts]] = []
    everything = literal_column("0")
    if roots:
        parents = with_children(session, [r.id for r in roots]) if enabled(session) else set()
        kept_roots = [r for r in roots if r.id in parents]
        live = [r.path for r in roots if r.id not in parents]
        if kept_roots:
            kept = KeptCounts(session, campaign, expected)
            kept.paths.update({r.id: r.path for r in kept_roots})
            kept.stamp([r.id for r in kept_roots])  # before anything is read
            parts.append(kept.totals([r.id for r in kept_roots], weeks))
            kept.store()
        if live:
            parts.append(_weekly(session, campaign, weeks, expected, lambda u: everything,
                                 lambda u: in_subtrees(u.c.path, live)))
    out = {str(w): Tally() for w in weeks}
    for part in parts:
        for (_, week), counts in part.items():
            for tally in counts.values():
                out[week] = out[week].add(tally)
    return out


def child_counts(session: Session, campaign: Campaign, root: Unit, week: Week,
                 expected: Expected | None = None) -> dict[int, Counts]:
    """Per child of `root`: the week's counts over the child's whole subtree. Children that
    have children from their kept rows (computed and kept when missing), childless ones live
    (one statement); with the kept counts off, all live in one statement."""
    expected = expected or Expected.of(session, campaign)
    if not enabled(session):
        start = len(root.path) + 1
        found = _weekly(session, campaign, [week], expected,
                        lambda u: path_child(u.c.path, literal_column(str(start))),
                        lambda u: and_(in_subtree(u.c.path, root.path),
                                       u.c.id != root.id))
        return {int(node): counts for (node, _), counts in found.items()}
    kept = KeptCounts(session, campaign, expected)
    kept.paths[root.id] = root.path
    kept.stamp([root.id])  # before anything is read, the tree's shape included
    branches = [b.child.id for b in kept.branches(root.id)]
    totals = kept.totals(branches, [week])
    kept.store()
    g = _U.alias("g")
    leaves = _weekly(session, campaign, [week], expected, lambda u: u.c.id,
                     lambda u: and_(u.c.parent_id == root.id,
                                    ~exists().where(g.c.parent_id == u.c.id)))
    return {**{node: counts for (node, _), counts in leaves.items()},
            **{node: totals[(node, str(week))] for node in branches}}


def returned_by_child(session: Session, campaign: Campaign, root: Unit, week: Week,
                      expected: Expected | None = None) -> dict[int, dict[str, int]]:
    """Per child of `root` (and `root` itself): how many of the week's reports in its subtree,
    of units the week expects, are returned for correction, by timeliness (on_time / late).
    Returned reports are few: the week's are found on the (campaign, period) index."""
    expected = expected or Expected.of(session, campaign)
    u, r = _U.alias("u"), Report.__table__.alias("r")
    child = path_child(u.c.path, literal_column(str(len(root.path) + 1)))
    rows = run(session, select(child, r.c.timeliness, func.count())
               .select_from(r.join(u, u.c.id == r.c.unit_id))
               .where(r.c.campaign_id == campaign.id, r.c.period == str(week),
                      r.c.status == "returned",
                      in_subtree(u.c.path, root.path),
                      expected.where(u, Calendar(campaign).due_date(week)))
               .group_by(child, r.c.timeliness))
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for node, timeliness, n in rows:
        out[int(node) if node else root.id][timeliness] = n
    return out
