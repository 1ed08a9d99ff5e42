"""Migrations build the schema from nothing on both databases, and match the models."""

from alembic import command
from alembic.util.exc import CommandError
from sqlalchemy import inspect

from tiendo.db import alembic_config, schema_status
from tiendo.models import __all__ as MODEL_NAMES  # noqa: N812


def test_schema_is_current_and_matches_models(database):
    current, head = schema_status(database.engine)
    assert current == head
    try:
        command.check(alembic_config(database.url))
    except CommandError as exc:  # pragma: no cover - the failure message is the point
        raise AssertionError(f"models differ from migrations: {exc}") from None
    tables = set(inspect(database.engine).get_table_names())
    assert {"unit", "report", "report_value", "report_revision", "user"} <= tables
    assert len(MODEL_NAMES) <= len(tables)


def test_app_refuses_to_start_on_an_unmigrated_database(tmp_path):
    import pytest
    from fastapi.testclient import TestClient

    from tiendo.db import make_engine
    from tiendo.main import SchemaNotCurrent, create_app

    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(SchemaNotCurrent, match="tiendo migrate"), TestClient(create_app(engine)):
        pass
