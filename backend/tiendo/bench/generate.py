"""A city-scale database for the benchmark: districts of units reporting every week for two
years, reproducible from a seed. Rows go in with Core executemany (COPY on PostgreSQL), with
ids assigned here so that nothing has to be read back."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlmodel import Session

from tiendo.auth.models import Role
from tiendo.auth.schemas import RoleGrant, UserCreate
from tiendo.auth.service import create_user
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Baseline, Campaign, Metric
from tiendo.campaigns.schemas import CampaignCreate
from tiendo.campaigns.service import insert_campaign, insert_target
from tiendo.core.periods import Week
from tiendo.demo.seed import METRICS, demo_targets
from tiendo.figures.cache import forget
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

CITY = "BX"
CAMPAIGN = "bench-city"
FIRST_WEEK = Week(2023, 1)  # fixed, so that a seed always gives the same database
ADMIN = "bench-admin"
# Kinds in every 100 units of a district: mostly schools, as in Gia Lâm.
KIND_MIX = (["commune"] * 10 + ["agency"] * 10 + ["public_service"] * 8 + ["school"] * 64
            + ["party"] * 4 + ["mass_org"] * 4)
STAFF_RANGE = {"commune": (22, 45), "agency": (8, 30), "public_service": (25, 160),
               "school": (25, 95), "party": (6, 18), "mass_org": (4, 12)}


@dataclass
class City:
    """What the generator made, and enough state to append more weeks reproducibly."""

    campaign: Campaign
    metrics: dict[str, int]
    units: list[tuple[int, str, str]]  # (id, code, kind) of reporting units
    staff: dict[int, int]
    population: dict[int, int]
    speed: dict[int, float]
    seed: int
    weeks: int = 0
    rows: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def _next_id(conn: Connection, table: Table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _plain(value: object, sqlite: bool) -> object:
    if isinstance(value, dict):
        return json.dumps(value)
    if sqlite and isinstance(value, datetime):
        # The text SQLAlchemy's DateTime stores on SQLite, in UTC like UTCDateTime.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def write_rows(conn: Connection, table: Table, cols: list[str], rows: list[tuple]) -> None:
    """Driver-level executemany of plain tuples (COPY on PostgreSQL): SQLAlchemy's per-value
    type processing would cost more than the database's own work."""
    if not rows:
        return
    quoted = ", ".join(f'"{c}"' for c in cols)
    if conn.dialect.name != "postgresql":
        marks = ", ".join("?" for _ in cols)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', rows)
        return
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def write_dicts(conn: Connection, table: Table, rows: list[dict]) -> None:
    if rows:
        sqlite = conn.dialect.name == "sqlite"
        cols = list(rows[0])
        write_rows(conn, table, cols, [tuple(_plain(r[c], sqlite) for c in cols) for r in rows])


def _fix_sequences(conn: Connection, *tables: Table) -> None:
    if conn.dialect.name == "postgresql":
        for t in tables:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 1) FROM \"{t.name}\"))"))


def create_city(engine: Engine, districts: int, units_per_district: int, seed: int,
                password: str, now: datetime | None = None) -> City:
    """Units, the campaign (demo metrics and targets, running from 2023-W01), baselines and an
    admin of the whole city; no reports yet."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    unit_t = Unit.__table__
    with engine.begin() as conn:
        next_id = _next_id(conn, unit_t)
        city_id, rows, reporting = next_id, [], []

        def add(code: str, name: str, kind: str, parent: dict | None) -> dict:
            nonlocal next_id
            row = {"id": next_id, "code": code, "name": name, "kind": kind,
                   "parent_id": parent["id"] if parent else None,
                   "path": f"{parent['path'] if parent else '/'}{next_id}/",
                   "depth": parent["depth"] + 1 if parent else 0, "active": True,
                   "created_at": now, "updated_at": now}
            next_id += 1
            rows.append(row)
            return row

        city = add(CITY, "Thành phố thử tải (bench)", "city", None)
        for d in range(1, districts + 1):
            district = add(f"{CITY}-D{d:02d}", f"Quận/huyện thử tải {d}", "district", city)
            for i in range(units_per_district):
                kind = KIND_MIX[i % len(KIND_MIX)]
                u = add(f"{CITY}-D{d:02d}-{kind[:3].upper()}{i:04d}",
                        f"Đơn vị {i} ({kind}) quận {d}", kind, district)
                reporting.append((u["id"], u["code"], kind))
        write_dicts(conn, unit_t, rows)
        _fix_sequences(conn, unit_t)
    with Session(engine) as session:
        owner = session.get(Unit, city_id)
        start = FIRST_WEEK.monday
        campaign = insert_campaign(session, CampaignCreate(
            code=CAMPAIGN, name="Thành phố thử tải", owner=CITY, start_date=start,
            end_date=start + timedelta(weeks=520) - timedelta(days=1), metrics=METRICS,
            lock_after_days=0), owner)
        for target in demo_targets(CAMPAIGN, date(2023, 6, 30), date(2024, 6, 28)):
            insert_target(session, campaign, target, None)
        metrics = {m.code: m.id for m in session.exec(
            select(Metric).where(Metric.campaign_id == campaign.id)).scalars()}
        population = {uid: rng.randint(3_000, 40_000)
                      for uid, _, kind in reporting if kind == "commune"}
        session.flush()
        write_dicts(session.connection(), Baseline.__table__, [
            {"campaign_id": campaign.id, "metric_id": metrics["residents_total"],
             "unit_id": uid, "value": pop, "note": "bench", "updated_at": now}
            for uid, pop in population.items()])
        create_user(session, None, UserCreate(
            username=ADMIN, full_name="Quản trị thử tải", password=password,
            roles=[RoleGrant(role=Role.admin, unit=CITY)]), now)
        session.commit()
        session.refresh(campaign)
    staff = {uid: rng.randint(*STAFF_RANGE[kind]) for uid, _, kind in reporting}
    speed = {uid: rng.uniform(0.02, 0.12) for uid, _, _ in reporting}
    return City(campaign, metrics, reporting, staff, population, speed, seed,
                extra={"units": len(rows), "reporting_units": len(reporting)})


def _share(speed: float, week_index: int) -> float:
    """An S-curve from near 0 to 1: slow start, push, saturation."""
    return 1.0 / (1.0 + math.exp(-speed * (week_index - 30)))


REPORT_COLS = ["id", "campaign_id", "unit_id", "period", "status", "timeliness", "version",
               "source", "sender_name", "note", "received_at", "updated_at"]
VALUE_COLS = ["report_id", "metric_id", "value"]


def add_weeks(engine: Engine, city: City, weeks: int) -> int:
    """Appends `weeks` weeks of reports (about 3 % missing, 15 % late); returns rows written."""
    m = city.metrics
    written = 0
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # keep the growing indexes in memory, not spilled to the WAL
            conn.exec_driver_sql("PRAGMA cache_size=-400000")
        elif conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                                  ).scalar():
            # Rows made here reference rows made here: skip the per-row foreign-key triggers.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        report_id = _next_id(conn, Report.__table__)
        for index in range(city.weeks, city.weeks + weeks):
            week = FIRST_WEEK.shift(index)
            rng = random.Random(city.seed * 1_000_003 + index)  # each week on its own stream
            due = Calendar(city.campaign).due(week).astimezone(UTC)
            if sqlite:
                due = due.replace(tzinfo=None)
            period, cid = str(week), city.campaign.id
            reports, values = [], []
            for uid, _, kind in city.units:
                if rng.random() < 0.03:
                    continue
                late = rng.random() < 0.15
                received = due + timedelta(hours=rng.uniform(0.2, 50) if late
                                           else -rng.uniform(0.5, 50))
                if sqlite:
                    received = received.isoformat(" ", "microseconds")
                share = _share(city.speed[uid], index)
                vals = {"staff_total": city.staff[uid],
                        "staff_installed": round(city.staff[uid] * min(1.0, share * 1.05))}
                if kind == "commune":
                    vals["residents_accounts"] = round(city.population[uid] * share * 0.9)
                    vals["broadcasts"] = 2 * index + uid % 3
                    vals["posters"] = 3 + index
                    vals["meetings"] = index
                elif kind == "public_service":
                    vals["broadcasts"] = index
                    vals["posters"] = 2 + index
                reports.append((report_id, cid, uid, period, "submitted",
                                "late" if late else "on_time", 1, "api", "bench", "", received,
                                received))
                values.extend((report_id, m[c], v) for c, v in vals.items())
                report_id += 1
            write_rows(conn, Report.__table__, REPORT_COLS, reports)
            write_rows(conn, ReportValue.__table__, VALUE_COLS, values)
            written += len(reports) + len(values)
        _fix_sequences(conn, Report.__table__)
        forget(conn, city.campaign.id)  # rows written past the ORM: kept totals told here
    city.weeks += weeks
    city.rows += written
    return written


def last_week(city: City) -> Week:
    return FIRST_WEEK.shift(city.weeks - 1)


def generate(engine: Engine, districts: int = 30, units_per_district: int = 200,
             weeks: int = 104, seed: int = 1, password: str = "bench-password") -> City:
    city = create_city(engine, districts, units_per_district, seed, password)
    add_weeks(engine, city, weeks)
    return city
