"""`tiendo` admin commands: migrate, seed-demo, create-user, serve."""

from __future__ import annotations

import sys
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
            user = run(session, None, data, utcnow())
            session.commit()
    except ValidationError as exc:
        typer.echo(f"Invalid input: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", err=True)
        raise typer.Exit(2) from None
    except DomainError as exc:
        typer.echo(f"Refused: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"User {user.username} created as {role} of {unit}.")


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


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
    reload: bool = False,
) -> None:
    """Serves the API and the web app (refuses to start on an unmigrated database)."""
    import uvicorn

    from tiendo.db import get_engine, schema_status

    current, head = schema_status(get_engine())
    if current != head:
        typer.echo(f"The database schema is at {current or 'nothing'}, the code needs {head}: "
                   "run `tiendo migrate` first.", err=True)
        raise typer.Exit(1)
    uvicorn.run("tiendo.main:create_app", factory=True, host=host, port=port, workers=workers,
                reload=reload, access_log=False, proxy_headers=True)


if __name__ == "__main__":
    app()
