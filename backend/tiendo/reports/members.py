"""`column IN (thousands of values)` as one bound parameter, for the codes and ids of a bulk post.

`tiendo.db.in_literal` writes each value into the SQL: SQLAlchemy renders every literal in
Python (about 5 µs a value, ~7 % of a 6,000-item post on SQLite) and the text differs on every
request, so the statement is compiled again each time. Here the values travel whole: a JSON
array read with `json_each` on SQLite, an array compared with `= ANY` on PostgreSQL. The
statement's text never changes (compiled once, then cached) and no value is ever part of it."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import ARRAY, ColumnElement, Connection, any_, bindparam, func, literal_column
from sqlalchemy import select as sa_select


def among(conn: Connection, column, values: Iterable[int | str]) -> ColumnElement[bool]:  # noqa: ANN001
    """`column` is one of `values` (ints or strs, as the column holds)."""
    wanted = sorted(set(values))
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, wanted, type_=ARRAY(column.type), unique=True))
    return column.in_(sa_select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(wanted), unique=True))))
