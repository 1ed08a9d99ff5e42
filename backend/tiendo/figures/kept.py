"""Progress sums and weekly totals read from kept subtree totals: what GET /progress and the
series cost is the children shown × the weeks, not the units below them.

A read at root R and week W: R's children are read from `figure_total` (a child with children
of its own: its whole subtree's sums; a childless child: its own figures, which is the same
thing), in one statement with R's own row; R itself, and the childless children whose row is
missing, with the engine's statement restricted to them (`sums_by_target(units=…)`, or
`shallow=True` when most are missing). A missing total of a child with children is computed
the same way one level down (recursively). Whatever was computed is stored. A progress read,
which shows R's total and not R's own line, runs no engine statement at all once R's row and
its children's are kept: the total is R's row, from the same snapshot as the parts. So every
figure is a sum of the engine's own per-unit figures: exactly the live answer, by construction.
A week's series keeps no childless unit's rows: a leaf's series is its own reports, read live.

Storing happens after the read, in a short transaction of its own (a GET's transaction is a
reader's): on SQLite only when the process's write lock is free, on PostgreSQL with a short lock
timeout; when busy, the totals are simply not kept this time. A row is stored only when the
counters read before computing it are still current (see tiendo.figures.cache).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    exists,
    or_,
    select,
    true,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from tiendo.campaigns.models import Campaign, Target
from tiendo.config import get_settings
from tiendo.core.periods import Week
from tiendo.figures import series as live_series
from tiendo.figures import subtree as live
from tiendo.figures.cache import EVERYTHING, TOTAL, has_pending, lock_stamps, read_stamps
from tiendo.figures.series import WeekTotal
from tiendo.figures.subtree import Child, SubtreeSums, Sums
from tiendo.figures.weekly import sums_by_week
from tiendo.units.models import Unit

log = logging.getLogger(__name__)
_U = Unit.__table__
_FIELDS = ("expected", "fresh", "stale", "missing", "numerator", "denominator",
           "oldest_period", "base_numerator")


class Found(NamedTuple):
    """What a read finds kept of a root and its children at a week."""

    root: dict[int, Sums] | None  # the root's rows by target; None unless every target's is
    parts: SubtreeSums  # the children with a row of every target, as parts of a read's sums
    children: dict[int, Child]  # every child
    missing: list[int]  # the children without a row of every target


class Branch(NamedTuple):
    """A child that has children: its sums come from the kept totals."""

    child: Child
    path: str


def enabled(session: Session) -> bool:
    """Kept totals are read unless switched off, or this transaction has changed figures it
    has not yet invalidated (its own writes would not show)."""
    return get_settings().figure_cache and not has_pending(session)


# Missing rows of childless children computed by id up to this many; more (a first read): the
# statement over the root and all its childless children, which costs what the children cost.
LISTED_MAX = 100


@lru_cache(maxsize=16)
def _children_at(lateral: bool, targets: int) -> Select:
    """:root and its children, and each one's kept row at :week of each of `targets` targets
    (:t0, :t1 …; NULLs where there is none): one row per unit, one probe per unit and target.
    One statement, so one snapshot: a root answered from it alone shows a total that is the sum
    of the parts it shows. Whether a child has children of its own is not asked here (one more
    probe per child, a third of the statement's work): only a read that finds rows missing
    needs to know. `lateral` (PostgreSQL): the rows are looked up child by child, whatever the
    table's statistics say; from a freshly filled table's, the planner would rather hash every
    kept row of the campaign for the week. SQLite looks them up so anyway, and has no LATERAL."""
    child = (select(_U.c.id, _U.c.code, _U.c.name, _U.c.kind, _U.c.path)
             .where(or_(_U.c.parent_id == bindparam("root"), _U.c.id == bindparam("root")))
             .subquery("c"))

    def row_of(table: Table, i: int) -> ColumnElement[bool]:
        return and_(table.c.campaign_id == bindparam("campaign"), table.c.unit_id == child.c.id,
                    table.c.week == bindparam("week"), table.c.target_id == bindparam(f"t{i}"))

    joined, columns = child, []
    for i in range(targets):
        if lateral:
            # OFFSET 0: else PostgreSQL pulls the subquery up into a plain join, and hashes.
            k = (select(*(TOTAL.c[f] for f in _FIELDS)).where(row_of(TOTAL, i)).offset(0)
                 .lateral(f"k{i}"))
            joined = joined.outerjoin(k, true())
        else:
            k = TOTAL.alias(f"k{i}")
            joined = joined.outerjoin(k, row_of(k, i))
        columns += [k.c[f] for f in _FIELDS]
    return select(*child.c, *columns).select_from(joined)


def has_children(session: Session, node: int) -> bool:
    """Whether some unit has `node` as its parent."""
    return session.connection().execute(select(exists().where(_U.c.parent_id == node))).scalar()


def with_children(session: Session, nodes: list[int]) -> set[int]:
    """Those of `nodes` that are some unit's parent (one statement for many)."""
    return set(session.connection().execute(
        select(_U.c.parent_id).where(_U.c.parent_id.in_(nodes)).distinct()).scalars())


def pace_base_week(campaign: Campaign, week: Week) -> Week:
    from tiendo.progress.service import pace_base  # the pace's rule lives with the pace

    return pace_base(campaign, week)[0]


class Keeper:
    """What every kept table shares: the tree's shape, the counters read before computing, and
    the store after the read. A subclass fills `pending` ((node, week) → what to keep) and
    says how it becomes rows of `table` (keyed by campaign, node and week)."""

    table: Table

    def __init__(self, session: Session, campaign: Campaign) -> None:
        self.session, self.campaign = session, campaign
        self.stamps: dict[int, int] = {}
        self.paths: dict[int, str] = {}
        self.pending: dict[tuple[int, str], object] = {}
        self._branches: dict[int, list[Branch]] = {}

    # --- structure ---------------------------------------------------------------------------
    def branches(self, node: int) -> list[Branch]:
        """The node's children that have children, in id order."""
        self.load_branches([node])
        return self._branches[node]

    def load_branches(self, nodes: list[int]) -> None:
        """The children that have children of all these nodes, in one statement."""
        todo = sorted(set(nodes) - self._branches.keys())
        if not todo:
            return
        g = _U.alias("g")
        rows = self.session.connection().execute(
            select(_U.c.parent_id, _U.c.id, _U.c.code, _U.c.name, _U.c.kind, _U.c.path)
            .where(_U.c.parent_id.in_(todo), exists().where(g.c.parent_id == _U.c.id))
            .order_by(_U.c.id)).all()
        for node in todo:
            self._branches[node] = []
        for parent, *child, path in rows:
            self._branches[parent].append(Branch(Child(*child), path))
            self.paths[child[0]] = path

    def stamp(self, nodes: list[int]) -> None:
        """Reads the counters of `nodes` (and row 0) before anything computed from them."""
        todo = [n for n in nodes if n not in self.stamps]
        if todo:
            self.stamps.update(read_stamps(self.session, [EVERYTHING, *todo]))

    # --- storing -----------------------------------------------------------------------------
    def store(self, wait: bool = False) -> None:
        """Keeps what was computed (`wait`: for the lock, as the rebuild command does)."""
        if not self.pending:
            return
        bind = self.session.get_bind()
        if isinstance(bind, Connection):  # a test's single connection: a savepoint in it
            with self.session.begin_nested():
                self._write(self.session)
            return
        from tiendo.db import WRITE_OPTION, write_lock

        pool = bind.pool
        if not wait and isinstance(pool, QueuePool) and \
                pool.checkedout() >= pool.size() + max(pool._max_overflow, 0):
            return  # no connection to spare: a reader must not wait for one while it holds one
        lock = write_lock(bind)
        if lock is not None and not lock.acquire(blocking=wait):
            return  # a writer is at work: keep nothing this time
        try:
            with Session(bind, expire_on_commit=False) as s:
                conn = s.connection(execution_options={WRITE_OPTION: True} if lock else {})
                if bind.dialect.name == "postgresql" and not wait:
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                self._write(s)
                s.commit()
        except OperationalError as exc:  # lock timeout or busy: the next read keeps them
            log.info("%s not kept: %s", self.table.name, exc.__class__.__name__)
        finally:
            if lock is not None:
                lock.release()

    def _write(self, s: Session) -> None:
        nodes = sorted({n for n, _ in self.pending}, key=lambda n: self.paths.get(n, ""))
        now = lock_stamps(s, [EVERYTHING, *nodes])
        if now[EVERYTHING] != self.stamps.get(EVERYTHING):
            return
        fresh = {n for n in nodes if now[n] == self.stamps.get(n)}
        rows = self.rows({key: value for key, value in self.pending.items()
                          if key[0] in fresh})
        if not rows:
            return
        conn = s.connection()
        # Nodes grouped by the weeks they store (mostly one group: every node, the same weeks),
        # each group one DELETE of its nodes × weeks. Not IN over (node, week) pairs: PostgreSQL
        # expands that into a chain of ORs, and a nation's 5,000 pairs overflow its stack.
        weeks: dict[int, set[str]] = defaultdict(set)
        for r in rows:
            weeks[r["unit_id"]].add(r["week"])
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for node, its_weeks in weeks.items():
            groups[tuple(sorted(its_weeks))].append(node)
        for its_weeks, group in groups.items():
            conn.execute(self.table.delete().where(
                self.table.c.campaign_id == self.campaign.id,
                self.table.c.unit_id.in_(sorted(group)), self.table.c.week.in_(its_weeks)))
        conn.execute(self.table.insert(), rows)

    def rows(self, kept: dict[tuple[int, str], object]) -> list[dict]:
        """The table's rows for these (node, week) → value."""
        raise NotImplementedError


class Kept(Keeper):
    """One read's work on the progress totals: totals found, computed and to be stored."""

    table = TOTAL

    def __init__(self, session: Session, campaign: Campaign, targets: list[Target]) -> None:
        super().__init__(session, campaign)
        self.targets = targets
        self.target_ids = sorted(t.id for t in targets)
        self.pending: dict[tuple[int, str], dict[int, Sums]] = {}

    # --- reads -------------------------------------------------------------------------------
    def per_child(self, root: Unit, week: Week, with_base: bool = True,
                  root_line: bool = True) -> SubtreeSums:
        """Every target's sums per direct child of `root` at `week` (as the live engine's
        sums_by_target gives them; the pace's base numerator included when `with_base`), and
        the root's own line when `root_line`. Without it (GET /progress, which shows the whole
        subtree and its children), a root whose row and whose children's rows are all kept
        is answered from that one statement: no live statement at all."""
        found = self.found(root, week, with_base)
        whole = found.root if with_base and not root_line and not found.missing else None
        if whole is not None:  # every part from one statement: the total is theirs
            sums = SubtreeSums({t: {} for t in self.target_ids}, {}, kept_total=whole)
            _merge(sums, found.parts)
            return sums
        # Which children have children: a missing one is summed from its own children's rows
        # (`totals`), a childless one live with the root. Asked of the missing ones, or of all
        # (one statement either way) when so many are missing that the live part may sum every
        # childless child: then only the others' rows are added.
        many = len(found.missing) > LISTED_MAX
        nodes = (with_children(self.session, list(found.children) if many else found.missing)
                 if found.missing else set())
        leaves = [n for n in found.missing if n not in nodes]
        sums = self.live_part(root, week, leaves, with_base)
        _merge(sums, found.parts, only=nodes if len(leaves) > LISTED_MAX else None)
        branches = [n for n in found.missing if n in nodes]
        below = self.totals(branches, [week])
        for n in branches:
            key, child = str(n), found.children[n]
            for t, s in below[(n, str(week))].items():
                if s.expected:
                    sums.by_target[t][key] = s if with_base else _no_base(s)
                    sums.children[key] = child
        if with_base and found.root is None and root.id in self.stamps:
            # The root's total, summed by this read: kept too (its counter was read before the
            # read began). Kept already: nothing is written (a read that keeps nothing writes
            # nothing: no transaction, no lock on node 0's counter that every store takes).
            self.pending[(root.id, str(week))] = {t: sums.total(t) for t in self.target_ids}
        return sums

    def found(self, root: Unit, week: Week, with_base: bool) -> Found:
        """What is kept of `root` and its children at `week` (`_children_at`), in one
        statement."""
        conn = self.session.connection()
        targets = self.target_ids
        params = {"campaign": self.campaign.id, "week": str(week), "root": root.id,
                  **{f"t{i}": t for i, t in enumerate(targets)}}
        statement = _children_at(conn.dialect.name == "postgresql", len(targets))
        found = Found(None, SubtreeSums({t: {} for t in targets}, {}), {}, [])
        width, paths = len(_FIELDS), {}
        for n, code, name, kind, path, *fields in conn.execute(statement, params).all():
            paths[n] = path
            counted, complete = [], True
            for i, t in enumerate(targets):
                row = fields[i * width:(i + 1) * width]
                if row[0] is None:  # no row of this target
                    complete = False
                    break
                if row[0]:  # expected: the target counts some unit of it
                    counted.append((t, row))
            if n == root.id:
                if complete:
                    found = found._replace(root={t: Sums() for t in targets}
                                           | {t: Sums(*row) for t, row in counted})
                continue
            found.children[n] = child = Child(n, code, name, kind)
            if not complete:
                found.missing.append(n)
                continue
            key = str(n)
            for t, row in counted:
                # A row is Sums' fields in order, the pace's base numerator last: a read
                # without a base shows 0.
                found.parts.by_target[t][key] = Sums(*row) if with_base else Sums(*row[:-1])
                found.parts.children[key] = child
        self.paths.update(paths)
        return found

    def live_part(self, root: Unit, week: Week, missing: list[int],
                  with_base: bool) -> SubtreeSums:
        """The root's own sums and those of its childless children without a kept row, by the
        engine's statement (restricted to them; over all the childless children when more than
        LISTED_MAX are missing: a first read); queued to be kept when the pace's base is asked
        (the rows hold it)."""
        if missing and with_base:
            self.stamp(missing)  # before they are computed
        base = pace_base_week(self.campaign, week) if with_base else None
        listed = len(missing) <= LISTED_MAX
        sums = live.sums_by_target(self.session, self.campaign, self.targets, root, week, base,
                                   shallow=not listed,
                                   units=[root.id, *missing] if listed else None)
        for n in missing if with_base else ():
            key = str(n)
            self.pending[(n, str(week))] = {t: sums.by_target[t].get(key, Sums())
                                            for t in self.target_ids}
        return sums

    def totals(self, nodes: list[int], weeks: list[Week]) -> dict[tuple[int, str], dict[int,
                                                                                   Sums]]:
        """Per (node, week): every target's sums over the node's whole subtree; kept ones
        read in one statement, the others computed (and queued to be stored)."""
        if not nodes or not weeks:
            return {}
        found: dict[tuple[int, str], dict[int, Sums]] = defaultdict(dict)
        names = [str(w) for w in weeks]
        cols = [TOTAL.c[f] for f in _FIELDS]
        for row in self.session.connection().execute(
                select(TOTAL.c.unit_id, TOTAL.c.week, TOTAL.c.target_id, *cols).where(
                    TOTAL.c.campaign_id == self.campaign.id, TOTAL.c.unit_id.in_(nodes),
                    TOTAL.c.week.in_(names), TOTAL.c.target_id.in_(self.target_ids))):
            found[(row[0], row[1])][row[2]] = Sums(*row[3:])
        out: dict[tuple[int, str], dict[int, Sums]] = {}
        missing: dict[int, list[Week]] = defaultdict(list)
        for node in nodes:
            for week in weeks:
                got = self.pending.get((node, str(week))) or found.get((node, str(week)), {})
                if len(got) == len(self.target_ids):
                    out[(node, str(week))] = got
                else:
                    missing[node].append(week)
        if missing:
            self.stamp(list(missing))  # before any of it is computed
            units = {u.id: u for u in self.session.connection().execute(
                select(_U).where(_U.c.id.in_(list(missing)))).all()}
            for node, ws in missing.items():
                # The node itself and its childless children for every week in one statement,
                # plus its other children's kept totals.
                branches = self.branches(node)
                below = self.totals([b.child.id for b in branches], ws)
                own = sums_by_week(self.session, self.campaign, self.targets, units[node], ws,
                                   [pace_base_week(self.campaign, w) for w in ws],
                                   shallow=bool(branches))
                for week in ws:
                    whole = {}
                    for t in self.targets:
                        sums = own[str(week)][t.id]
                        for b in branches:
                            sums = sums.add(below[(b.child.id, str(week))][t.id])
                        whole[t.id] = sums
                    out[(node, str(week))] = whole
                    self.pending[(node, str(week))] = whole
        return out

    def rows(self, kept: dict[tuple[int, str], dict[int, Sums]]) -> list[dict]:
        return [{"campaign_id": self.campaign.id, "unit_id": n, "week": w, "target_id": t,
                 **{f: getattr(sums, f) for f in _FIELDS}}
                for (n, w), by_target in kept.items() for t, sums in by_target.items()]


def _merge(sums: SubtreeSums, parts: SubtreeSums, only: set[int] | None = None) -> None:
    """`parts` (children's sums) into a read's `sums`; `only` those of these children."""
    keep = None if only is None else {str(n) for n in only}
    for t, by_child in parts.by_target.items():
        sums.by_target[t].update(by_child if keep is None else
                                 {k: s for k, s in by_child.items() if k in keep})
    sums.children.update(parts.children if keep is None else
                         {k: c for k, c in parts.children.items() if k in keep})


def _no_base(s: Sums) -> Sums:
    return Sums(s.expected, s.fresh, s.stale, s.missing, s.numerator, s.denominator,
                s.oldest_period, 0)


# --- the two reads the rest of the app calls --------------------------------------------------
def sums_by_target(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                   week: Week, base_week: Week | None = None,
                   root_line: bool = True) -> SubtreeSums:
    """tiendo.figures.subtree.sums_by_target, from the kept totals where they help. Without
    `root_line` the root's own line may be left out (its total is whole: `SubtreeSums.total`)."""
    if (not enabled(session) or not targets
            or (base_week is not None and base_week != pace_base_week(campaign, week))):
        return live.sums_by_target(session, campaign, targets, root, week, base_week)
    if not has_children(session, root.id):  # a leaf: its own reports, one statement
        return live.sums_by_target(session, campaign, targets, root, week, base_week)
    kept = Kept(session, campaign, targets)
    kept.paths[root.id] = root.path
    kept.stamp([root.id])  # before anything kept is computed, the tree's shape included
    sums = kept.per_child(root, week, base_week is not None, root_line)
    kept.store()
    return sums


def totals_by_week(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                   weeks: list[Week]) -> dict[int, list[WeekTotal]]:
    """tiendo.figures.series.totals_by_week, from the kept totals where they help."""
    if not enabled(session) or not targets or not weeks:
        return live_series.totals_by_week(session, campaign, targets, root, weeks)
    # Kept down to a parent of leaves (unlike one week's sums): a district's 1,000 units over
    # three years of weeks cost 2.5 s live at each read. A leaf's series is its own reports:
    # one unit, read live, and no kept rows for every leaf of the nation.
    if not has_children(session, root.id):
        return live_series.totals_by_week(session, campaign, targets, root, weeks)
    kept = Kept(session, campaign, targets)
    kept.paths[root.id] = root.path
    kept.stamp([root.id])
    if not has_children(session, root.id):  # its children moved away meanwhile
        return live_series.totals_by_week(session, campaign, targets, root, weeks)
    totals = kept.totals([root.id], weeks)
    kept.store()
    out: dict[int, list[WeekTotal]] = {t.id: [] for t in targets}
    for week in weeks:
        for t in targets:
            s = totals[(root.id, str(week))][t.id]
            if s.expected:
                out[t.id].append(WeekTotal(str(week), s.expected, s.numerator, s.denominator))
    return out

