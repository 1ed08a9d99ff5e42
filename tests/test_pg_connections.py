"""#14: several workers behind a pooler: a connection carries no state set after it opens; JIT
is off from the connection's startup parameters (PgBouncer mode: none, no prepared statements)."""

from sqlalchemy import text

from tiendo.config import get_settings
from tiendo.db import make_engine


def test_jit_is_off_from_the_start_of_every_connection(database, monkeypatch):  # noqa: ANN001
    if database.engine.dialect.name != "postgresql":
        return  # SQLite: no server, nothing to set
    url = database.engine.url.render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar() == "off"
            raw = conn.connection.dbapi_connection
            assert raw.prepare_threshold is not None
    finally:
        engine.dispose()
    monkeypatch.setenv("TIENDO_DB_PGBOUNCER", "true")
    get_settings.cache_clear()
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection.prepare_threshold is None
            assert "jit" not in (conn.connection.dbapi_connection.info.dsn or "")
        engine.dispose()
    finally:
        monkeypatch.delenv("TIENDO_DB_PGBOUNCER")
        get_settings.cache_clear()
