"""db.insert_many, the bulk writer (executemany on SQLite, COPY on PostgreSQL): what goes in
comes back the same, and a duplicate fails like any statement, leaving the transaction usable."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tiendo.audit.models import AuditEvent
from tiendo.db import insert_many


def test_values_come_back_as_written(connection):
    hanoi = timezone(timedelta(hours=7))
    at = datetime(2024, 7, 23, 15, 6, tzinfo=hanoi)
    rows = [{"at": at, "actor_name": name, "action": "test.bulk", "object_type": "x",
             "object_id": str(i), "unit_id": None, "detail": detail, "address": None,
             "actor_user_id": None, "actor_token_id": None}
            for i, (name, detail) in enumerate([
                ("Nguyễn Văn A\ttab", {"số": 1, "note": "dòng\nmới \\ gạch"}),
                ("O'Brien; DROP TABLE unit", {"list": [1, 2, None]}),
                ("", {})])]
    insert_many(connection, AuditEvent.__table__, rows)
    t = AuditEvent.__table__.c
    back = connection.execute(select(t.at, t.actor_name, t.detail).where(t.action == "test.bulk")
                              .order_by(t.object_id)).all()
    assert [(r.at, r.actor_name, r.detail) for r in back] == [
        (at.astimezone(UTC), row["actor_name"], row["detail"]) for row in rows]
    assert connection.execute(text("SELECT COUNT(*) FROM unit")).scalar() > 0


def test_a_duplicate_fails_like_any_statement(connection):
    t = AuditEvent.__table__
    row = {"id": 10**9, "at": datetime.now(UTC), "actor_name": "x", "action": "test.dup",
           "object_type": "x", "object_id": None, "unit_id": None, "detail": {},
           "address": None, "actor_user_id": None, "actor_token_id": None}
    insert_many(connection, t, [row])
    savepoint = connection.begin_nested()
    with pytest.raises(IntegrityError):
        insert_many(connection, t, [{**row, "action": "other"}, row])
    savepoint.rollback()
    count = connection.execute(select(t.c.action).where(t.c.id == 10**9)).scalars().all()
    assert count == ["test.dup"]


def test_common_values_go_with_every_row(connection):
    """`common`: the columns every row shares, given once (a bulk post's sender and clock)."""
    at = datetime(2024, 7, 25, 8, 0, tzinfo=UTC)
    common = {"at": at, "action": "test.common", "object_type": "x", "detail": {"chung": True},
              "address": None, "actor_user_id": None, "actor_token_id": None}
    rows = [{"actor_name": name, "object_id": str(i), "unit_id": None}
            for i, name in enumerate(["Lê Thị B", "Trần Văn C"])]
    insert_many(connection, AuditEvent.__table__, rows, common)
    t = AuditEvent.__table__.c
    back = connection.execute(select(t.at, t.actor_name, t.detail).where(
        t.action == "test.common").order_by(t.object_id)).all()
    assert [(r.at, r.actor_name, r.detail) for r in back] == [
        (at, "Lê Thị B", {"chung": True}), (at, "Trần Văn C", {"chung": True})]
