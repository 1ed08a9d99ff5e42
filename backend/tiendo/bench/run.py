"""One database's benchmark run: generate, serve, measure against the baselines, clean up."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tiendo.bench import sql, wrk
from tiendo.bench.generate import CITY, City, add_weeks, create_city, last_week
from tiendo.bench.server import Server, latencies
from tiendo.db import make_engine, migrate
from tiendo.demo.seed import STAFF_KINDS

PASSWORD = "bench-" + secrets.token_urlsafe(12)
PG_ADMIN_URL = os.environ.get("TIENDO_BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BULK = "/api/v1/reports/bulk"
AHEAD = 50  # weeks after the generated history that submissions may fill
PROGRESS = "/api/v1/progress"
SERIES = "/api/v1/progress/series"
COMPLETENESS = "/api/v1/completeness"


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A new database of its own (SQLite file, or a PostgreSQL database dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tiendo_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_available() -> bool:
    try:
        with create_engine(PG_ADMIN_URL).connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def _progress(engine, client: httpx.Client, city: City, paths: set[str], repeat: int) -> dict:  # noqa: ANN001
    period = str(last_week(city))
    out = {}
    with engine.connect() as conn:
        targets = sql.load_targets(conn, city.campaign.id)
        for scope, code in (("district", f"{CITY}-D01"), ("city", CITY)):
            path = conn.execute(text("SELECT path FROM unit WHERE code = :c"), {"c": code}).scalar()
            entry = {"sql": latencies(lambda p=path: sql.progress(
                conn, city.campaign.id, p, period, targets), repeat)}
            entry["sql_result"] = sql.progress(conn, city.campaign.id, path, period, targets)
            if PROGRESS in paths:
                params = {"campaign": city.campaign.code, "under": code, "period": period}

                def call(params=params) -> None:  # noqa: ANN001
                    client.get(PROGRESS, params=params).raise_for_status()

                entry["api"] = latencies(call, repeat)
                entry["ratio"] = round(entry["api"]["median_ms"] / entry["sql"]["median_ms"], 2)
            out[scope] = entry
    if {PROGRESS, SERIES, COMPLETENESS} <= paths:
        out["overview"] = {"api": latencies(lambda: _overview(client, city, period), repeat)}
    return out


def _overview(client: httpx.Client, city: City, period: str) -> None:
    """The web app's overview of the city: its three reads, one after the other."""
    week = {"campaign": city.campaign.code, "under": CITY}
    for path, params in ((PROGRESS, {**week, "period": period}), (SERIES, week),
                         (COMPLETENESS, {**week, "period": period})):
        client.get(path, params=params).raise_for_status()


def _report_bodies(city: City, first_shift: int) -> Iterator[dict]:
    schools = [code for _, code, kind in city.units if kind == "school"]
    for shift in range(first_shift, AHEAD + 1):  # weeks after the history, still valid
        period = str(last_week(city).shift(shift))
        for code in schools:
            yield {"campaign": city.campaign.code, "unit": code, "period": period,
                   "values": {"staff_total": 1000, "staff_installed": 900}}


def _items(city: City, period: str) -> list[dict]:
    items = []
    for _, code, kind in city.units:
        if kind not in STAFF_KINDS:  # the city, districts and villages report nothing here
            continue
        values = {"staff_total": 500, "staff_installed": 400}
        if kind == "commune":
            values["residents_accounts"] = 2000
        items.append({"unit": code, "period": period, "values": values, "note": "bench"})
    return items


def _bulk(engine, client: httpx.Client, city: City, paths: set[str], batches: int) -> dict:  # noqa: ANN001
    # Weeks well after the history and the submission test, yet still in the past: valid, empty.
    periods = [str(last_week(city).shift(60 + i)) for i in range(2 * batches)]
    out: dict = {}
    api_periods, raw_periods = periods[:batches], periods[batches:]
    if BULK in paths:
        count, start = 0, time.perf_counter()
        for period in api_periods:
            items = _items(city, period)
            r = client.post(BULK, json={"campaign": city.campaign.code, "items": items},
                            timeout=600)
            r.raise_for_status()
            body = r.json()
            out["api_rejected"] = out.get("api_rejected", 0) + body.get("rejected", 0)
            out["api_created"] = out.get("api_created", 0) + body.get("created", 0)
            count += sum(len(i["values"]) for i in items)
        out["api_values_per_s"] = round(count / (time.perf_counter() - start))
    metrics = city.metrics
    uid_of = {code: uid for uid, code, _ in city.units}
    count, elapsed = 0, 0.0
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        for period in raw_periods:
            tx = conn.begin()
            next_id = conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM report")).scalar()
            now = datetime.now(UTC)
            stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else now
            reports, values = [], []
            for item in _items(city, period):  # the same rows, built before the clock starts
                reports.append((next_id, city.campaign.id, uid_of[item["unit"]], period,
                                "submitted", "on_time", 1, "import", "bench", item["note"],
                                stamp, stamp))
                values.extend((next_id, metrics[c], v) for c, v in item["values"].items())
                next_id += 1
            start = time.perf_counter()
            sql.raw_insert_reports(conn, reports, values)
            tx.commit()
            elapsed += time.perf_counter() - start
            count += len(values)
    out["raw_values_per_s"] = round(count / elapsed)
    if "api_values_per_s" in out:
        out["ratio"] = round(out["api_values_per_s"] / out["raw_values_per_s"], 3)
    return out


def _bodies_file(city: City, path: Path, wanted: int) -> Path:
    """Report bodies, one a line, every (unit, week) once: each submission creates a report."""
    with path.open("w", encoding="utf-8") as f:
        for n, body in enumerate(_report_bodies(city, 1)):
            if n >= wanted:
                break
            f.write(json.dumps(body, ensure_ascii=False) + "\n")
    return path


def _best(runs: list[dict]) -> dict:
    return max(runs, key=lambda r: r["ok_per_s"])


def _submit(server: Server, bare: Server, token: str, city: City, workdir: Path, seconds: float,
            rounds: int, concurrency: int) -> dict:
    """Requests/s and latencies from wrk: report submission, the tutorial route and a raw
    driver insert inside the product's app, and the same raw insert in a bare FastAPI app (the
    limit). Interleaved rounds, best of each: the machine's noise hits all alike."""
    hero = json.dumps({"name": "Nguyễn Văn A", "age": 42}, ensure_ascii=False)
    bodies = _bodies_file(city, workdir / "reports.jsonl", 60_000)
    routes = {"reports": (server.url + "/api/v1/reports",
                          {"BENCH_BODIES": str(bodies), "BENCH_TOKEN": token}),
              "tutorial": (server.url + "/bench/tutorial", {"BENCH_BODY": hero}),
              "raw": (server.url + "/bench/raw", {"BENCH_BODY": hero}),
              "bare_raw": (bare.url + "/bench/raw", {"BENCH_BODY": hero})}
    runs: dict[str, list[dict]] = {name: [] for name in routes}
    offset = 0  # the next unsent body: each report is created once
    for _ in range(rounds):
        for name, (url, env) in routes.items():
            for warm_up in (True, False):
                r = wrk.run(url, "post.lua", 1 if warm_up else seconds, concurrency,
                            env={**env, "BENCH_OFFSET": str(offset)})
                if name == "reports":
                    offset += r["requests"] + 2 * concurrency
                if not warm_up:
                    runs[name].append(r)
    best = {name: _best(rs) for name, rs in runs.items()}
    out: dict = {f"{name}_per_s": b["ok_per_s"] for name, b in best.items()}
    out["latency"] = {name: {k: b[k] for k in ("p50_ms", "p95_ms", "p99_ms")}
                      for name, b in best.items()}
    out["vs_tutorial"] = round(best["reports"]["ok_per_s"] / best["tutorial"]["ok_per_s"], 2)
    out["vs_raw"] = round(best["reports"]["ok_per_s"] / best["raw"]["ok_per_s"], 3)
    out["vs_bare_raw"] = round(best["reports"]["ok_per_s"] / best["bare_raw"]["ok_per_s"], 3)
    errors = {name: sum(r["errors"] for r in rs) for name, rs in runs.items()
              if any(r["errors"] for r in rs)}
    if errors:
        out["errors"] = errors
    return out


def _read_paths(city: City, workdir: Path) -> dict[str, Path]:
    period = str(last_week(city))
    out = {}
    for scope, code in (("district", f"{CITY}-D01"), ("city", CITY)):
        path = workdir / f"read-{scope}.txt"
        path.write_text(f"{PROGRESS}?campaign={city.campaign.code}&under={code}"
                        f"&period={period}\n")
        out[scope] = path
    return out


def _reads(server: Server, token: str, city: City, workdir: Path, seconds: float,
           concurrency: int) -> dict:
    """Dashboard reads under load (GET /progress of a district and of the city), from wrk."""
    out = {}
    files = _read_paths(city, workdir)
    with httpx.Client(base_url=server.url, timeout=120,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        # A fresh worker's first requests build and compile its statements: every worker
        # answers a few of each read before wrk measures (one at a time, then in parallel).
        for path in files.values():
            for _ in range(4 * server.workers):
                client.get(path.read_text().strip()).raise_for_status()
    for scope, paths in files.items():
        env = {"BENCH_PATHS": str(paths), "BENCH_TOKEN": token}
        wrk.run(server.url, "get.lua", 3, concurrency, env=env)  # warm-up
        out[scope] = wrk.run(server.url, "get.lua", seconds, concurrency, env=env)
    return out


def _analyze(engine) -> None:  # noqa: ANN001
    """PostgreSQL: what autovacuum would soon do after such a load (SQLite is left as is)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def _settle(url: str) -> None:
    """After the write benchmarks: SQLite's write-ahead log folded back into the database (a
    long log slows every read); PostgreSQL vacuumed and analysed now, so that autovacuum does
    not start on the written tables while the reads are measured (it takes a core of two)."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def run_database(kind: str, opts) -> dict:  # noqa: ANN001
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="tiendo-bench-") as tmp, \
            database(kind, Path(tmp)) as url:
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        city = create_city(engine, opts.districts, opts.units_per_district, opts.seed, PASSWORD)
        first = min(4, opts.weeks)
        add_weeks(engine, city, first)
        _analyze(engine)
        gen_seconds = time.perf_counter() - started
        server = Server(url, Path(tmp))
        bare = Server(url, Path(tmp), app="tiendo.bench.bare:create_bare_app")
        try:
            client = httpx.Client(base_url=server.url, timeout=120)
            token = client.post("/api/v1/auth/token", data={
                "username": "bench-admin", "password": PASSWORD}).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            paths = server.paths()
            progress = {f"weeks_{first}": _progress(engine, client, city, paths, opts.repeat)}
            started = time.perf_counter()
            add_weeks(engine, city, opts.weeks - first)
            _analyze(engine)
            gen_seconds += time.perf_counter() - started
            result["generate"] = {"units": city.extra["units"], "weeks": city.weeks,
                                  "rows": city.rows, "seconds": round(gen_seconds, 1),
                                  "rows_per_s": round(city.rows / gen_seconds)}
            progress[f"weeks_{city.weeks}"] = _progress(engine, client, city, paths, opts.repeat)
            result["progress"] = progress
            result["submit"] = _submit(server, bare, token, city, Path(tmp), opts.seconds,
                                       opts.rounds, opts.concurrency)
            result["bulk"] = _bulk(engine, client, city, paths, opts.bulk_batches)
            result["peak_memory_mb"] = round(server.peak_memory_mb(), 1)
            client.close()
        finally:
            server.stop()
            bare.stop()
            engine.dispose()
        # The same reads from one worker process, then from two (tiendo serve --workers 2),
        # one after the other on the same database, once the writes above are settled.
        _settle(url)
        result["reads"] = {}
        for workers in (1, 2):
            readers = Server(url, Path(tmp), workers=workers)
            try:
                result["reads"][f"workers_{workers}"] = _reads(
                    readers, token, city, Path(tmp), opts.seconds, opts.concurrency)
            finally:
                readers.stop()
        for scope in ("district", "city"):
            one = result["reads"]["workers_1"][scope]["ok_per_s"]
            result["reads"].setdefault("scaling", {})[scope] = (
                round(result["reads"]["workers_2"][scope]["ok_per_s"] / one, 2) if one else None)
    return result
