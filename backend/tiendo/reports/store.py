"""The statements that store a new weekly report: the path every submission takes, kept to as
few round trips to the database as each one allows."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, TextClause, bindparam, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tiendo.audit.models import AuditEvent
from tiendo.core.types import UTCDateTime
from tiendo.reports.models import Report

_AUDIT = AuditEvent.__table__.insert()


@lru_cache
def _insert_new_report(dialect: str):  # noqa: ANN202
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect."""
    table = Report.__table__
    build = {"postgresql": pg_insert, "sqlite": sqlite_insert}[dialect]
    return build(table).on_conflict_do_nothing(
        index_elements=["campaign_id", "unit_id", "period"]).returning(table.c.id)


@lru_cache(maxsize=32)
def _insert_values(count: int) -> TextClause:
    """One INSERT of a report's `count` values (:r, :m0, :v0 …), built once per count: an
    executemany of two or three rows costs psycopg a pipeline of its own."""
    rows = ", ".join(f"(:r, :m{i}, :v{i})" for i in range(count))
    return text(f"INSERT INTO report_value (report_id, metric_id, value) VALUES {rows}")


@lru_cache(maxsize=4)
def _pg_new_report(report_columns: tuple[str, ...], audit_columns: tuple[str, ...]) -> TextClause:
    """PostgreSQL: the report, its values and its audit row in ONE statement (data-modifying
    CTEs): one round trip instead of three. Nothing is written when the week already has a
    report (no id comes back). The text never changes, so psycopg keeps it prepared."""
    audit_values = ", ".join("CAST(r.id AS varchar)" if c == "object_id" else f":a_{c}"
                             for c in audit_columns)
    sql = (
        f"WITH r AS (INSERT INTO report ({', '.join(report_columns)}) "
        f"VALUES ({', '.join(':' + c for c in report_columns)}) "
        "ON CONFLICT (campaign_id, unit_id, period) DO NOTHING RETURNING id), "
        "v AS (INSERT INTO report_value (report_id, metric_id, value) "
        "SELECT r.id, x.m, x.v FROM r, "
        "unnest(CAST(:metrics AS integer[]), CAST(:vals AS bigint[])) AS x(m, v)), "
        f"a AS (INSERT INTO audit_event ({', '.join(audit_columns)}) "
        f"SELECT {audit_values} FROM r) "
        "SELECT id FROM r")
    stamp, document = UTCDateTime(), JSON()
    return text(sql).bindparams(
        *(bindparam(c, type_=stamp) for c in ("received_at", "updated_at")),
        bindparam("a_at", type_=stamp), bindparam("a_detail", type_=document))


def store_new_report(conn: Connection, row: Mapping[str, Any], values: Mapping[int, int],
                     audit: Mapping[str, Any]) -> int | None:
    """Inserts the report `row`, its `values` (metric id → value) and the `audit` row (its
    object_id: the new report's id). The new id, or None when the week already has a report
    (and then nothing is written)."""
    if conn.dialect.name == "postgresql":
        params = {**row, "metrics": list(values), "vals": list(values.values()),
                  **{f"a_{c}": v for c, v in audit.items() if c != "object_id"}}
        return conn.execute(_pg_new_report(tuple(row), tuple(audit)), params).scalar()
    report_id = conn.execute(_insert_new_report(conn.dialect.name), row).scalar()
    if report_id is None:
        return None
    if values:
        params = {"r": report_id}
        for i, (metric_id, value) in enumerate(values.items()):
            params[f"m{i}"], params[f"v{i}"] = metric_id, value
        conn.execute(_insert_values(len(values)), params)
    conn.execute(_AUDIT, {**audit, "object_id": str(report_id)})
    return report_id
