"""The app factory: routers under /api/v1, error handlers, limits, and the web app at /."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.types import ASGIApp, Receive, Scope, Send

from tiendo import __version__
from tiendo.audit.router import router as audit_router
from tiendo.auth.router import router as auth_router
from tiendo.campaigns.router import router as campaigns_router
from tiendo.config import get_settings
from tiendo.core.contract import ApiRoute
from tiendo.core.docs import install_docs
from tiendo.core.http import install_http_layers
from tiendo.core.metrics import router as metrics_router
from tiendo.cycle.router import router as cycle_router
from tiendo.db import get_engine, schema_status
from tiendo.directory.router import router as directory_router
from tiendo.errors import (
    SPA_ROUTE,
    allowed_methods,
    error_json,
    install_error_handlers,
    responses,
)
from tiendo.exports.router import router as exports_router
from tiendo.official.router import router as official_router
from tiendo.progress.router import router as progress_router
from tiendo.quality.router import router as quality_router
from tiendo.reminders.router import router as reminders_router
from tiendo.reorg.router import router as reorg_router
from tiendo.reports.bulk_router import router as bulk_router
from tiendo.reports.router import router as reports_router
from tiendo.units.router import router as units_router

API_DESCRIPTION = """
Tiến Độ: các đơn vị báo cáo số liệu hằng tuần (trước 15:00 thứ Năm), huyện theo dõi tiến độ.

Xác thực: `POST /api/v1/auth/token` (form `username`, `password`) trả về token Bearer; token
tích hợp (`tdk_…`) dùng cùng header `Authorization: Bearer …`. Mọi lỗi có một dạng:
`{"error": {"code", "message", "field", "details"}}`.

Quyền: vai trò (admin ⊃ manager ⊃ reporter ⊃ viewer) gắn với một đơn vị và có hiệu lực với cả
cây đơn vị bên dưới. Đối tượng ngoài phạm vi được xem trả về 404; xem được nhưng không được sửa
trả về 403. Token tích hợp chỉ có các scope đã cấp trên cây đơn vị của nó: `read` để đọc (mọi
danh sách và mọi trang xem), `reports:write` để gửi và sửa báo cáo (không kèm quyền đọc),
`official-counts:write` để gửi số liệu chính thức. Token không bao giờ dùng được cho quản trị
(người dùng, token, đơn vị, chiến dịch, nhật ký) hay cho `/auth/me`, `/auth/password`.
"""


class BodyLimit:
    """Refuses bodies over the limit with 413: a declared Content-Length before reading, a
    streamed (chunked) body as soon as it passes the limit. The body parsers that read it
    catch the interruption and would answer 400/422: once the limit is passed, whatever the
    app answers is dropped and the 413 is sent instead."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        streamed = False
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    return await _too_large(scope, receive, send)
            elif name == b"transfer-encoding":
                streamed = True
        if not streamed:
            # The server reads no more than a declared length, and a request with neither
            # header has no body (HTTP/1.1): nothing to watch, no wrapper on every request.
            return await self.app(scope, receive, send)
        seen = 0
        exceeded = started = False

        async def limited_receive():  # noqa: ANN202
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                exceeded = True
                raise _BodyTooLarge
            return message

        async def guarded_send(message):  # noqa: ANN001, ANN202
            nonlocal started
            if exceeded:
                return  # the app's answer to a cut-off body: replaced by the 413
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(scope, receive, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await error_json(413, "payload_too_large", "Dữ liệu gửi lên quá lớn.")(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _operation_id(route: APIRoute) -> str:
    return route.name


def _ops_router() -> APIRouter:
    ops = APIRouter(tags=["ops"], route_class=ApiRoute)

    @ops.get("/api/health", name="health", summary="Tiến trình đang chạy")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @ops.get("/api/ready", name="ready", summary="CSDL kết nối được và lược đồ đã cập nhật",
             responses=responses(503))
    def ready(request: Request) -> JSONResponse:
        try:
            engine = request.app.state.engine
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            current, head = schema_status(engine)
        except Exception:  # noqa: BLE001 - any database failure means "not ready"
            return error_json(503, "database_unavailable", "Không kết nối được cơ sở dữ liệu.")
        if current != head:
            return error_json(503, "schema_outdated", f"Lược đồ CSDL chưa cập nhật ({current} ≠ "
                              f"{head}); chạy `tiendo migrate`.")
        return JSONResponse({"status": "ready", "schema": current})

    return ops


def _mount_web_app(app: FastAPI, static_dir: Path) -> None:
    index = static_dir / "index.html"
    if not index.exists():
        return
    if (static_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=static_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, name=SPA_ROUTE)
    def spa(path: str, request: Request):  # noqa: ANN202
        if path.startswith("api/") or path == "api":
            allowed = allowed_methods(app, "/" + path)
            if allowed:  # an API path, asked with a method it does not serve
                return error_json(405, "method_not_allowed", "Phương thức không được hỗ trợ.",
                                  headers={"Allow": allowed})
            return error_json(404, "not_found", "Không tìm thấy.")
        candidate = (static_dir / path).resolve()
        if path and candidate.is_file() and static_dir.resolve() in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


GC_THRESHOLDS = (50_000, 10, 10)


class SchemaNotCurrent(RuntimeError):
    pass


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    current, head = schema_status(app.state.engine)
    if current != head:
        raise SchemaNotCurrent(
            f"The database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `tiendo migrate` (or `make migrate`) first.")
    # What start-up built (modules, models, routes, compiled schemas) lives as long as the
    # process: left out of the collector's full passes, which otherwise walk it all again and
    # again while a large post allocates (~70 ms a pass, several per 10,000-item post).
    gc.collect()
    gc.freeze()
    # A young-generation pass every 50,000 new objects, not every 700: a 6,000-item bulk post
    # allocates ~150,000 and spent 31–105 ms of its ~300 in 200 passes (18 of them older
    # generations'); now 5 ms in one or two. Older generations keep the default ratios (10, 10).
    gc.set_threshold(*GC_THRESHOLDS)
    yield


def create_app(engine: Engine | None = None) -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=lifespan,
        title="Tiến Độ API",
        version=__version__,
        description=API_DESCRIPTION,
        generate_unique_id_function=_operation_id,
        swagger_ui_parameters={"persistAuthorization": True},
        # Relative: the API is on the server that serves this schema, wherever it is deployed.
        servers=[{"url": "/", "description": "Máy chủ đang phục vụ tài liệu này"}],
        docs_url=None, redoc_url=None,  # served by install_docs, without a CDN
    )
    app.state.engine = engine or get_engine()
    install_error_handlers(app)
    app.include_router(_ops_router())
    app.include_router(metrics_router)
    api = APIRouter(prefix="/api/v1")
    # The busiest first: a request is matched against the routes in this order, and every
    # route tried before the right one costs every request (the weekly submissions and the
    # dashboard reads). Fixed paths (/reports/bulk) before /reports/{report_id}.
    for router in (bulk_router, reports_router, progress_router, cycle_router, auth_router,
                   units_router, directory_router, campaigns_router, official_router,
                   reminders_router, exports_router, quality_router, reorg_router, audit_router):
        api.include_router(router)
    app.include_router(api)
    install_docs(app, settings.static_dir)
    _mount_web_app(app, settings.static_dir)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    install_http_layers(app, settings)
    return app
