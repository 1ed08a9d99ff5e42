"""The limit for a write: a bare FastAPI app (no product middleware, no auth, no session) whose
one route inserts a row with the raw driver. `make bench` serves it beside the product's app."""

from fastapi import APIRouter, FastAPI

from tiendo.bench.raw import add_raw_insert, create_raw_table
from tiendo.db import get_engine


def create_bare_app() -> FastAPI:
    engine = get_engine()
    create_raw_table(engine)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    router = APIRouter()

    @router.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    add_raw_insert(router, engine, "/bench/raw")
    app.include_router(router)
    return app
