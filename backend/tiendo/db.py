"""Engine, the per-request session (the one transaction owner), and the schema check."""

from __future__ import annotations

import functools
import json
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from anyio import CancelScope, CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    any_,
    bindparam,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlmodel import Session, SQLModel, create_engine

from tiendo.config import REPO_ROOT, get_settings

# Stable constraint names, so that Alembic migrations are the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_OPTION = "tiendo_write"  # execution option: this transaction will write (SQLite)
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def private_file(path: str) -> None:
    """The SQLite file holds every account's password hash: readable by its owner only. SQLite
    gives its -wal and -shm files the database file's mode, so they follow."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    with suppress(FileExistsError, FileNotFoundError):  # no folder: SQLite will say so
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for suffix in ("", "-wal", "-shm", "-journal"):
        name = path + suffix
        try:
            if os.stat(name).st_mode & 0o077 and os.stat(name).st_uid == os.getuid():
                os.chmod(name, 0o600)  # made by an older version, or copied in
        except FileNotFoundError:
            pass


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        private_file(make_url(url).database or "")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            # Let SQLAlchemy, not the driver, open transactions, so that SAVEPOINTs work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # SQLite's lower() folds ASCII only: "Đa Tốn" would never match a search for
            # "đa tốn". Python's folds every letter, as PostgreSQL's does.
            dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

        # SQLite has one writer at a time, and threads waiting for its lock sleep in its busy
        # handler (1, 2, 5 … 100 ms) while the lock is free: the process queues its writers.
        _WRITE_LOCKS[engine] = threading.Lock()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # noqa: ANN001
            # A deferred transaction that reads, then writes after another writer committed
            # fails at once ("database is locked", no busy wait): writers take the lock first.
            write = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    # A connection idle for a while is pinged before use (see _ping_when_idle), so the app
    # recovers by itself from a restarted or failed-over server; a short connect timeout turns
    # an outage into quick 503s.
    settings = get_settings()
    # No session state is set on a connection after it opens (no SET, no LISTEN, no session
    # advisory lock): a pooler in transaction mode may hand each transaction another server
    # connection. JIT compiling costs tens of milliseconds and pays off only in long analytic
    # scans (this app's statements are index probes), so it is off from the connection's
    # startup parameters; behind PgBouncer (TIENDO_DB_PGBOUNCER=true) those are not passed
    # and psycopg's server-side prepared statements are off too (README: set jit on the
    # database instead, `ALTER DATABASE … SET jit = off`).
    connect_args: dict = {"connect_timeout": settings.db_connect_timeout}
    if settings.db_pgbouncer:
        connect_args["prepare_threshold"] = None
    else:
        connect_args["options"] = "-c jit=off"
    engine = create_engine(
        url, pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow, pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle, connect_args=connect_args)
    _ping_when_idle(engine)
    return engine


# A connection used this recently is not pinged when taken from the pool: under load every
# request would otherwise pay a round trip for it. One that died in that window (the server
# restarted just now) fails its request with a 503; SQLAlchemy then discards every connection
# of the pool opened before, so the next requests reconnect.
PING_AFTER_IDLE_S = 2.0
_IDLE_SINCE = "tiendo_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:  # noqa: ANN001
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy) -> None:  # noqa: ANN001
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return  # new, or busy a moment ago
        try:
            alive = dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure: a dead connection
            raise DisconnectionError() from exc
        if not alive:
            raise DisconnectionError()


def write_lock(engine: Engine) -> threading.Lock | None:
    """The process's write lock of a SQLite engine (None elsewhere)."""
    return _WRITE_LOCKS.get(engine)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().resolved_database_url())


@contextmanager
def _transaction(engine: Engine, writes: bool) -> Iterator[Session]:
    """One transaction: commit at the end, or roll back on any error. A writer on SQLite
    queues behind the process's other writers (one write lock per engine)."""
    lock = _WRITE_LOCKS.get(engine) if writes else None
    with lock or nullcontext(), Session(engine, expire_on_commit=False) as session:
        if lock:
            session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_HOLDS_LOCK = "tiendo_holds_write_lock"  # session.info: this session took the write lock


class _SQLiteWriter(Session):
    """A writing request's session on SQLite: the process's write lock is taken just before
    its first statement, in the thread that runs it, and every transaction it begins is
    BEGIN IMMEDIATE (see make_engine). The lock is held from the first statement to the
    commit, not from the request's first dependency: one hop to the thread pool and back
    less that every other writer of the process waits for."""

    def _connection_for_bind(self, engine, execution_options=None, **kw):  # noqa: ANN001, ANN003, ANN202
        trans = self._transaction
        if trans is None or engine not in trans._connections:  # this call begins one
            if not self.info.get(_HOLDS_LOCK):
                _WRITE_LOCKS[engine].acquire()
                self.info[_HOLDS_LOCK] = True  # released at the end, whatever fails next
            execution_options = {**(execution_options or {}), WRITE_OPTION: True}
        return super()._connection_for_bind(engine, execution_options, **kw)


class RequestTransaction:
    """A request's transaction. Opening it does no I/O (the connection, and a SQLite writer's
    lock, are taken at the first statement), so it opens on the event loop. The route commits
    it where it ran (`commit_in_route`); what is left when the request ends is committed or,
    after an error, rolled back, then the session closed and a SQLite writer's lock released."""

    def __init__(self, engine: Engine, writes: bool) -> None:
        self.lock = _WRITE_LOCKS.get(engine) if writes else None
        self.session = (_SQLiteWriter if self.lock else Session)(engine, expire_on_commit=False)
        self.session.info[_TRANSACTION] = self

    @classmethod
    def of(cls, request: Request) -> RequestTransaction:
        """The request's transaction: a writer unless the method is safe."""
        return cls(request.app.state.engine, request.method not in SAFE_METHODS)

    def commit(self) -> None:
        """Commits now, in the caller's thread, and releases a SQLite writer's lock at once
        (the next writer need not wait for this request's hop back to the event loop). On
        failure it raises, and the end of the request rolls back."""
        self.session.commit()
        self._release()

    @property
    def pending(self) -> bool:
        """True while a transaction is open (the end of the request has I/O to do)."""
        return self.session.in_transaction()

    def end(self, error: BaseException | None) -> None:
        """Commits (or rolls back after `error`), closes, releases: the request is over."""
        try:
            if error is not None:
                self.session.rollback()
            elif self.pending:  # else the route committed it all
                self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        finally:
            self.session.close()
            self._release()

    def _release(self) -> None:
        if self.session.info.pop(_HOLDS_LOCK, False):
            self.lock.release()


_TRANSACTION = "tiendo_request_transaction"  # session.info: the RequestTransaction it belongs to


def commit_in_route(endpoint: Callable[..., Any], session_param: str) -> Callable[..., Any]:
    """A `def` route that commits its request's transaction in the thread it ran in, as soon
    as it returns: the commit needs no hop back to the event loop and out to the thread pool
    again, and a SQLite writer holds the process's write lock for the route's own work only.
    Its answer is built from what was committed. (A route that raises commits nothing.)"""

    @functools.wraps(endpoint)
    def route(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        transaction = kwargs[session_param].info.get(_TRANSACTION)
        if transaction is None:  # a session the tests gave instead
            return endpoint(*args, **kwargs)
        try:
            result = endpoint(*args, **kwargs)
            transaction.commit()
        except BaseException as exc:
            transaction.end(exc)
            raise
        transaction.end(None)  # closed here: nothing is left for the end of the request
        return result

    return route


async def open_session(request: Request) -> Session:
    """`get_session` for a route that ends its own transaction (`commit_in_route`; the route
    class gives it to every `def` route whose only session is its own parameter). Not a
    generator: FastAPI runs a generator's exit through an exit stack and a cancel scope,
    ~10 % of a report submission's CPU. A request refused before its route runs has done no
    I/O with it (RequestTransaction), so there is nothing to end."""
    return RequestTransaction.of(request).session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request (a RequestTransaction), opened on the event loop: a plain
    `def` dependency would cost every request a hop to the thread pool and back. A route that
    committed in its own thread (`commit_in_route`) leaves nothing to do; otherwise the commit
    or rollback runs in the thread pool, shielded from cancellation, as FastAPI runs a `def`
    dependency's exit."""
    transaction = RequestTransaction.of(request)
    error: BaseException | None = None
    try:
        yield transaction.session
    except BaseException as exc:
        error = exc
        raise
    finally:
        with CancelScope(shield=True):
            if transaction.pending:
                await to_thread.run_sync(transaction.end, error, limiter=CapacityLimiter(1))
            else:  # committed by the route: no I/O left
                transaction.end(error)


def job_session(engine: Engine) -> AbstractContextManager[Session]:
    """A short transaction of a background job or command, queued like a writing request."""
    return _transaction(engine, True)


SessionFactory = Callable[[], AbstractContextManager[Session]]


async def get_session_factory(request: Request) -> SessionFactory:
    """For work done after the response (background tasks): sessions of their own."""
    engine = request.app.state.engine
    return lambda: job_session(engine)


def among(conn: Connection, column, values: Iterable[int | str]) -> ColumnElement[bool]:  # noqa: ANN001
    """`column IN (values)` for long lists (a page's report ids, a bulk post's codes) as ONE
    bound parameter: a JSON array read with `json_each` on SQLite, an array compared with
    `= ANY` on PostgreSQL. The statement's text never changes with the values (compiled once,
    then cached); written into the SQL instead, each value cost ~5 µs to render and the
    statement was compiled again on every request."""
    wanted = sorted(set(values))
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, wanted, type_=ARRAY(column.type), unique=True))
    return column.in_(select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(wanted), unique=True))))


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]],
                common: Mapping[str, Any] | None = None) -> None:
    """INSERT of many rows (the same keys, in the same order), each with the values of
    `common` too: the driver's executemany on SQLite, COPY on PostgreSQL.

    SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself. Here only
    the columns whose type converts values (UTC timestamps, JSON) are converted, a timestamp
    once per distinct value (a bulk post's rows share one), and `common` once for all rows.
    Other values go to the driver as they are: ints, str (StrEnum included), None."""
    if not rows:
        return
    dialect, common = conn.dialect, common or {}
    fixed = tuple(_converter(table, name, dialect)(v) if v is not None else v
                  for name, v in common.items())
    columns = [*common, *rows[0]]
    converters = {i: c for i, name in enumerate(rows[0])
                  if (c := _converter(table, name, dialect)) is not _as_is}
    if converters:
        data = [fixed + tuple(converters[i](v) if i in converters and v is not None else v
                              for i, v in enumerate(row.values())) for row in rows]
    else:
        data = [fixed + tuple(row.values()) for row in rows]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if dialect.name == "postgresql":
        _copy(conn, f"COPY {quote(table.name)} ({names}) FROM STDIN", data)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) "
                         f"VALUES ({', '.join([mark] * len(columns))})", data)


def _as_is(value: Any) -> Any:  # noqa: ANN401
    return value


def _converter(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any]:
    """What a value of the column goes through on its way to the driver (`_as_is`: nothing)."""
    column_type = table.c[name].type
    proc = column_type.bind_processor(dialect)
    if isinstance(column_type, JSON):  # psycopg's dialect casts JSON text in the SQL
        return proc or json.dumps
    if dialect.name == "sqlite" and isinstance(getattr(column_type, "impl", column_type),
                                               DateTime):
        # The text sqlite3's adapter would write, made once per distinct value, not per row.
        def to_text(value: Any) -> Any:  # noqa: ANN401
            value = proc(value) if proc is not None else value
            return value.isoformat(" ") if isinstance(value, datetime) else value

        return functools.lru_cache(maxsize=16)(to_text)
    return functools.lru_cache(maxsize=16)(proc) if proc is not None else _as_is


def _copy(conn: Connection, sql: str, data: list[tuple]) -> None:
    """PostgreSQL's COPY, in the connection's transaction: several times the rows per second
    of an executemany. Its errors are raised as SQLAlchemy's, like those of any statement."""
    import psycopg

    try:
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in data:
                copy.write_row(row)
    except psycopg.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc


# scope="function": commit before the response is sent. By default FastAPI runs the code after
# `yield` once the response is out, so a client could be told 201 for a write that then fails
# to commit, or is lost if the process dies in between.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SessionFactoryDep = Annotated[SessionFactory, Depends(get_session_factory)]


def alembic_config(url: str | None = None):  # noqa: ANN201
    from alembic.config import Config

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def schema_status(engine: Engine) -> tuple[str | None, str | None]:
    """(revision in the database, head revision of the migrations)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head
