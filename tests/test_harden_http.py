"""Issue 13, finding 9 (the parts a browser is not needed for): the docs pages come from our
own origin with no inline script, the SQLite file and its WAL are private to their owner, and
a chunked body over the limit gets 413."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import assert_error
from tiendo.config import get_settings
from tiendo.db import make_engine


def test_docs_pages_load_nothing_from_elsewhere_and_nothing_inline(client):
    for path, bundle in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = client.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
        assert script_src == ["'self'"], csp
        assert "http" not in csp and "unsafe-eval" not in csp
        scripts = re.findall(r"<script([^>]*)>", r.text)
        assert scripts and all(re.search(r'\bsrc="/docs-assets/', s) for s in scripts), r.text
        assert f"/docs-assets/{bundle}" in r.text
        assert "cdn." not in r.text and re.search(r"\son[a-z]+=", r.text) is None


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    """The umask most systems start services with: new files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_sqlite_file_and_its_wal_are_private(tmp_path, usual_umask):
    db = tmp_path / "tiendo.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # WAL mode: the -wal and -shm files appear with a write
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    engine.dispose()
    # A file left world-readable by an older version is tightened on start.
    db.chmod(0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert _mode(db) == 0o600


def test_the_default_var_folder_is_private(tmp_path, monkeypatch, usual_umask):
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path / "var")
    monkeypatch.setattr(get_settings(), "database_url", "")
    url = get_settings().resolved_database_url()
    assert _mode(tmp_path / "var") == 0o700
    make_engine(url).dispose()
    assert _mode(tmp_path / "var" / "tiendo.db") == 0o600


def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_chunked_body_over_the_limit_gets_413(client, auth):
    over = get_settings().max_body_bytes + 1024
    h = {**auth("admin"), "Content-Type": "application/json"}
    body = (part for part in [b'{"note": "', *_chunks(over), b'"}'])
    r = client.post("/api/v1/reports", headers=h, content=body)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_error(r, 413, "payload_too_large")
    # A multipart upload streamed the same way.
    boundary = "tiendo-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"campaign\"\r\n\r\n"
            f"ihanoi-live\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\nunit,staff_total\r\n").encode()
    upload = (part for part in [head, *_chunks(over), f"\r\n--{boundary}--\r\n".encode()])
    r = client.post("/api/v1/reports/import", content=upload, headers={
        **auth("daton"), "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert_error(r, 413, "payload_too_large")
    # Under the limit, a chunked body is read as usual.
    small = (part for part in [b'{"campaign": "nope"}'])
    assert_error(client.post("/api/v1/reports", headers=h, content=small), 422)
