"""Kept subtree totals: the tables, and their invalidation in the writer's own transaction.

`figure_total` holds, per (campaign, node, week, target), the node's WHOLE-subtree sums as the
live engine computes them (`tiendo.figures.kept` reads and fills it); `status_total`, per
(campaign, node, week, kind), the subtree's reporting counts (`tiendo.figures.status`). A row is
valid while it exists: every write that can change a figure deletes the rows it affects, in its
own transaction, through ONE entry point, `changed()`, which deletes from both tables alike.

The race: a reader computes a total from what it saw, and stores it afterwards in a short
transaction of its own; a writer may have committed and deleted in between. `figure_stamp`
holds a counter per node (and node 0 for "everything"), split into SHARDS rows: a node's counter
is the sum of its shards. A writer bumps ONE shard of each node it invalidates (the same shard
for all of them, picked from the units it wrote) and then deletes the rows; a reader reads the
sums BEFORE computing; a store locks EVERY shard of the nodes it keeps (and of node 0) and keeps
a node's rows only if its sum (and node 0's) is unchanged. Counters only grow, so an unchanged
sum means no shard moved. A writer and a store always meet on the shard the writer bumps: if the
writer committed after the reader's read, the store either waits for its lock or sees its bump;
if the store committed first, the writer's DELETE (a later statement, run after its bump waited
for the store's lock) sees the stored rows and deletes them. Writers of different shards no
longer queue behind each other's COMMIT on a hot row (the city's, bumped by every report):
before the shards, PostgreSQL served one report at a time through the row lock and the fsync.
Locks are always taken in one order, node 0 first, then nodes by path (ancestors first), shards
ascending within a node: no deadlock between writers and stores.

A change of the tree's shape (a unit moved, a subtree closed or reopened, a unit deleted)
calls `reshaped()`: it bumps node 0, so that every read in flight keeps nothing (what it read
of the tree may be the old shape), and deletes the rows of the nodes whose figures it changed:
those of the subtree moved, closed or reopened, and those above it, at its old place and at its
new one. Every other row stays valid: a node's figures depend only on the units below it (and
on the campaign's owner, whose subtree a moved unit may have entered or left: it is forgotten
with its subtree).

Writers call `changed()` (or `reshaped()`); it only records. The bumps and deletes run just
before the commit (`before_commit`), so the counters stay locked for the shortest time, and
all of a transaction's changes are applied in one sorted pass. ORM changes of units,
campaigns, metrics, targets and baselines, and ORM-enabled UPDATE/DELETE of those tables, are
recorded by session events, so no such writer can forget it (a statement that moves, closes
or reopens units says with the execution option RECORDED that its writer called
`reshaped()`); Core writes of reports (the hot paths) call `changed()` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    SmallInteger,
    TextClause,
    bindparam,
    event,
    func,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel

from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit
from tiendo.units.subtrees import in_subtree

EVERYTHING = 0  # the counter bumped when a whole campaign (or all) is invalidated
PENDING = "tiendo_figure_changes"  # session.info key: changes recorded, applied at commit
RESHAPED = "tiendo_tree_reshaped"  # session.info key: changes of the tree's shape, likewise
# Execution option of an UPDATE or DELETE of units whose writer calls `reshaped()` itself: the
# session event then does not forget every kept row (what it does for any other such statement).
RECORDED = "tiendo_figures_recorded"
PATHS = "tiendo_figure_paths"  # session.info key: paths of written units, as read (SQLite)
_UNIT_FIELDS = ("kind", "parent_id", "path", "opened_on", "closed_on", "active")


class FigureTotal(SQLModel, table=True):
    """A node's whole-subtree sums for a target at a week (see tiendo.figures.subtree.Sums;
    base_numerator is the numerator at the week the pace of `week` starts from)."""

    __tablename__ = "figure_total"
    __table_args__ = (Index("ix_figure_total_unit_week", "unit_id", "week"),)

    campaign_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    unit_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    week: str = Field(primary_key=True, max_length=10)
    target_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    expected: int
    fresh: int
    stale: int
    missing: int
    numerator: int = Field(sa_type=BigInteger)
    denominator: int = Field(sa_type=BigInteger)
    base_numerator: int = Field(sa_type=BigInteger)
    oldest_period: str | None = Field(default=None, max_length=10)


class StatusTotal(SQLModel, table=True):
    """A node's whole-subtree reporting counts for a week, per unit kind (what /completeness
    sums): units expected that week that sent their report for it on time, late, or not
    (yet): whether "not sent" is pending or missing is decided at read time. Kind '' is a
    marker with zeros: the (node, week) is kept, even when the node expects no unit."""

    __tablename__ = "status_total"
    __table_args__ = (Index("ix_status_total_unit_week", "unit_id", "week"),)

    campaign_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    unit_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    week: str = Field(primary_key=True, max_length=10)
    kind: str = Field(primary_key=True, max_length=32)
    on_time: int
    late: int
    unsent: int


class FigureStamp(SQLModel, table=True):
    """Per node, a counter bumped by every invalidation of its totals (node 0: of all), in
    SHARDS rows: the counter is their sum."""

    __tablename__ = "figure_stamp"

    unit_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    shard: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False))


TOTAL, STATUS, STAMP = FigureTotal.__table__, StatusTotal.__table__, FigureStamp.__table__
KEPT = (TOTAL, STATUS)  # every kept table: one invalidation deletes from each
# Rows per counter: concurrent writers of one node rarely pick the same one; every store locks
# them all, and a reader sums them.
SHARDS = 8


def changed(session: Session, campaign_id: int | None, unit_ids: Iterable[int] | None,
            from_week: str | None, *, paths: Mapping[int, str] | None = None) -> None:
    """Figures may have changed: of `campaign_id` (None: every campaign), for the units
    `unit_ids` (their ancestors' totals; None: every node), from `from_week` on (None: every
    week). Applied in the session's transaction just before it commits.

    `paths`: the units' paths as this transaction read them, when the caller has them. SQLite
    uses them instead of reading them again (its writer holds the database's write lock from
    its first statement: what it read is current); PostgreSQL reads every path in the
    invalidating statements themselves, at commit, where a reorganisation committed meanwhile
    is seen."""
    units = None if unit_ids is None else frozenset(unit_ids)
    if units is not None and not units:
        return
    session.info.setdefault(PENDING, []).append((campaign_id, units, from_week))
    if paths:
        session.info.setdefault(PATHS, {}).update(paths)


def reshaped(session: Session, above: Iterable[int], subtrees: Iterable[int] = (), *,
             paths: Mapping[int, str] | None = None) -> None:
    """The tree changed shape: a unit moved (`above`: its old and new parents; `subtrees`:
    the unit), a subtree closed or reopened (`above` and `subtrees`: its root), a unit deleted
    (`above`: the unit, with its last path in `paths`). At commit, every campaign's kept rows,
    of every week, are deleted for the ancestors of `above` (themselves included) and for every
    node of `subtrees`, found from their paths as they are then (after a move); other rows
    stay. Node 0's counter is bumped: no read in flight keeps anything."""
    session.info.setdefault(RESHAPED, []).append(
        (frozenset(above), frozenset(subtrees), dict(paths or {})))


def has_pending(session: Session) -> bool:
    """True when this transaction changed figures not yet invalidated: its reads go live."""
    return bool(session.info.get(PENDING) or session.info.get(RESHAPED))


def ancestors(path: str) -> list[int]:
    """Node ids of a materialised path, root first ('/1/2/17/' → [1, 2, 17])."""
    return [int(p) for p in path.strip("/").split("/") if p]


def _ints(values: Iterable[int]) -> str:
    """SQLite: ids written into the SQL (ints, nothing to escape). A bulk post invalidates
    thousands of units: thousands of bound parameters cost SQLAlchemy and the driver more than
    the statement costs SQLite, which prepares a statement in microseconds."""
    return ", ".join(str(int(v)) for v in values)


# PostgreSQL: ids as one array parameter each, so that the text never changes and psycopg
# keeps the statement prepared (planning it again for every report cost more than running it).
# ORDER BY o: rows are locked in the order given.
_PG_STAMPS = text(
    "INSERT INTO figure_stamp (unit_id, shard, stamp) "
    "SELECT u, s, :inc FROM unnest(CAST(:units AS integer[]), CAST(:shards AS smallint[])) "
    "WITH ORDINALITY AS t(u, s, o) ORDER BY o "
    "ON CONFLICT (unit_id, shard) DO UPDATE SET stamp = figure_stamp.stamp + :inc "
    "RETURNING unit_id, stamp")
_PG_PATHS = text("SELECT id, path FROM unit WHERE id = ANY(CAST(:ids AS integer[]))")
# The ancestors (the units themselves included) of the units :units, from their paths as this
# statement reads them.
_PG_ANCESTORS = ("ARRAY(SELECT DISTINCT CAST(p.node AS integer) FROM unit u, "
                 "unnest(string_to_array(btrim(u.path, '/'), '/')) AS p(node) "
                 "WHERE u.id = ANY(CAST(:units AS integer[])))")
# A writer's bump, ancestors found in SQL: one statement instead of reading the paths first.
# Locked in the stores' order: nodes by path, ancestors first (byte order, as Python sorts).
_PG_BUMP_ANCESTORS = text(
    "INSERT INTO figure_stamp (unit_id, shard, stamp) "
    f"SELECT n.id, CAST(:shard AS smallint), 1 FROM unit n WHERE n.id = ANY({_PG_ANCESTORS}) "
    'ORDER BY n.path COLLATE "C" '
    "ON CONFLICT (unit_id, shard) DO UPDATE SET stamp = figure_stamp.stamp + 1")


def _write_stamps(session: Session, keys: list[tuple[int, int]], bump: bool) -> dict[int, int]:
    """Locks the counter rows `keys` ((node, shard), in the order given, which is the order
    the database locks them in) and returns each node's sum over the rows locked. A missing
    row is created at 0 (1 when bumped); an existing one is incremented when bumped."""
    if not keys:
        return {}
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(_PG_STAMPS, {"units": [n for n, _ in keys],
                                         "shards": [s for _, s in keys], "inc": int(bump)})
    else:
        values = ", ".join(f"({_ints(key)}, {int(bump)})" for key in keys)
        new = "figure_stamp.stamp + 1" if bump else "figure_stamp.stamp"
        rows = conn.exec_driver_sql(
            f"INSERT INTO figure_stamp (unit_id, shard, stamp) VALUES {values} "
            f"ON CONFLICT (unit_id, shard) DO UPDATE SET stamp = {new} "
            "RETURNING unit_id, stamp")
    out: dict[int, int] = dict.fromkeys((node for node, _ in keys), 0)
    for node, stamp in rows:
        out[node] += stamp
    return out


def bump_stamps(session: Session, ids: list[int], shard: int) -> None:
    """A writer's bump: shard `shard` of each counter of `ids` (in the lock order) + 1."""
    _write_stamps(session, [(i, shard) for i in ids], bump=True)


def lock_stamps(session: Session, ids: list[int]) -> dict[int, int]:
    """A store's check: every shard of each counter of `ids` (in the lock order) locked, the
    counters returned (a missing row is 0 and is created, so that it is locked too)."""
    return _write_stamps(session, [(i, s) for i in ids for s in range(SHARDS)], bump=False)


_READ_STAMPS = (select(STAMP.c.unit_id, func.sum(STAMP.c.stamp))
                .where(STAMP.c.unit_id.in_(bindparam("ids", expanding=True)))
                .group_by(STAMP.c.unit_id))


def read_stamps(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """The counters of `ids` as this transaction sees them now (missing: 0)."""
    ids = sorted(set(ids))
    rows = session.connection().execute(_READ_STAMPS, {"ids": ids}).all()
    return dict.fromkeys(ids, 0) | {i: int(stamp) for i, stamp in rows}


def _where(units: str | None, campaign: bool, week: bool) -> str:
    where = [c for c, wanted in ((f"unit_id = ANY({units})", units is not None),
                                 ("campaign_id = :campaign", campaign),
                                 ("week >= :week", week)) if wanted]
    return " WHERE " + " AND ".join(where) if where else ""


@lru_cache(maxsize=16)
def _pg_delete(table: str, units: bool, campaign: bool, week: bool) -> TextClause:
    return text(f"DELETE FROM {table}"
                + _where("CAST(:units AS integer[])" if units else None, campaign, week))


@lru_cache(maxsize=8)
def _pg_delete_ancestors(campaign: bool, week: bool) -> TextClause:
    """One statement deleting from every kept table the rows of the ancestors of :units (found
    in SQL, as the bump found them). The deletes share a snapshot, taken after the bump (an
    earlier statement) had its locks: what the race argument needs."""
    where = _where("CAST((SELECT ids FROM nodes) AS integer[])", campaign, week)
    *first, last = KEPT
    ctes = [f"nodes AS (SELECT {_PG_ANCESTORS} AS ids)",
            *(f"d{i} AS (DELETE FROM {t.name}{where})" for i, t in enumerate(first))]
    return text(f"WITH {', '.join(ctes)} DELETE FROM {last.name}{where}")


def _forget(conn: Connection, campaign_id: int | None, units: list[int] | None,
            week: str | None) -> None:
    """DELETE of every kept table's rows: of the nodes `units`, of a campaign, from a week on
    (each only when given)."""
    for table in KEPT:
        if conn.dialect.name == "postgresql":
            params = {"units": units, "campaign": campaign_id, "week": week}
            conn.execute(_pg_delete(table.name, units is not None, campaign_id is not None,
                                    week is not None),
                         {k: v for k, v in params.items() if v is not None})
            continue
        where, params = [], ()
        if units is not None:
            where.append(f"unit_id IN ({_ints(units)})")
        if campaign_id is not None:
            where.append(f"campaign_id = {int(campaign_id)}")
        if week is not None:
            where.append("week >= ?")
            params = (week,)
        conn.exec_driver_sql(f"DELETE FROM {table.name}"
                             + (" WHERE " + " AND ".join(where) if where else ""), params)


def apply_pending(session: Session) -> None:
    """Runs the recorded invalidations: counters bumped (node 0, then nodes root first, one
    shard each: the one of the smallest unit written), then the rows deleted."""
    pending = session.info.pop(PENDING, None) or []
    known = session.info.pop(PATHS, None) or {}
    shapes = session.info.pop(RESHAPED, None)
    if not pending and not shapes:
        return
    conn = session.connection()
    if shapes:  # paths read before a move of this transaction are stale: read again
        known = {}
    wide = [(c, w) for c, units, w in pending if units is None]
    narrow = [(c, units, w) for c, units, w in pending if units is not None]
    if narrow and not wide and not shapes and conn.dialect.name == "postgresql":
        _apply_narrow_pg(conn, narrow)
        return
    paths: dict[int, str] = {}
    shard = 0
    if narrow:
        ids = sorted(set().union(*(units for _, units, _ in narrow)))
        paths = {i: known[i] for i in ids if i in known}
        paths |= _paths_of(conn, (i for i in ids if i not in paths))
        shard = ids[0] % SHARDS
    nodes: dict[int, str] = {}
    for path in paths.values():
        for n, node in enumerate(ancestors(path)):
            nodes[node] = "/" + "/".join(path.strip("/").split("/")[:n + 1]) + "/"
    order = ([EVERYTHING] if wide or shapes else []) + sorted(nodes, key=lambda n: nodes[n])
    bump_stamps(session, order, shard)
    for campaign_id, week in wide:
        _forget(conn, campaign_id, None, week)
    for campaign_id, units, week in narrow:
        mine = sorted({a for u in units if u in paths for a in ancestors(paths[u])})
        if mine:
            _forget(conn, campaign_id, mine, week)
    if shapes and (reshaped_nodes := _reshaped_nodes(conn, shapes)):
        _forget(conn, None, sorted(reshaped_nodes), None)


def _paths_of(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """The units' paths as this transaction sees them now (a unit gone: none)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    if conn.dialect.name == "postgresql":
        return dict(conn.execute(_PG_PATHS, {"ids": ids}).all())
    return dict(conn.exec_driver_sql(f"SELECT id, path FROM unit WHERE id IN ({_ints(ids)})")
                .all())


def _reshaped_nodes(conn: Connection, shapes: list[tuple[frozenset[int], frozenset[int],
                                                         dict[int, str]]]) -> frozenset[int]:
    """The nodes whose figures a change of the tree's shape changed (see `reshaped`)."""
    given = {i: p for _, _, paths in shapes for i, p in paths.items()}
    above = set().union(*(a for a, _, _ in shapes))
    paths = {i: given[i] for i in above if i in given} | _paths_of(conn, above - given.keys())
    nodes = {n for path in paths.values() for n in ancestors(path)}  # themselves included
    u = Unit.__table__.c
    for path in _paths_of(conn, set().union(*(t for _, t, _ in shapes))).values():
        nodes.update(conn.execute(select(u.id).where(in_subtree(u.path, path))).scalars())
    return frozenset(nodes)


def _apply_narrow_pg(conn: Connection,
                     narrow: list[tuple[int | None, frozenset[int], str | None]]) -> None:
    """PostgreSQL, units' invalidations only (every write of reports): the bump, then one
    DELETE per change, each finding the ancestors from the paths itself: two statements for a
    report instead of four (reading the paths, the bump, a delete per kept table)."""
    ids = sorted(set().union(*(units for _, units, _ in narrow)))
    conn.execute(_PG_BUMP_ANCESTORS, {"units": ids, "shard": ids[0] % SHARDS})
    for campaign_id, units, week in narrow:
        params = {"units": sorted(units), "campaign": campaign_id, "week": week}
        conn.execute(_pg_delete_ancestors(campaign_id is not None, week is not None),
                     {k: v for k, v in params.items() if v is not None})


def forget(conn: Connection, campaign_id: int | None) -> None:
    """For writers on a bare connection (the benchmark's generator): the campaign's kept
    totals (None: all) invalidated now, in the connection's transaction."""
    with Session(bind=conn) as session:
        changed(session, campaign_id, None, None)
        apply_pending(session)


# --- session events: every ORM writer is covered without knowing it --------------------------
def _record_objects(session: OrmSession, flush_context, objects=None) -> None:  # noqa: ANN001
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Unit):
            _unit_written(session, obj)
        elif isinstance(obj, Baseline):
            changed(session, obj.campaign_id, [obj.unit_id], None)
        elif isinstance(obj, Report):
            changed(session, obj.campaign_id, [obj.unit_id], obj.period)
        elif isinstance(obj, Campaign):
            if obj not in session.new and _figures_depend_on_change(obj):
                changed(session, obj.id, None, None)
        elif isinstance(obj, Target | Metric):
            changed(session, obj.campaign_id, None, None)
        elif isinstance(obj, ReportValue):
            changed(session, None, None, None)


# A campaign's fields no figure depends on. A new configuration tag alone is what a quality
# rule's edit gives the campaign (`touch_config`): it must not cost a national campaign every
# kept total. Its metrics and targets are recorded as themselves when they change.
_NOT_IN_FIGURES = frozenset({"name", "description", "config_tag", "public_leaderboard",
                             "is_demo", "report_settings"})


def _figures_depend_on_change(campaign: Campaign) -> bool:
    """Whether some field the figures depend on (dates, due day and time, time zone, owner…)
    is among the campaign's changes being flushed."""
    return any(attr.history.has_changes() for attr in sa_inspect(campaign).attrs
               if attr.key not in _NOT_IN_FIGURES)


def _unit_written(session: OrmSession, unit: Unit) -> None:
    """A unit created, or its dates or kind edited on it, changes the totals of the units
    above it and its own, nothing else (whether a unit is expected depends on its own dates and
    kind): those are forgotten, in every campaign and week, not the nation's whole cache (one
    school added would otherwise cost the next national read of every week minutes). A unit
    deleted, or moved to another parent, changes the tree's shape: `reshaped`. (Closing or
    reopening a subtree, and moving one, write by statement: their writers call `reshaped`.)"""
    state = sa_inspect(unit)
    if unit in session.deleted:
        reshaped(session, [unit.id], paths={unit.id: unit.path})
        return
    if unit in session.new:  # flushed without its path (it holds its own id): the parent's
        if unit.parent_id is None:
            changed(session, None, None, None)
        else:
            changed(session, None, [unit.parent_id], None)
        return
    if not any(state.attrs[f].history.has_changes() for f in _UNIT_FIELDS):
        return
    path, parent = state.attrs.path.history, state.attrs.parent_id.history
    if parent.has_changes():  # moved: see `reshaped`
        if parent.deleted:
            reshaped(session, [p for p in (*parent.deleted, unit.parent_id) if p is not None],
                     [unit.id])
        else:  # the old parent unknown
            changed(session, None, None, None)
    elif any(p for p in path.deleted):  # a path rewritten on the object: anything may follow
        changed(session, None, None, None)
    else:  # a new unit's path set, or its dates or kind changed
        changed(session, None, [unit.id], None, paths={unit.id: unit.path})


_WATCHED = {Unit.__table__, Campaign.__table__, Metric.__table__, Target.__table__,
            Baseline.__table__}


def _record_statement(state: ORMExecuteState) -> None:
    """session.exec(update(Unit)…) and the like: whole-cache invalidation (rare writes),
    unless the writer recorded what it changed itself (execution option RECORDED)."""
    if (state.is_update or state.is_delete or state.is_insert) \
            and getattr(state.statement, "table", None) in _WATCHED \
            and not state.execution_options.get(RECORDED):
        changed(state.session, None, None, None)


def _before_commit(session: OrmSession) -> None:
    if has_pending(session) or session.new or session.dirty or session.deleted:
        session.flush()
        apply_pending(session)


def _after_soft_rollback(session: OrmSession, previous) -> None:  # noqa: ANN001
    if previous.parent is None:
        for key in (PENDING, PATHS, RESHAPED):
            session.info.pop(key, None)


event.listen(OrmSession, "after_flush", _record_objects)
event.listen(OrmSession, "do_orm_execute", _record_statement)
event.listen(OrmSession, "before_commit", _before_commit)
event.listen(OrmSession, "after_soft_rollback", _after_soft_rollback)

