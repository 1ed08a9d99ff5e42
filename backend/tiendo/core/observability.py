"""Per-request observability: a request id (X-Request-ID), one JSON log line and the metrics.

Plain ASGI (no BaseHTTPMiddleware) and no database work, since it runs on every request.
"""

from __future__ import annotations

import logging
import random
import re
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tiendo.core.logs import request_id_var
from tiendo.core.metrics import record_request
from tiendo.errors import error_json

access_log = logging.getLogger("tiendo.access")
log = logging.getLogger("tiendo.observability")
_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
UNMATCHED = "<unmatched>"


def _incoming_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"x-request-id":
            return value.decode() if _VALID_ID.fullmatch(value) else None
    return None


def _new_id() -> str:
    """16 hex digits to find a request in the logs, not a secret: drawn from `random`, which
    costs a tenth of `secrets` (2 % of a report submission's CPU went there)."""
    return f"{random.getrandbits(64):016x}"


def _principal_label(state: dict) -> str | None:
    principal = state.get("principal")  # set by tiendo.auth.deps.get_principal
    if principal is None:
        return None
    if principal.token_id is not None:
        return f"token:{principal.token_id}"
    return f"user:{principal.user_id}"


class Observability:
    def __init__(self, app: ASGIApp, *, log_requests: bool = True) -> None:
        self.app, self.log_requests = app, log_requests
        self._templates: dict[str, str] | None = None

    def _template(self, scope: Scope) -> tuple[str, str | None]:
        """(full path template, operation id) of the route that answered. Routes of included
        routers know only their own part of the path; the schema knows the whole of it."""
        route = scope.get("route")
        if route is None:
            return UNMATCHED, None
        if self._templates is None:
            self._templates = {}
            try:
                for path, operations in scope["app"].openapi().get("paths", {}).items():
                    for op in operations.values():
                        if isinstance(op, dict) and "operationId" in op:
                            self._templates[op["operationId"]] = path
            except Exception:  # noqa: BLE001 - labels fall back to the route's own path
                log.exception("cannot read route templates from the OpenAPI schema")
        name = getattr(route, "name", None)
        return self._templates.get(name) or getattr(route, "path", UNMATCHED), name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = perf_counter()
        request_id = _incoming_id(scope["headers"]) or _new_id()
        request_id_var.set(request_id)  # no reset: the value dies with this request's task
        id_header = (b"x-request-id", request_id.encode())
        state = scope.setdefault("state", {})
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # The catch-all handler logs the stack; answer here so the 500 carries the id too.
            if not started:
                await error_json(500, "internal_error", "Lỗi hệ thống, vui lòng thử lại sau.")(
                    scope, receive, send_with_id)
            raise
        except BaseException:  # cancelled: the client went away before the answer
            if not started:
                status = 499
            raise
        finally:
            seconds = perf_counter() - start
            template, name = self._template(scope)
            record_request(scope["method"], template, name, status, seconds)
            if self.log_requests and access_log.isEnabledFor(logging.INFO):
                self._log(scope, state, request_id, template, status, seconds)

    @staticmethod
    def _log(scope: Scope, state: dict, request_id: str, template: str, status: int,
             seconds: float) -> None:
        client = scope.get("client")
        fields = {
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "route": template,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "principal": _principal_label(state),
            "client": client[0] if client else None,
        }
        # makeRecord + handle skips logging's caller lookup, the dearest part of a log call.
        record = access_log.makeRecord(access_log.name, logging.INFO, "", 0, "request", (),
                                       None, extra={"fields": fields})
        access_log.handle(record)
