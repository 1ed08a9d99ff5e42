"""The SQL pieces every figure is built from, and the one definition of a unit's figure.

A unit's figure at a week is the value in its latest report for the campaign AT OR BEFORE that
week: its report for the week itself when there is one ("fresh"), else its newest earlier one,
carried forward ("stale"). `report_for` and `report_before` are the two index seeks on the
unique (campaign, unit, period) key that make it; `report_at` is their union in one seek.
Every statement in this package, and the checks of a new report against the previous one,
read reports only through them.
"""

from __future__ import annotations

from sqlalchemy import ScalarSelect, String, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from tiendo.reports.models import Report

_REPORT = Report.__table__


def report_for(r, campaign, unit_id, week) -> ScalarSelect:  # noqa: ANN001
    """The unit's report for exactly `week` (an equality seek), or NULL."""
    return (select(r.c.id).where(r.c.campaign_id == campaign, r.c.unit_id == unit_id,
                                 r.c.period == week).scalar_subquery())


def report_before(r, campaign, unit_id, week) -> ScalarSelect:  # noqa: ANN001
    """The unit's newest report before `week` (carried forward into it), or NULL."""
    return (select(r.c.id).where(r.c.campaign_id == campaign, r.c.unit_id == unit_id,
                                 r.c.period < week)
            .order_by(r.c.period.desc()).limit(1).scalar_subquery())


def report_at(r, campaign, unit_id, week) -> ScalarSelect:  # noqa: ANN001
    """The report a unit's figure at `week` comes from: its newest at or before the week."""
    return (select(r.c.id).where(r.c.campaign_id == campaign, r.c.unit_id == unit_id,
                                 r.c.period <= week)
            .order_by(r.c.period.desc()).limit(1).scalar_subquery())


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


def run(session: Session, stmt, params: dict | None = None):  # noqa: ANN001, ANN202
    """A Core statement on the session's connection (no ORM layer: rows are plain)."""
    return session.connection().execute(stmt, params or {})


