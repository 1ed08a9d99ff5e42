"""Browser hardening on every response, and the Host header check.

The web app is built by Vite into external scripts and styles only, so its policy allows
nothing but our own origin. The API docs (/docs, /redoc) are served from our origin too
(tiendo.core.docs), without inline scripts; their policy only adds inline styles (Swagger UI and
ReDoc style elements from script) and blob: workers (ReDoc's search).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tiendo.errors import error_json

APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, docs_prefixes: tuple[str, ...] = (),
                 hsts_always: bool = False) -> None:
        self.app, self.docs_prefixes, self.hsts_always = app, docs_prefixes, hsts_always
        self.app_headers = [*_COMMON, (b"content-security-policy", APP_CSP.encode())]
        self.docs_headers = [*_COMMON, (b"content-security-policy", DOCS_CSP.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        extra = (self.docs_headers if self.docs_prefixes and path.startswith(self.docs_prefixes)
                 else self.app_headers)
        # Behind a TLS proxy the scheme is https once uvicorn trusts its X-Forwarded-Proto.
        if self.hsts_always or scope.get("scheme") == "https":
            extra = [*extra, HSTS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _host_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"host":
            host = value.decode("latin-1").lower()
            if host.startswith("["):  # [::1]:8000
                return host[1:].split("]", 1)[0]
            return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return ""


class TrustedHosts:
    """Answers 400 in the one error shape to a Host header that is not ours ("*.x.vn" allows
    subdomains). Loopback names always pass, for health checks inside the container."""

    def __init__(self, app: ASGIApp, *, hosts: list[str]) -> None:
        self.app = app
        names = [h.lower() for h in hosts]
        self.exact = LOOPBACK_HOSTS | {h for h in names if not h.startswith("*.")}
        self.suffixes = tuple(h[1:] for h in names if h.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = _host_of(scope)
            if host not in self.exact and not (self.suffixes and host.endswith(self.suffixes)):
                response = error_json(400, "invalid_host", "Tên miền không được phép.",
                                      field="Host")
                return await response(scope, receive, send)
        await self.app(scope, receive, send)
