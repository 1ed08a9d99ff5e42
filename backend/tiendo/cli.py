"""`tiendo` admin commands: migrate, seed-demo, create-user, sync-official, remind, serve,
backup, restore."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from tiendo.config import get_settings

app = typer.Typer(help="Tiến Độ: quản trị từ dòng lệnh.", no_args_is_help=True)


@app.command()
def migrate() -> None:
    """Brings the database schema to the newest migration."""
    from tiendo.db import migrate as run

    url = get_settings().resolved_database_url()
    run(url)
    typer.echo("Database schema is up to date.")


@app.command("seed-demo")
def seed_demo(
    password: Annotated[str | None, typer.Option(
        envvar="TIENDO_DEMO_PASSWORD", help="One password for every demo user (default: random)")
    ] = None,
) -> None:
    """Loads the Gia Lâm demo into an empty database and prints the demo log-ins."""
    from tiendo.db import get_engine
    from tiendo.demo.seed import seed_demo as run

    settings = get_settings()
    with Session(get_engine()) as session:
        result = run(session, password=password)
        session.commit()
    if not result.created:
        typer.echo("The database already holds units: demo not loaded.")
        return
    lines = [f"  {user:<10} {pw}" for user, pw in result.passwords.items()]
    text = "Demo users (username, password) — DEMO ONLY:\n" + "\n".join(lines)
    creds = settings.var_dir / "demo-credentials.txt"
    creds.parent.mkdir(parents=True, exist_ok=True)
    creds.touch(mode=0o600)
    creds.write_text(text + "\n")
    typer.echo(f"Demo loaded: {result.units} units, {result.reports} reports.\n{text}\n"
               f"(also written to {creds})")


@app.command("quality-scan")
def quality_scan(
    campaign: Annotated[str | None, typer.Option(help="Campaign code (default: every campaign "
                                                       "running now)")] = None,
    period: Annotated[str | None, typer.Option(help="ISO week, e.g. 2024-W30 (default: the "
                                                      "current week and the one before)")] = None,
) -> None:
    """Runs the data-quality checks of a week and stores the flags (idempotent; for cron)."""
    from sqlmodel import select

    from tiendo.campaigns.calendar import Calendar
    from tiendo.campaigns.models import Campaign
    from tiendo.campaigns.service import get_campaign
    from tiendo.core.clock import utcnow
    from tiendo.db import get_engine
    from tiendo.quality.scan import scan_week

    now = utcnow()
    with Session(get_engine()) as session:
        campaigns = ([get_campaign(session, None, campaign)] if campaign else
                     [c for c in session.exec(select(Campaign).order_by(Campaign.id))
                      if Calendar(c).running(now)])
        for c in campaigns:
            cal = Calendar(c)
            current = cal.week(period, now)
            weeks = [current] if period else [w for w in (current.shift(-1), current)
                                              if cal.first <= w]
            for week in weeks:
                out = scan_week(session, c, week, now)
                typer.echo(f"{c.code} {week}: {out.raised} new, {out.changed} changed, "
                           f"{out.cleared} cleared.")
        session.commit()


@app.command("create-user")
def create_user(
    username: str,
    role: Annotated[str, typer.Option(help="admin, manager, reporter or viewer")],
    unit: Annotated[str, typer.Option(help="Unit code the role applies to (and its subtree)")],
    full_name: Annotated[str | None, typer.Option()] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Creates a user; the password is prompted for, or read from standard input."""
    from pydantic import ValidationError

    from tiendo.auth.schemas import RoleGrant, UserCreate
    from tiendo.auth.service import create_user as run
    from tiendo.core.clock import utcnow
    from tiendo.db import get_engine
    from tiendo.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(username=username, full_name=full_name or username, password=password,
                          roles=[RoleGrant(role=role, unit=unit)])
        with Session(get_engine()) as session:
            run(session, None, data, utcnow())
            session.commit()
    except ValidationError as exc:
        typer.echo(f"Invalid input: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", err=True)
        raise typer.Exit(2) from None
    except DomainError as exc:
        typer.echo(f"Refused: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"User {data.username} created as {role} of {unit}.")


@app.command("sync-official")
def sync_official(
    url: Annotated[str | None, typer.Option(
        help="Feed URL (default: TIENDO_OFFICIAL_COUNTS_URL)")] = None,
    retries: Annotated[int, typer.Option(min=0, max=10,
                                         help="Retries after a timeout or a 5xx")] = 2,
) -> None:
    """Pulls official counts (e.g. HANOI EIC) from the configured URL; all or nothing."""
    from tiendo.core.clock import utcnow
    from tiendo.db import get_engine
    from tiendo.official.sync import SyncError
    from tiendo.official.sync import sync_official as run

    settings = get_settings()
    url = url or settings.official_counts_url
    if not url:
        typer.echo("No feed URL: set TIENDO_OFFICIAL_COUNTS_URL or pass --url.", err=True)
        raise typer.Exit(2)
    with Session(get_engine()) as session:
        try:
            result = run(session, url, utcnow(), timeout=settings.official_counts_timeout,
                         retries=retries)
        except SyncError as exc:
            session.rollback()
            typer.echo(f"Official counts not synced, nothing written: {exc}", err=True)
            raise typer.Exit(1) from None
        session.commit()
    o = result.outcomes
    typer.echo(f"Official counts from {url}: {o['created']} new, {o['updated']} updated, "
               f"{o['unchanged']} unchanged.")


@app.command()
def remind(
    campaign: Annotated[str | None, typer.Option(
        help="Remind this campaign's missing units now, whatever its schedule")] = None,
    period: Annotated[str | None, typer.Option(help="ISO week, e.g. 2024-W36 (with --campaign)")
                      ] = None,
    under: Annotated[str | None, typer.Option(help="Only units under this unit code")] = None,
) -> None:
    """Sends the reminders due now (for cron, every few minutes): each running campaign's
    schedule entries whose time has come, and the messages waiting for a retry. A message
    already delivered is never sent again."""
    from tiendo.core import clock
    from tiendo.db import get_engine, job_session
    from tiendo.errors import DomainError
    from tiendo.reminders.channels import configured_channels
    from tiendo.reminders.delivery import deliver_due
    from tiendo.reminders.service import plan, queue, queue_scheduled

    now = clock.utcnow()
    engine = get_engine()
    configured = configured_channels()
    try:
        with job_session(engine) as session:
            if campaign is None and period is None and under is None:
                for p, queued in queue_scheduled(session, now, configured):
                    typer.echo(f"{p.campaign.code} {p.period} {p.kind}: {queued} message(s) "
                               f"queued, {p.missing} unit(s) concerned.")
            else:
                if campaign is None:
                    typer.echo("--period and --under need --campaign.", err=True)
                    raise typer.Exit(2)
                from tiendo.campaigns.service import get_campaign
                from tiendo.cycle.completeness import get_unit_unchecked

                c = get_campaign(session, None, campaign)
                root = get_unit_unchecked(session, under).code if under else None
                p = plan(session, None, c, period, "manual", root, now, configured)
                queued, skipped = queue(session, p, now, "manual", rearm=True)
                typer.echo(f"{c.code} {p.period}: {p.missing} unit(s) without a report; "
                           f"{len(queued)} message(s) queued, {skipped} sent before.")
                if p.unreachable:
                    typer.echo(f"  no channel reaches: {', '.join(p.unreachable)}")
    except DomainError as exc:
        typer.echo(f"Refused: {exc.message}", err=True)
        raise typer.Exit(2) from None
    outcomes = deliver_due(lambda: job_session(engine), now)
    for o in outcomes:
        typer.echo(f"  {o.kind} {o.period} {o.channel} {o.recipient}: {o.status} after "
                   f"{o.attempts} attempt(s){'; ' + o.error if o.error else ''}")
    if any(o.status != "delivered" for o in outcomes):
        raise typer.Exit(1)  # cron should know


@app.command("reorganize")
def reorganize(
    file: Annotated[Path, typer.Argument(help="The .xlsx (see `tiendo reorganize-template`)")],
    effective_date: Annotated[str, typer.Option(help="YYYY-MM-DD: predecessors close, "
                                                     "successors open on this date")],
    note: Annotated[str, typer.Option(help="The resolution, e.g. 'Nghị quyết 1656/NQ-UBTVQH15'")]
    = "",
    apply: Annotated[bool, typer.Option("--apply", help="Write it (default: a dry run)")] = False,
) -> None:
    """Merges, splits, renames and moves units from a spreadsheet, with the API's checks; prints
    what changes. Without --apply nothing is written."""
    from datetime import date

    from tiendo.core.clock import utcnow
    from tiendo.db import get_engine
    from tiendo.errors import DomainError
    from tiendo.reorg.service import apply as run
    from tiendo.reorg.service import system_principal
    from tiendo.reorg.sheet import request_of

    try:
        data = request_of(file.read_bytes(), date.fromisoformat(effective_date), note)
        with Session(get_engine()) as session:
            result = run(session, system_principal(session), data, utcnow(), dry_run=not apply)
            session.commit()
    except DomainError as exc:
        typer.echo(f"Refused ({exc.code}{', ' + exc.field if exc.field else ''}): {exc.message}",
                   err=True)
        for d in exc.details[:20]:
            typer.echo(f"  {d}", err=True)
        raise typer.Exit(1) from None
    typer.echo(("Applied" if apply else "Dry run (nothing written)") + f": {result.note}")
    typer.echo(f"  opened: {', '.join(u.code for u in result.units_opened)}")
    typer.echo(f"  closed: {', '.join(u.code for u in result.units_closed)}")
    for r in result.renamed:
        typer.echo(f"  renamed {r.code}: {r.old_name} → {r.name}")
    for m in result.moved:
        typer.echo(f"  moved {m.code}: {m.old_parent} → {m.parent}")
    for c in result.carried:
        typer.echo(f"  carried {c.unit} {c.campaign} {c.period}: {c.values}")
    for b in result.baselines:
        typer.echo(f"  baseline {b.unit} {b.campaign} {b.metric} = {b.value}"
                   f"{' (by shares)' if b.derived else ''}")
    for a in result.access:
        typer.echo(f"  {a.what} {a.holder} {a.role or ''} {a.from_unit} → {a.to_unit or 'revoked'}")


@app.command("reorganize-template")
def reorganize_template(out: Path) -> None:
    """Writes the empty .xlsx that `tiendo reorganize` reads."""
    from tiendo.reorg.sheet import reorg_template

    out.write_bytes(reorg_template())
    typer.echo(f"Template written to {out}")


@app.command()
def purge(
    keep_days: Annotated[int, typer.Option(
        min=1, help="Days an Idempotency-Key is remembered")] = 7,
) -> None:
    """Deletes old idempotency keys, failed log-ins and bulk-import records (for cron: daily)."""
    from datetime import timedelta

    from tiendo.config import get_settings
    from tiendo.core.clock import utcnow
    from tiendo.db import get_engine
    from tiendo.ops.purge import purge as purge_rows

    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    with Session(get_engine()) as session:
        done = purge_rows(session, utcnow(), keep_days, window, settings.import_ledger_days)
        session.commit()
    typer.echo(f"Deleted {done.idempotency_keys} idempotency key(s) older than {keep_days} "
               f"day(s), {done.login_failures} old failed log-in(s) and "
               f"{done.bulk_imports} bulk-import record(s) older than "
               f"{settings.import_ledger_days} day(s).")


@app.command()
def generate(
    districts: Annotated[int, typer.Option(min=1, max=99)] = 30,
    units_per_district: Annotated[int, typer.Option(min=1, max=9999)] = 200,
    weeks: Annotated[int, typer.Option(min=1, max=520)] = 104,
    seed: int = 1,
    password: Annotated[str, typer.Option(envvar="TIENDO_BENCH_PASSWORD")] = "bench-password",
) -> None:
    """Builds a city-scale benchmark database (campaign "bench-city", admin "bench-admin")."""
    import time

    from tiendo.bench.generate import generate as run
    from tiendo.db import get_engine

    started = time.perf_counter()
    city = run(get_engine(), districts, units_per_district, weeks, seed, password)
    typer.echo(f"Generated {city.extra['units']} units, {city.weeks} weeks, {city.rows} rows "
               f"in {time.perf_counter() - started:.1f} s.")


@app.command("rebuild-figures")
def rebuild_figures(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign (its code)")] = None,
    until: Annotated[str | None, typer.Option(
        help="Only weeks up to this one (e.g. 2023-W52); default: the current week")] = None,
) -> None:
    """Recomputes the kept subtree totals and reporting counts of every week up to the current
    one, bottom-up."""
    import time

    from tiendo.core.clock import utcnow
    from tiendo.db import get_engine
    from tiendo.figures.upkeep import rebuild

    started = time.perf_counter()
    from tiendo.core.periods import Week
    from tiendo.errors import DomainError

    try:
        last = Week.parse(until, field="until") if until else None
    except DomainError as exc:
        typer.echo(f"Refused: {exc.message}", err=True)
        raise typer.Exit(2) from None
    kept = rebuild(get_engine(), campaign, utcnow(), say=typer.echo, until=last)
    typer.echo(f"Kept {kept} node-week totals in {time.perf_counter() - started:.1f} s.")


@app.command("check-figures")
def check_figures(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign (its code)")] = None,
) -> None:
    """Compares every kept subtree total and reporting count with the live engine; exit 1 on
    any difference."""
    from tiendo.db import get_engine
    from tiendo.figures.upkeep import check

    with Session(get_engine()) as session:
        checked, differences = check(session, campaign)
    for d in differences:
        typer.echo(f"{d.campaign} unit {d.unit_id} {d.week} {d.what}: "
                   f"kept {d.kept} live {d.live}")
    typer.echo(f"Checked {checked} kept total(s): {len(differences)} difference(s).")
    if differences:
        raise typer.Exit(1)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, envvar="TIENDO_WORKERS")] = 1,
    reload: bool = False,
) -> None:
    """Serves the API and the web app (refuses to start on an unmigrated database)."""
    import uvicorn

    from tiendo.core.logs import logging_config
    from tiendo.core.metrics import prepare_multiprocess
    from tiendo.db import get_engine, schema_status

    current, head = schema_status(get_engine())
    if current != head:
        typer.echo(f"The database schema is at {current or 'nothing'}, the code needs {head}: "
                   "run `tiendo migrate` first.", err=True)
        raise typer.Exit(1)
    settings = get_settings()
    prepare_multiprocess(workers)
    uvicorn.run("tiendo.main:create_app", factory=True, host=host, port=port, workers=workers,
                reload=reload, access_log=False, proxy_headers=True, server_header=False,
                forwarded_allow_ips=settings.forwarded_allow_ips,
                log_config=logging_config(settings.log_level))


def _backup_op(name: str, path: Path, force: bool) -> None:
    from tiendo.ops import backup as ops

    try:
        typer.echo(getattr(ops, name)(get_settings().resolved_database_url(), path,
                                      force=force).message)
    except ops.BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@app.command()
def backup(
    path: Path,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
) -> None:
    """Backs the database up to PATH (SQLite online backup; PostgreSQL through pg_dump)."""
    _backup_op("backup", path, force)


@app.command()
def restore(
    path: Path,
    force: Annotated[bool, typer.Option("--force", help="Replace the current database")] = False,
) -> None:
    """Restores a SQLite backup made by `tiendo backup` (stop the app first)."""
    _backup_op("restore", path, force)


if __name__ == "__main__":
    app()
