"""The limit for a write: a bare FastAPI app (no product middleware, no auth, no session) whose
one route inserts a row with the raw driver. `make bench` serves it beside the product's app."""

from fastapi import FastAPI
from pydantic import BaseModel

from tiendo.db import get_engine


class Hero(BaseModel):
    name: str
    age: int | None = None


def create_bare_app() -> FastAPI:
    engine = get_engine()
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY "
                             + ("AUTOINCREMENT" if sqlite else "GENERATED ALWAYS AS IDENTITY")
                             + ", name VARCHAR(255) NOT NULL, age INTEGER)")
    mark = "?" if sqlite else "%s"
    sql = f"INSERT INTO bench_raw (name, age) VALUES ({mark}, {mark}) RETURNING id"
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bench/raw")
    def create_raw(hero: Hero) -> dict[str, int]:
        conn = engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute(sql, (hero.name, hero.age))
            new_id = cur.fetchone()[0]
            conn.commit()
        finally:
            conn.close()
        return {"id": new_id}

    return app
