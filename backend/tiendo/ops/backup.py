"""Backups and restores.

SQLite: SQLite's online backup API, which copies a consistent snapshot while the app keeps
serving, into a temporary file that replaces the target only once it has passed
`PRAGMA integrity_check`. PostgreSQL: `pg_dump` in its custom format (restored with
`pg_restore`), run when the client tools are installed and printed otherwise.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from tiendo.db import private_file


class BackupError(Exception):
    pass


@dataclass
class Outcome:
    message: str
    revision: str | None = None


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(parsed.database)


def _check(conn: sqlite3.Connection, what: str) -> str | None:
    """Integrity, and the schema revision the file is at (None if it is not ours)."""
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError(f"{what} failed PRAGMA integrity_check: {result[:3]}")
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _copy(source: sqlite3.Connection, target: Path) -> str | None:
    """Online backup of `source` into a fresh file at `target`, checked before it is kept."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # hashes inside
    dest = sqlite3.connect(partial)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        revision = _check(dest, "The copy")
    finally:
        dest.close()
    os.replace(partial, target)
    return revision


def backup(url: str, target: Path, *, force: bool = False) -> Outcome:
    target = Path(target)
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to overwrite it.")
    db = _sqlite_path(url)
    if db is None:
        return _pg_dump(url, target)
    if not db.is_file():
        raise BackupError(f"No database at {db}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        revision = _copy(source, target)
    finally:
        source.close()
    return Outcome(f"Backed up {db} to {target} (schema {revision}, integrity ok).", revision)


def restore(url: str, source_file: Path, *, force: bool = False) -> Outcome:
    source_file = Path(source_file)
    db = _sqlite_path(url)
    if db is None:
        raise BackupError(_pg_restore_hint(url, source_file))
    if not source_file.is_file():
        raise BackupError(f"No backup at {source_file}.")
    if db.exists() and db.stat().st_size > 0 and not force:
        raise BackupError(f"{db} already holds a database; stop the app and pass --force to "
                          "replace it with the backup.")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        if _check(source, "The backup") is None:
            raise BackupError(f"{source_file} is not a Tiến Độ database (no schema revision).")
        db.parent.mkdir(parents=True, exist_ok=True)
        private_file(str(db))
        # Copying through the backup API into the live file keeps its WAL consistent.
        live = sqlite3.connect(db)
        try:
            source.backup(live)
            revision = _check(live, "The restored database")
        finally:
            live.close()
    finally:
        source.close()
    return Outcome(f"Restored {db} from {source_file} (schema {revision}, integrity ok); "
                   "run `tiendo migrate` if the code is newer than the backup.", revision)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries it (not argv)."""
    p = make_url(url)
    env = {"PGPASSWORD": p.password} if p.password else {}
    bare = URL.create("postgresql", p.username, None, p.host, p.port, p.database, p.query)
    return bare.render_as_string(hide_password=False), env


def pg_dump_command(url: str, target: Path) -> tuple[list[str], dict[str, str]]:
    dsn, env = _libpq(url)
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
            f"--file={target}", f"--dbname={dsn}"], env


def _shown(cmd: list[str], env: dict[str, str]) -> str:
    return ("PGPASSWORD=… " if env else "") + shlex.join(cmd)


def _pg_dump(url: str, target: Path) -> Outcome:
    cmd, env = pg_dump_command(url, target)
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed here. Run, where it is (e.g. in the "
                          f"database container):\n  {_shown(cmd, env)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return Outcome(f"Backed up with: {_shown(cmd, env)}")


def _pg_restore_hint(url: str, source_file: Path) -> str:
    dsn, env = _libpq(url)
    cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
           f"--dbname={dsn}", str(source_file)]
    return ("Restoring PostgreSQL is left to pg_restore, with the app stopped:\n  "
            + _shown(cmd, env))
