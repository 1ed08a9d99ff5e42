"""The raw-driver insert both benchmark servers carry: the product's app (`tiendo.bench.app`,
inside its middleware) and the bare app (`tiendo.bench.bare`, without any), so the two
measure the very same route."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Engine


class RawHero(BaseModel):
    name: str
    age: int | None = None


def create_raw_table(engine: Engine) -> None:
    identity = ("AUTOINCREMENT" if engine.dialect.name == "sqlite"
                else "GENERATED ALWAYS AS IDENTITY")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY "
                             f"{identity}, name VARCHAR(255) NOT NULL, age INTEGER)")


def add_raw_insert(router: APIRouter, engine: Engine, path: str = "/raw") -> None:
    """POST `path`: one row inserted and committed with the raw driver (the limit of a `def`
    route), no session, no ORM."""
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = f"INSERT INTO bench_raw (name, age) VALUES ({mark}, {mark}) RETURNING id"

    @router.post(path, name="bench-raw")
    def create_raw(hero: RawHero) -> dict[str, int]:
        conn = engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute(sql, (hero.name, hero.age))
            new_id = cur.fetchone()[0]
            conn.commit()
        finally:
            conn.close()
        return {"id": new_id}
