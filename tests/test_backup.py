"""`tiendo backup` and `tiendo restore`, run as an operator would, on real databases."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import demo_database, new_database
from live import TIENDO


def tiendo(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TIENDO_DATABASE_URL": url, "TIENDO_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run([TIENDO, *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=False)


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def seeded() -> Iterator[Path]:
    """The demo's SQLite file, closed (the WAL checkpointed): the file alone holds everything."""
    for db in demo_database("sqlite"):
        db.engine.dispose()
        yield Path(db.url.removeprefix("sqlite:///"))


@pytest.fixture
def sqlite_db(tmp_path: Path, seeded: Path) -> tuple[Path, str]:
    db = tmp_path / "data" / "tiendo.db"
    db.parent.mkdir()
    shutil.copyfile(seeded, db)
    return db, f"sqlite:///{db}"


def test_sqlite_round_trip(tmp_path, sqlite_db):
    db, url = sqlite_db
    at_backup = dump(db)
    backup = tmp_path / "backups" / "tiendo-2024-09-05.db"
    made = tiendo(tmp_path, url, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert "integrity ok" in made.stdout
    assert not list(backup.parent.glob("*-wal"))  # one self-contained file

    with sqlite3.connect(db) as conn:  # life goes on after the backup
        conn.execute("UPDATE unit SET name = 'đổi tên' WHERE code = 'GL-X-DATON'")
        conn.execute("DELETE FROM report_revision")
        conn.execute("DELETE FROM audit_event")
    assert dump(db) != at_backup

    refused = tiendo(tmp_path, url, "restore", str(backup))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "đổi tên" in "\n".join(dump(db))  # nothing was touched

    restored = tiendo(tmp_path, url, "restore", "--force", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert dump(db) == at_backup
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM report").fetchone()[0] > 0


def test_backup_refuses_to_overwrite_and_restore_refuses_a_foreign_file(tmp_path, sqlite_db):
    db, url = sqlite_db
    existing = tmp_path / "old.db"
    existing.write_bytes(b"keep me")
    assert tiendo(tmp_path, url, "backup", str(existing)).returncode == 1
    assert existing.read_bytes() == b"keep me"

    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    refused = tiendo(tmp_path, url, "restore", "--force", str(foreign))
    assert refused.returncode == 1 and "not a Tiến Độ database" in refused.stderr
    assert tiendo(tmp_path, url, "restore", "--force", str(tmp_path / "missing.db")).returncode == 1


@pytest.fixture(scope="module")
def pg_url() -> str:
    for db in new_database("postgresql"):
        # Trust authentication ignores the password: it stands for a real one.
        yield db.url.replace("postgres@", "postgres:Secret123@")


def test_postgresql_backup_runs_pg_dump_and_restore_prints_pg_restore(tmp_path, pg_url):
    target = tmp_path / "tiendo.dump"
    if shutil.which("pg_dump") is None:
        missing = tiendo(tmp_path, pg_url, "backup", str(target))
        assert missing.returncode == 1 and "pg_dump --format=custom" in missing.stderr
        return
    made = tiendo(tmp_path, pg_url, "backup", str(target))
    assert made.returncode == 0, made.stderr
    assert target.read_bytes()[:5] == b"PGDMP"
    listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True,
                             text=True, check=True).stdout
    assert "TABLE public report " in listing and "alembic_version" in listing
    assert "Secret123" not in made.stdout  # the password travels in PGPASSWORD, never shown

    hint = tiendo(tmp_path, pg_url, "restore", str(target))
    assert hint.returncode == 1
    assert "pg_restore --clean --if-exists" in hint.stderr and "Secret123" not in hint.stderr
