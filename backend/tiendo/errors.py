"""Domain errors and the one JSON error shape every 4xx/5xx answer uses.

    {"error": {"code": "report_exists", "message": "...", "field": "period", "details": [...]}}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
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


class ErrorCode(StrEnum):
    """Every `error.code` the API answers, and every `code` of a rejected bulk item. A client can
    switch on them; tests/test_error_codes.py fails when the code raises one missing here."""

    # one per HTTP status, when nothing more precise applies
    bad_request = "bad_request"
    unauthorized = "unauthorized"
    forbidden = "forbidden"
    not_found = "not_found"
    method_not_allowed = "method_not_allowed"
    not_acceptable = "not_acceptable"
    conflict = "conflict"
    version_mismatch = "version_mismatch"
    payload_too_large = "payload_too_large"
    unsupported_media_type = "unsupported_media_type"
    invalid = "invalid"
    validation_error = "validation_error"
    invalid_body = "invalid_body"
    locked = "locked"
    version_required = "version_required"
    too_many_requests = "too_many_requests"
    internal_error = "internal_error"
    unavailable = "unavailable"
    database_unavailable = "database_unavailable"
    schema_outdated = "schema_outdated"
    http_error = "http_error"
    invalid_host = "invalid_host"
    # log-in, tokens, users
    invalid_credentials = "invalid_credentials"
    invalid_token = "invalid_token"
    token_expired = "token_expired"
    token_revoked = "token_revoked"
    token_not_found = "token_not_found"
    user_required = "user_required"
    user_exists = "user_exists"
    user_not_found = "user_not_found"
    wrong_password = "wrong_password"
    same_password = "same_password"
    self_grant = "self_grant"
    self_reset = "self_reset"
    metrics_token_required = "metrics_token_required"
    metrics_forbidden = "metrics_forbidden"
    # units, campaigns, metrics, targets
    unit_exists = "unit_exists"
    unit_not_found = "unit_not_found"
    unit_inactive = "unit_inactive"
    unit_not_open = "unit_not_open"
    unit_closed = "unit_closed"
    invalid_date = "invalid_date"
    unit_in_use = "unit_in_use"
    unit_has_children = "unit_has_children"
    invalid_parent = "invalid_parent"
    campaign_exists = "campaign_exists"
    campaign_not_found = "campaign_not_found"
    metric_exists = "metric_exists"
    unknown_metric = "unknown_metric"
    metric_not_for_unit = "metric_not_for_unit"
    not_a_baseline = "not_a_baseline"
    baseline_metric = "baseline_metric"
    target_exists = "target_exists"
    target_not_found = "target_not_found"
    leaderboard_not_found = "leaderboard_not_found"
    # weeks and reports
    invalid_period = "invalid_period"
    period_in_future = "period_in_future"
    period_outside_campaign = "period_outside_campaign"
    period_locked = "period_locked"
    period_not_locked = "period_not_locked"
    report_exists = "report_exists"
    report_not_found = "report_not_found"
    report_approved = "report_approved"
    report_returned = "report_returned"
    missing_metric = "missing_metric"
    numerator_exceeds_denominator = "numerator_exceeds_denominator"
    decrease_needs_note = "decrease_needs_note"
    observed_in_future = "observed_in_future"
    concurrent_write = "concurrent_write"
    # bulk posts and imports
    duplicate_item = "duplicate_item"
    import_not_found = "import_not_found"
    unreadable_file = "unreadable_file"
    missing_unit_column = "missing_unit_column"
    unknown_column = "unknown_column"
    not_an_integer = "not_an_integer"
    too_many_rows = "too_many_rows"
    idempotency_in_progress = "idempotency_in_progress"
    idempotency_key_reused = "idempotency_key_reused"
    duplicate_column = "duplicate_column"
    file_too_large_unpacked = "file_too_large_unpacked"
    cell_too_long = "cell_too_long"
    xml_entities_refused = "xml_entities_refused"
    approve_scope = "approve_scope"
    file_too_large = "file_too_large"
    empty_file = "empty_file"
    wrong_columns = "wrong_columns"
    # hardening: grants and outbound addresses
    unit_above_your_grant = "unit_above_your_grant"
    locked_above_your_grant = "locked_above_your_grant"
    address_not_allowed = "address_not_allowed"
    invalid_url = "invalid_url"
    address_unresolvable = "address_unresolvable"
    # reminders
    webhook_not_found = "webhook_not_found"
    channel_not_configured = "channel_not_configured"
    recipient_required = "recipient_required"
    invalid_email = "invalid_email"
    invalid_phone = "invalid_phone"
    webhook_required = "webhook_required"
    # data quality
    quality_rule_failed = "quality_rule_failed"
    quality_rule_not_found = "quality_rule_not_found"
    flag_not_found = "flag_not_found"
    # reorganisations
    reorg_conflicting_successor = "reorg_conflicting_successor"
    reorg_incomplete_successor = "reorg_incomplete_successor"
    reorg_duplicate_unit = "reorg_duplicate_unit"
    reorg_shares = "reorg_shares"
    reorg_roles_target = "reorg_roles_target"
    reorg_no_denominator = "reorg_no_denominator"
    reorganization_not_found = "reorganization_not_found"
    reorganization_undone = "reorganization_undone"
    reorganization_has_reports = "reorganization_has_reports"


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str
    field: str | None = None
    details: list[dict[str, Any]] = []


class ErrorResponse(BaseModel):
    """The one shape of every 4xx and 5xx answer."""

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


# Error types that validators raise as PydanticCustomError and that name the problem exactly.
DOMAIN_VALIDATION_CODES = frozenset({"invalid_period"})


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


def validation_code(detail: Mapping[str, Any]) -> str:
    """The machine code of one validation detail: our own rule's code, else validation_error."""
    kind = detail.get("type")
    return kind if kind in DOMAIN_VALIDATION_CODES else "validation_error"


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
        # A rule of our own raised inside validation keeps its own code (e.g. invalid_period).
        return error_json(422, validation_code(first), first["message"], first["field"], details)

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


# Response headers, declared in the schema where they are sent.
REQUEST_ID = {"X-Request-ID": {
    "description": "Mã của yêu cầu (có trong nhật ký máy chủ); giữ nguyên mã do proxy gửi.",
    "schema": {"type": "string", "maxLength": 64}}}
RETRY_AFTER = {"Retry-After": {"description": "Số giây nên đợi trước khi thử lại.",
                               "schema": {"type": "integer"}}}
ETAG = {"ETag": {"description": "Phiên bản hiện tại, ví dụ \"3\"; gửi lại trong If-Match.",
                 "schema": {"type": "string"}}}
LOCATION = {"Location": {"description": "Địa chỉ của đối tượng vừa tạo.",
                         "schema": {"type": "string"}}}
REPLAYED = {"Idempotent-Replayed": {
    "description": "`true` khi đây là câu trả lời đã lưu cho cùng Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]}}}


def success_headers(status: int, *headers: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry naming the headers a route sends with its success answer."""
    merged: dict[str, Any] = {}
    for h in headers:
        merged.update(h)
    return {status: {"headers": merged}}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer, all in the one error
    shape. Routes list what is particular to them (404, 409, 412, 423, 428, 429…); what any
    route can answer (401, 403, 413, 422, 500, 503) is added by tiendo.core.contract."""
    out: dict[int | str, dict[str, Any]] = {}
    for s in statuses:
        headers = {**REQUEST_ID, **(RETRY_AFTER if s in (429, 503) else {})}
        description = _HTTP_CODES.get(s, ("", "Lỗi hệ thống, vui lòng thử lại sau."))[1]
        out[s] = {"model": ErrorResponse, "description": description, "headers": headers}
    return out
