"""Template databases: a migrated (or migrated and seeded) database is built once per run and
every fresh database of that kind is a copy of it: a file copy for SQLite, `CREATE DATABASE …
TEMPLATE` for PostgreSQL. Migrating and seeding take seconds, a copy a fraction of one.

Parallel workers (pytest-xdist) share the templates through a folder made by the process that
starts the run (the controller) and passed to its workers in the environment; a lock file lets
exactly one of them build each template. The controller drops the PostgreSQL templates at the
end (`drop_templates`)."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

_ENV = "TIENDO_TEST_TEMPLATES_DIR"
# The first process of a run makes the folder; workers it starts find it in their environment.
# It is made on first use: a run that needs no database leaves nothing behind.
OWNER = _ENV not in os.environ
SHARED = Path(os.environ.setdefault(
    _ENV, os.path.join(tempfile.gettempdir(), f"tiendo-templates-{uuid.uuid4().hex}")))
_PG_CREATED = SHARED / "postgresql-templates.txt"


@contextmanager
def _only_one(name: str) -> Iterator[None]:
    SHARED.mkdir(mode=0o700, exist_ok=True)
    with (SHARED / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def sqlite_template(name: str, build: Callable[[str], None]) -> Path:
    """The template's file, built by `build(url)` the first time in the run. `build` must close
    its engines, so that the file alone (no -wal) holds everything."""
    done = SHARED / f"sqlite-{name}" / "tiendo.db"
    with _only_one(f"sqlite-{name}"):
        if not done.exists():
            work = SHARED / f"sqlite-{name}.building"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            build(f"sqlite:///{work / 'tiendo.db'}")
            work.rename(done.parent)
    return done


def postgresql_template(name: str, admin: Engine, base_url: str,
                        build: Callable[[str], None]) -> str:
    """The template database's name, built by `build(url)` the first time in the run."""
    done = SHARED / f"postgresql-{name}"
    with _only_one(f"postgresql-{name}"):
        if done.exists():
            return done.read_text()
        db = f"tiendo_tpl_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        with _PG_CREATED.open("a") as f:  # dropped at the end even if the build fails
            f.write(db + "\n")
        build(f"{base_url}/{db}")
        with admin.connect() as conn:  # a copy needs its template without sessions
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": db})
        done.write_text(db)
        return db


def drop_templates(admin: Callable[[], Engine | None]) -> None:
    """At the end of the run, in the process that made the folder only."""
    if not OWNER:
        return
    names = _PG_CREATED.read_text().split() if _PG_CREATED.exists() else []
    engine = admin() if names else None
    if engine is not None:
        with engine.connect() as conn:
            for db in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        engine.dispose()
    shutil.rmtree(SHARED, ignore_errors=True)
