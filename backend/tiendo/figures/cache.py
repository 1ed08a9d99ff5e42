"""Kept subtree totals: the tables, and their invalidation in the writer's own transaction.

`figure_total` holds, per (campaign, node, week, target), the node's WHOLE-subtree sums as the
live engine computes them (`tiendo.figures.kept` reads and fills it); `status_total`, per
(campaign, node, week, kind), the subtree's reporting counts (`tiendo.figures.status`). A row is
valid while it exists: every write that can change a figure deletes the rows it affects, in its
own transaction, through ONE entry point, `changed()`, which deletes from both tables alike.

The race: a reader computes a total from what it saw, and stores it afterwards in a short
transaction of its own; a writer may have committed and deleted in between. `figure_stamp`
holds a counter per node (and row 0 for "everything"); writers bump the counters of the nodes
they invalidate, readers read them BEFORE computing, and store a row only if the node's counter
(and row 0) are unchanged, checked under the row locks the writer also takes. Locks are always
taken row 0 first, then nodes by path (ancestors first): no deadlock between writers and stores.

Writers call `changed()`; it only records. The bumps and deletes run just before the commit
(`before_commit`), so the hot counters (the nation's, bumped by every report) stay locked for
the shortest time, and all of a transaction's changes are applied in one sorted pass. ORM
changes of units, campaigns, metrics, targets and baselines, and ORM-enabled UPDATE/DELETE of
those tables, are recorded by session events, so no such writer can forget it; Core writes of
reports (the hot paths) call `changed()` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, Column, Connection, Index, Integer, delete, event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel

from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

EVERYTHING = 0  # the figure_stamp row bumped when a whole campaign (or all) is invalidated
PENDING = "tiendo_figure_changes"  # session.info key: changes recorded, applied at commit
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
    """Per node, a counter bumped by every invalidation of its totals (row 0: of all)."""

    __tablename__ = "figure_stamp"

    unit_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False))


TOTAL, STATUS, STAMP = FigureTotal.__table__, StatusTotal.__table__, FigureStamp.__table__
KEPT = (TOTAL, STATUS)  # every kept table: one invalidation deletes from each


def changed(session: Session, campaign_id: int | None, unit_ids: Iterable[int] | None,
            from_week: str | None) -> None:
    """Figures may have changed: of `campaign_id` (None: every campaign), for the units
    `unit_ids` (their ancestors' totals; None: every node), from `from_week` on (None: every
    week). Applied in the session's transaction just before it commits."""
    units = None if unit_ids is None else frozenset(unit_ids)
    if units is not None and not units:
        return
    session.info.setdefault(PENDING, []).append((campaign_id, units, from_week))


def has_pending(session: Session) -> bool:
    """True when this transaction changed figures not yet invalidated: its reads go live."""
    return bool(session.info.get(PENDING))


def ancestors(path: str) -> list[int]:
    """Node ids of a materialised path, root first ('/1/2/17/' → [1, 2, 17])."""
    return [int(p) for p in path.strip("/").split("/") if p]


def lock_stamps(session: Session, ids: list[int], bump: bool) -> dict[int, int]:
    """Locks the counters of `ids` (in the order given) and returns them; `bump` adds 1.
    A missing counter is 0 and is created."""
    if not ids:
        return {}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(STAMP).values([{"unit_id": i, "stamp": 1 if bump else 0} for i in ids])
    stmt = stmt.on_conflict_do_update(
        index_elements=["unit_id"],
        set_={"stamp": STAMP.c.stamp + 1 if bump else STAMP.c.stamp},
    ).returning(STAMP.c.unit_id, STAMP.c.stamp)
    return dict(session.connection().execute(stmt).all())


def read_stamps(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """The counters of `ids` as this transaction sees them now (missing: 0)."""
    ids = sorted(set(ids))
    rows = session.connection().execute(
        select(STAMP.c.unit_id, STAMP.c.stamp).where(STAMP.c.unit_id.in_(ids))).all()
    return {i: 0 for i in ids} | dict(rows)


def apply_pending(session: Session) -> None:
    """Runs the recorded invalidations: counters bumped (row 0, then nodes root first), then
    the rows deleted."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    conn = session.connection()
    wide = [(c, w) for c, units, w in pending if units is None]
    narrow = [(c, units, w) for c, units, w in pending if units is not None]
    paths: dict[int, str] = {}
    if narrow:
        ids = sorted(set().union(*(units for _, units, _ in narrow)))
        paths = dict(conn.execute(select(Unit.__table__.c.id, Unit.__table__.c.path)
                                  .where(Unit.__table__.c.id.in_(ids))).all())
    nodes: dict[int, str] = {}
    for path in paths.values():
        for n, node in enumerate(ancestors(path)):
            nodes[node] = "/" + "/".join(path.strip("/").split("/")[:n + 1]) + "/"
    order = ([EVERYTHING] if wide else []) + sorted(nodes, key=lambda n: nodes[n])
    lock_stamps(session, order, bump=True)
    for table in KEPT:
        for campaign_id, week in wide:
            conn.execute(_delete(table, campaign_id, None, week))
        for campaign_id, units, week in narrow:
            mine = sorted({a for u in units if u in paths for a in ancestors(paths[u])})
            if mine:
                conn.execute(_delete(table, campaign_id, mine, week))


def _delete(table, campaign_id: int | None, nodes: list[int] | None,  # noqa: ANN001
            week: str | None):  # noqa: ANN202
    stmt = delete(table)
    if nodes is not None:
        stmt = stmt.where(table.c.unit_id.in_(nodes))
    if campaign_id is not None:
        stmt = stmt.where(table.c.campaign_id == campaign_id)
    if week is not None:
        stmt = stmt.where(table.c.week >= week)
    return stmt


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
            state = sa_inspect(obj)
            if (obj in session.new or obj in session.deleted
                    or any(state.attrs[f].history.has_changes() for f in _UNIT_FIELDS)):
                changed(session, None, None, None)
        elif isinstance(obj, Baseline):
            changed(session, obj.campaign_id, [obj.unit_id], None)
        elif isinstance(obj, Report):
            changed(session, obj.campaign_id, [obj.unit_id], obj.period)
        elif isinstance(obj, Campaign):
            if obj not in session.new:
                changed(session, obj.id, None, None)
        elif isinstance(obj, Target | Metric):
            changed(session, obj.campaign_id, None, None)
        elif isinstance(obj, ReportValue):
            changed(session, None, None, None)


_WATCHED = {Unit.__table__, Campaign.__table__, Metric.__table__, Target.__table__,
            Baseline.__table__}


def _record_statement(state: ORMExecuteState) -> None:
    """session.exec(update(Unit)…) and the like: whole-cache invalidation (rare writes)."""
    if (state.is_update or state.is_delete or state.is_insert) \
            and getattr(state.statement, "table", None) in _WATCHED:
        changed(state.session, None, None, None)


def _before_commit(session: OrmSession) -> None:
    if session.info.get(PENDING) or session.new or session.dirty or session.deleted:
        session.flush()
        apply_pending(session)


def _after_soft_rollback(session: OrmSession, previous) -> None:  # noqa: ANN001
    if previous.parent is None:
        session.info.pop(PENDING, None)


event.listen(OrmSession, "after_flush", _record_objects)
event.listen(OrmSession, "do_orm_execute", _record_statement)
event.listen(OrmSession, "before_commit", _before_commit)
event.listen(OrmSession, "after_soft_rollback", _after_soft_rollback)

