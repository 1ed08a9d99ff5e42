"""Subtrees of the unit tree as SQL: a unit's path (`/1/2/17/`, ids) and the paths below it.

A subtree is a range of paths, never LIKE: SQLite's LIKE ignores case and cannot use the path
index; PostgreSQL's path index compares with the pattern operators (`~>=~`, `~<~`: byte order,
whatever the database's collation), which a LIKE with an ESCAPE does not reach, and the generic
plan of a prepared `path LIKE $1 || '%'` cannot use at all. Ranges known when the statement is
built are written into it (a generic plan would take a nation's range for a commune's).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ColumnElement, String, bindparam, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class path_range(FunctionElement):  # noqa: N801 - reads like the SQL it renders
    """`path_range(column, lo, hi)`: lo <= column < hi, in the path index's order."""

    type = Boolean()
    inherit_cache = True
    name = "path_range"


@compiles(path_range)
def _path_range(element, compiler, **kw) -> str:  # noqa: ANN001
    column, lo, hi = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} >= {lo} AND {column} < {hi})"


@compiles(path_range, "postgresql")
def _path_range_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    column, lo, hi = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} ~>=~ {lo} AND {column} ~<~ {hi})"


class tree_order(FunctionElement):  # noqa: N801 - reads like the SQL it renders
    """A path as an ORDER BY key, in the order the path index keeps: byte by byte (a unit, then
    its subtree). On PostgreSQL `path USING ~<~`, the index's own operator, so that a page of a
    subtree walks the index instead of sorting the subtree (and the order is the same as
    SQLite's whatever the database's collation)."""

    type = String()
    inherit_cache = True
    name = "tree_order"


@compiles(tree_order)
def _tree_order(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(tree_order, "postgresql")
def _tree_order_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(next(iter(element.clauses)), **kw) + " USING ~<~"


def subtree_range(path: str) -> dict[str, str]:
    """The bounds of the subtree of the unit at `path`, as `in_bound_subtree`'s parameters."""
    return {"prefix": path, "prefix_end": path[:-1] + "0"}  # paths end with '/'; '0' follows


def in_subtree(column, path: str) -> ColumnElement[bool]:  # noqa: ANN001
    """`column` (a unit's path) lies in the subtree of the unit at `path` (the unit included)."""
    lo, hi = (bindparam(None, p, type_=String, literal_execute=True)
              for p in subtree_range(path).values())
    return path_range(column, lo, hi)


def in_subtrees(column, paths: list[str]) -> ColumnElement[bool]:  # noqa: ANN001
    """`column` lies in one of the subtrees at `paths` (a caller's reach); none: nothing."""
    if not paths:
        return false()
    return or_(*(in_subtree(column, p) for p in paths))


def in_bound_subtree(column) -> ColumnElement[bool]:  # noqa: ANN001
    """`in_subtree` for a statement built once and kept prepared: the range is bound as the
    parameters `prefix` and `prefix_end` (`subtree_range`)."""
    return path_range(column, bindparam("prefix", type_=String),
                      bindparam("prefix_end", type_=String))
