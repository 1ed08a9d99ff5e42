"""Prometheus metrics and the protected /metrics endpoint.

With several workers (`tiendo serve --workers N`) each process writes its values to files in
PROMETHEUS_MULTIPROC_DIR and a scrape sums them, so whichever worker answers /metrics tells
the whole story.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from tiendo.config import get_settings
from tiendo.errors import Forbidden, NotFound, Unauthorized

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
disable_created_metrics()
_registry = CollectorRegistry()

REQUESTS = Counter("tiendo_http_requests", "HTTP requests answered, by route template and status",
                   ["method", "route", "status"], registry=_registry)
LATENCY = Histogram("tiendo_http_request_duration_seconds", "Time to answer, by route template",
                    ["method", "route"], registry=_registry,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
REPORT_SUBMISSIONS = Counter("tiendo_report_submissions", "Reports accepted through the API",
                             ["kind"], registry=_registry)
LOGIN_FAILURES = Counter("tiendo_login_failures", "Refused log-ins", ["reason"],
                         registry=_registry)

# Business events read off (operation id, status) so that no domain code has to know about
# metrics; a new route that submits reports adds its line here.
EVENTS = {
    ("reports-create", 201): REPORT_SUBMISSIONS.labels("new"),
    ("reports-replace", 200): REPORT_SUBMISSIONS.labels("correction"),
    ("reports-bulk", 200): REPORT_SUBMISSIONS.labels("bulk"),
    ("reports-import", 200): REPORT_SUBMISSIONS.labels("import"),
    ("auth-token", 401): LOGIN_FAILURES.labels("invalid_credentials"),
    ("auth-token", 429): LOGIN_FAILURES.labels("throttled"),
}

_children: dict[tuple[str, str, int], tuple[object, object]] = {}


def record_request(method: str, route: str, name: str | None, status: int,
                   seconds: float) -> None:
    key = (method, route, status)
    pair = _children.get(key)
    if pair is None:  # label lookups are the costly part: do each once per process
        pair = _children[key] = (REQUESTS.labels(method, route, str(status)),
                                 LATENCY.labels(method, route))
    pair[0].inc()  # type: ignore[attr-defined]
    pair[1].observe(seconds)  # type: ignore[attr-defined]
    event = EVENTS.get((name, status))  # type: ignore[arg-type]
    if event is not None:
        event.inc()


def prepare_multiprocess(workers: int) -> None:
    """Before starting several workers: a fresh directory for their shared values (stale files
    from an earlier run would be summed in)."""
    if workers < 2:
        return
    existing = os.environ.get(MULTIPROC_ENV)
    if existing:
        Path(existing).mkdir(parents=True, exist_ok=True)
        for stale in Path(existing).glob("*.db"):
            stale.unlink()
    else:
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="tiendo-metrics-")


def render() -> bytes:
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(_registry)


if not os.environ.get(MULTIPROC_ENV):
    ProcessCollector(registry=_registry)  # memory and CPU of this one process


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in spec)


def _allowed(request: Request) -> bool:
    settings = get_settings()
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode()):
            return True
    if settings.metrics_networks and request.client:
        try:
            address = ipaddress.ip_address(request.client.host)
        except ValueError:
            return False
        return any(address in net for net in _networks(tuple(settings.metrics_networks)))
    return False


router = APIRouter(include_in_schema=False)


@router.get("/metrics", name="metrics")
def metrics(request: Request) -> Response:
    settings = get_settings()
    if not (settings.metrics_token or settings.metrics_networks):
        raise NotFound("Chưa bật /metrics (TIENDO_METRICS_TOKEN hoặc TIENDO_METRICS_NETWORKS).")
    if not _allowed(request):
        if settings.metrics_token:
            raise Unauthorized("Cần token xem số đo.", code="metrics_token_required")
        raise Forbidden("Địa chỉ này không được xem số đo.", code="metrics_forbidden")
    return Response(render(), media_type=CONTENT_TYPE_LATEST)
