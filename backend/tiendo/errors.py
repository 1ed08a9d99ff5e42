"""Domain errors and the one JSON error shape every 4xx/5xx answer uses.

    {"error": {"code": "report_exists", "message": "...", "field": "period", "details": [...]}}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("tiendo.errors")
SPA_ROUTE = "web-app"  # the web app's catch-all GET route


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "Yêu cầu không hợp lệ."

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.field = field
        self.code = code or self.code
        self.details = details or []
        self.headers = headers
        super().__init__(self.message)


class NotFound(DomainError):
    status, code, message = 404, "not_found", "Không tìm thấy."


class Conflict(DomainError):
    status, code, message = 409, "conflict", "Xung đột với dữ liệu đã có."


class Invalid(DomainError):
    status, code, message = 422, "invalid", "Dữ liệu không hợp lệ."


class PreconditionFailed(DomainError):
    status, code, message = 412, "version_mismatch", "Dữ liệu đã bị người khác thay đổi."


class PreconditionRequired(DomainError):
    status, code, message = 428, "version_required", "Cần gửi phiên bản hiện tại (If-Match)."


class Locked(DomainError):
    status, code, message = 423, "locked", "Kỳ báo cáo đã khoá."


class Unauthorized(DomainError):
    status, code, message = 401, "unauthorized", "Cần đăng nhập."

    def __init__(self, message: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kw)


class Forbidden(DomainError):
    status, code, message = 403, "forbidden", "Bạn không có quyền thực hiện thao tác này."


class PayloadTooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "Dữ liệu gửi lên quá lớn."


class TooManyRequests(DomainError):
    status, code, message = 429, "too_many_requests", "Quá nhiều lần thử, vui lòng đợi."


def error_json(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


_HTTP_CODES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", "Cần đăng nhập."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    406: ("not_acceptable", "Định dạng không được hỗ trợ."),
    409: ("conflict", "Xung đột với dữ liệu đã có."),
    412: ("version_mismatch", "Dữ liệu đã bị người khác thay đổi."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported_media_type", "Kiểu dữ liệu không được hỗ trợ."),
    422: ("validation_error", "Dữ liệu không hợp lệ."),
    423: ("locked", "Kỳ báo cáo đã khoá."),
    428: ("version_required", "Cần gửi phiên bản hiện tại (If-Match)."),
    429: ("too_many_requests", "Quá nhiều lần thử, vui lòng đợi."),
    503: ("unavailable", "Hệ thống tạm thời không sẵn sàng."),
}

_VALIDATION_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường không được phép.",
    "int_type": "Phải là số nguyên.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "string_too_long": "Chuỗi quá dài.",
    "string_too_short": "Chuỗi quá ngắn.",
    "json_invalid": "JSON không hợp lệ.",
}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or None


def error_response(exc: DomainError) -> JSONResponse:
    """The answer for a domain error. A route may return it instead of raising when what it
    wrote must still be committed (a failed log-in is recorded, then refused)."""
    return error_json(exc.status, exc.code, exc.message, exc.field, exc.details, exc.headers)


def validation_detail(error: Mapping[str, Any]) -> dict[str, Any]:
    """One pydantic error as {field, type, message}, the way every 422 reports it."""
    return {
        "field": _field_of(error.get("loc", ())),
        "type": error.get("type"),
        "message": _VALIDATION_MESSAGES.get(error.get("type", ""), error.get("msg", "")),
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        details = [validation_detail(e) for e in errors]
        for d in details:
            if d["type"] == "json_invalid":
                d["field"] = None
        first = details[0] if details else {"field": None, "message": "Dữ liệu không hợp lệ."}
        return error_json(422, "validation_error", first["message"], first["field"], details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (e.g. invalid UTF-8): bad input like any other.
            return error_json(422, "invalid_body", "Không đọc được dữ liệu gửi lên (JSON, UTF-8).")
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request.app, request.url.path)}
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
        return error_json(exc.status_code, code, message, headers=headers)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def _database(_: Request, exc: Exception) -> JSONResponse:
        # A server that is down, restarting or saturated is an outage, not a bug: 503, and
        # pool_pre_ping reconnects by itself once it is back. Other DBAPI errors stay 500s.
        if isinstance(exc, DBAPIError) and not (
                isinstance(exc, OperationalError) or exc.connection_invalidated):
            raise exc
        log.warning("database unavailable: %s", str(exc).splitlines()[0])
        return error_json(503, "database_unavailable",
                          "Cơ sở dữ liệu tạm thời không sẵn sàng, vui lòng thử lại sau.",
                          headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_json(500, "internal_error", "Lỗi hệ thống, vui lòng thử lại sau.")


def allowed_methods(app: FastAPI, path: str) -> str:
    """Every method some route serves at `path` (Starlette names only the first route's)."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
        if any(getattr(route, "name", None) != SPA_ROUTE
               and route.matches(scope)[0] == Match.FULL for route in app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer."""
    return {s: {"model": ErrorResponse, "description": _HTTP_CODES.get(s, ("", ""))[1] or str(s)}
            for s in statuses}
