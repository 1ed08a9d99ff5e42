"""The production HTTP layers around the app, outermost first: security headers, request
log and metrics, Host check, CORS, gzip (the body limit sits inside them all)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from tiendo.config import Settings
from tiendo.core.logs import configure_logging
from tiendo.core.observability import Observability
from tiendo.core.security_headers import SecurityHeaders, TrustedHosts

GZIP_LEVEL = 3


def install_http_layers(app: FastAPI, settings: Settings) -> None:
    """Call last in create_app: each add_middleware wraps the ones added before it."""
    configure_logging(settings.log_level)
    # Level 3, the best of zlib's fast strategy: a district's 270 KB of JSON in 1.7 ms, to 26 KB.
    # Level 6 took twice the CPU (3.6 ms, out of what a Thursday's reads share) for 15 % less.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key",
                           "X-Request-ID"],
            expose_headers=["ETag", "Idempotent-Replayed", "Location", "Retry-After",
                            "X-Request-ID"], max_age=600)
    if "*" not in settings.allowed_hosts:
        app.add_middleware(TrustedHosts, hosts=settings.allowed_hosts)
    app.add_middleware(Observability, log_requests=settings.access_log)
    app.add_middleware(SecurityHeaders, docs_prefixes=("/docs", "/redoc"),
                       hsts_always=settings.hsts)
