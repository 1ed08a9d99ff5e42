"""The benchmark's server: the product app plus two baseline routes, never part of the product.

- POST /bench/raw: one row inserted with the raw driver (the limit of a `def` route);
- POST /bench/tutorial: the FastAPI/SQLModel tutorial's way (session dependency, add, commit,
  refresh; no auth).
Both write tables of their own registry, so Alembic and the product never see them."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel

from tiendo.bench.raw import add_raw_insert, create_raw_table
from tiendo.db import get_engine
from tiendo.main import create_app

bench_registry = registry()
bench_metadata = bench_registry.metadata


class BenchModel(SQLModel, registry=bench_registry):
    pass


class HeroBase(BenchModel):
    name: str = Field(max_length=255)
    age: int | None = None


class Hero(HeroBase, table=True):
    __tablename__ = "bench_hero"

    id: int | None = Field(default=None, primary_key=True)


class HeroCreate(HeroBase):
    pass


class HeroPublic(HeroBase):
    id: int


def baseline_router(engine: Engine) -> APIRouter:
    router = APIRouter(prefix="/bench", tags=["bench"])

    def get_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    @router.post("/tutorial", name="bench-tutorial", response_model=HeroPublic)
    def create_hero(hero: HeroCreate,
                    session: Annotated[Session, Depends(get_session)]) -> Hero:
        db_hero = Hero.model_validate(hero)
        session.add(db_hero)
        session.commit()
        session.refresh(db_hero)
        return db_hero

    add_raw_insert(router, engine)
    return router


def create_bench_app() -> FastAPI:
    engine = get_engine()
    with engine.begin() as conn:
        bench_metadata.create_all(conn)
    create_raw_table(engine)
    app = create_app(engine)
    app.include_router(baseline_router(engine))  # POST: the web app's GET catch-all is no match
    return app
