"""One calendar (#12): a week is `YYYY-Www` in ASCII digits, W01 up to the last ISO week of
that year, nothing around it. Every path that takes a week refuses anything else with 422
`invalid_period` and stores nothing. The paths are walked from the app's own OpenAPI schema
(every parameter, body field or form field whose name holds "period" or "week"), so a new path
cannot be forgotten: one without a request here fails `test_every_week_path_is_walked`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

import tiendo.models  # noqa: F401 - every table registered in the metadata

LIVE = "ihanoi-live"
THIS_WEEK = "2024-W36"  # the demo's current week (conftest.DEMO_NOW)
# The same week written every wrong way, then weeks that do not exist. 2024 and 2025 have 52
# ISO weeks (2026 has 53: 2026-W53 is a real week, so it is not in this list).
ODD_WEEKS = [
    "２０２４-W３６",  # full-width digits
    "٢٠٢٤-W٣٦",  # Arabic-Indic digits
    "２０２６-W48", "٢٠٢٦-W٤٨",
    "2024-w36",  # lower-case w
    " 2024-W36", "2024-W36 ", "2024W36", "2024-W36\n", "2024-W036", "24-W36", "2024-W3",
    "2024-W00", "2024-W54", "2024-W53", "2025-W53", "2026-W00", "2026-W54", "2026-w48",
]


_WEEK_NAME = re.compile(r"(^|[_-])(period|week)s?([_-]|$)")


def _is_week_name(name: str) -> bool:
    """period, week, from_period, week_to… (not due_weekday)."""
    return bool(_WEEK_NAME.search(name.lower()))


@dataclass(frozen=True)
class Spot:
    """Where an operation takes a week: (method, path, location, name)."""

    method: str
    path: str
    where: str  # query, path, header, body, form
    name: str  # dotted for nested body fields, e.g. items[].period


def _resolve(spec: dict, schema: dict, local: dict | None = None) -> dict:
    while "$ref" in schema:
        ref = schema["$ref"]
        root = spec if ref.startswith("#/components") else (local or spec)
        node: Any = root
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node or {}
    return schema


def _fields(spec: dict, schema: dict, prefix: str = "", depth: int = 0,
            local: dict | None = None) -> Iterator[tuple[str, dict]]:
    """(name, schema) of every property (recursively, through $ref, arrays and unions) that
    holds a week."""
    if depth > 6 or not isinstance(schema, dict):
        return
    local = schema if "$defs" in schema else local
    schema = _resolve(spec, schema, local)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _fields(spec, sub, prefix, depth + 1, local)
    if isinstance(schema.get("items"), dict):
        yield from _fields(spec, schema["items"], prefix + "[]", depth + 1, local)
    for name, sub in (schema.get("properties") or {}).items():
        full = f"{prefix}.{name}" if prefix else name
        if _is_week_name(name):
            yield full, _resolve(spec, sub, local)
        yield from _fields(spec, sub, full, depth + 1, local)


def _patterns(spec: dict, schema: dict) -> list[str]:
    schema = _resolve(spec, schema)
    out = [schema["pattern"]] if schema.get("pattern") else []
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        out += _patterns(spec, sub)
    return out


def week_schemas(spec: dict) -> Iterator[tuple[Spot, dict]]:
    """Every spot with the schema its week is declared with."""
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for p in op.get("parameters", []):
                if _is_week_name(p["name"]):
                    yield Spot(method, path, p["in"], p["name"]), p.get("schema", {})
            for media, content in (op.get("requestBody") or {}).get("content", {}).items():
                where = "form" if "form" in media else "body"
                for name, schema in _fields(spec, content.get("schema", {})):
                    yield Spot(method, path, where, name), schema


def week_spots(spec: dict) -> set[Spot]:
    return {spot for spot, _ in week_schemas(spec)}


# --- one valid request per spot, the week left as a parameter -------------------------------
V1 = "/api/v1"


def _values() -> dict:
    return {"staff_total": 40, "staff_installed": 30}


def _csv(unit: str) -> bytes:
    return f"unit,staff_total,staff_installed\n{unit},40,30\n".encode()


Send = Callable[[Any, dict, str, str], Any]  # (client, headers, unit, week) → response

REQUESTS: dict[Spot, Send] = {
    Spot("post", f"{V1}/reports", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/reports", headers=h,
        json={"campaign": LIVE, "unit": u, "period": w, "values": _values()}),
    Spot("get", f"{V1}/reports", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/reports", headers=h, params={"campaign": LIVE, "period": w}),
    Spot("post", f"{V1}/reports/bulk", "body", "items[].period"): lambda c, h, u, w: c.post(
        f"{V1}/reports/bulk", headers=h,
        json={"campaign": LIVE, "items": [{"unit": u, "period": w, "values": _values()}]}),
    Spot("post", f"{V1}/reports/import", "form", "period"): lambda c, h, u, w: c.post(
        f"{V1}/reports/import", headers=h, data={"campaign": LIVE, "period": w},
        files={"file": ("tuan.csv", _csv(u), "text/csv")}),
    Spot("get", f"{V1}/reports/import-template", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/reports/import-template", headers=h,
        params={"campaign": LIVE, "period": w, "format": "csv"}),
    Spot("get", f"{V1}/completeness", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/completeness", headers=h, params={"campaign": LIVE, "period": w}),
    Spot("get", f"{V1}/locks", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/locks", headers=h, params={"campaign": LIVE, "period": w}),
    Spot("post", f"{V1}/locks", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/locks", headers=h,
        json={"campaign": LIVE, "period": w, "unit": u, "reason": "Đã tổng hợp"}),
    Spot("post", f"{V1}/locks/unlock", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/locks/unlock", headers=h,
        json={"campaign": LIVE, "period": w, "unit": u, "reason": "Cần sửa số liệu"}),
    Spot("post", f"{V1}/reports/approve", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/reports/approve", headers=h, json={"campaign": LIVE, "period": w, "unit": u}),
    Spot("post", f"{V1}/reminders", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/reminders", headers=h, json={"campaign": LIVE, "period": w, "under": u}),
    Spot("post", f"{V1}/reports/check", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/reports/check", headers=h,
        json={"campaign": LIVE, "unit": u, "period": w, "values": _values()}),
    Spot("post", f"{V1}/data-quality/scan", "body", "period"): lambda c, h, u, w: c.post(
        f"{V1}/data-quality/scan", headers=h, json={"campaign": LIVE, "period": w}),
    Spot("get", f"{V1}/data-quality", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/data-quality", headers=h, params={"campaign": LIVE, "period": w}),
    Spot("get", f"{V1}/progress", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/progress", headers=h, params={"campaign": LIVE, "period": w}),
    Spot("get", f"{V1}/exports/weekly-report.xlsx", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/exports/weekly-report.xlsx", headers=h, params={"campaign": LIVE, "period": w}),
    Spot("get", f"{V1}/exports/weekly-report.csv", "query", "period"): lambda c, h, u, w: c.get(
        f"{V1}/exports/weekly-report.csv", headers=h, params={"campaign": LIVE, "period": w}),
}


def _generic(spot: Spot) -> Send | None:
    """A GET that only needs the campaign besides the week (a new /due?period=, a series range…)
    is walked without a line of its own."""
    if spot.method != "get" or spot.where != "query" or "{" in spot.path:
        return None
    return lambda c, h, u, w: c.get(spot.path, headers=h,
                                    params={"campaign": LIVE, spot.name: w})


def sender(spot: Spot) -> Send | None:
    return REQUESTS.get(spot) or _generic(spot)


def row_counts(session) -> dict[str, int]:  # noqa: ANN001
    return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables}


# What a bulk post or an import may write even when every item is refused: its own record.
LEDGER = {"bulk_import", "audit_event", "idempotency_key"}


def refusal(r) -> tuple[str | None, bool]:  # noqa: ANN001
    """(the code the week was refused with, whether the ledger may have grown). A 422 answers
    with the error code. A bulk post or import may instead answer its summary (DHIS2-style,
    one bad item does not spoil the others) with the item rejected, nothing created."""
    if not r.headers.get("content-type", "").startswith("application/json"):
        return None, False
    body = r.json()
    if r.status_code == 422:
        return (body.get("error") or {}).get("code"), False
    if r.status_code == 200 and isinstance(body, dict) and "conflicts" in body:
        done = body.get("created", 0) + body.get("updated", 0) + body.get("unchanged", 0)
        codes = {c.get("code") for c in body["conflicts"]}
        if done == 0 and body.get("rejected") == 1 and codes == {"invalid_period"}:
            return "invalid_period", True
        return f"summary rejected={body.get('rejected')} codes={sorted(map(str, codes))}", False
    return None, False


@pytest.fixture
def setting(client, auth):  # noqa: ANN001, ANN201
    """The demo's admin, and an agency of the live campaign still to report this week."""
    admin = auth("admin")
    body = client.get(f"{V1}/completeness", headers=admin,
                      params={"campaign": LIVE, "period": THIS_WEEK, "limit": 500}).json()
    pending = [u["unit"] for u in body["data"]
               if u["status"] == "pending" and u["kind"] == "agency"]
    assert pending, body
    return admin, pending[0]


def test_every_week_path_is_walked(client):  # noqa: ANN001
    spots = week_spots(client.app.openapi())
    assert set(REQUESTS) <= spots, f"paths gone from the schema: {set(REQUESTS) - spots}"
    unwalked = sorted((s for s in spots if sender(s) is None), key=str)
    assert not unwalked, ("a path takes a week but this test has no request for it; add one "
                          f"to REQUESTS: {unwalked}")


def test_week_parameters_say_the_ascii_pattern(client):  # noqa: ANN001
    """The OpenAPI pattern of every week (parameter, body or form field) says ASCII digits
    only, so that generated clients and /docs tell the same rule."""
    spec = client.app.openapi()
    loose = []
    for spot, schema in week_schemas(spec):
        patterns = _patterns(spec, schema)
        if not patterns or any("\\d" in p for p in patterns):
            loose.append(f"{spot.method.upper()} {spot.path} [{spot.where} {spot.name}]: "
                         f"{patterns}")
    assert not loose, ("weeks without an ASCII-only pattern ([0-9], not \\d):\n"
                       + "\n".join(sorted(set(loose))))


@pytest.mark.parametrize("week", ODD_WEEKS, ids=ascii)
def test_odd_week_refused_on_every_path(client, auth, session, setting, week):  # noqa: ANN001
    admin, unit = setting
    spots = sorted(week_spots(client.app.openapi()), key=str)
    failures = []
    for spot in spots:
        send = sender(spot)
        if send is None:
            continue  # reported by test_every_week_path_is_walked
        before = row_counts(session)
        r = send(client, admin, unit, week)
        after = row_counts(session)
        code, ledger_ok = refusal(r)
        if code != "invalid_period":
            failures.append(f"{spot.method.upper()} {spot.path} [{spot.where} {spot.name}]: "
                            f"{r.status_code} {code or r.text[:80]!r}")
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]
                   and not (ledger_ok and t in LEDGER)}
        if changed:
            failures.append(f"{spot.method.upper()} {spot.path}: stored {changed}")
    assert not failures, f"week {week!r} not refused as invalid_period:\n" + "\n".join(failures)


def test_the_canonical_week_passes_where_the_odd_ones_fail(client, auth, setting):  # noqa: ANN001
    """The control: the same requests with the week written right are not refused for it, so
    the refusals above are about the week and nothing else."""
    admin, unit = setting
    refused = []
    # Locking last: a locked week would refuse the report itself.
    for spot in sorted(week_spots(client.app.openapi()),
                       key=lambda s: ("/locks" in s.path and s.method == "post", str(s))):
        send = sender(spot)
        if send is None:
            continue
        r = send(client, admin, unit, THIS_WEEK)
        if r.status_code >= 400:
            refused.append(f"{spot.method.upper()} {spot.path}: {r.status_code} {r.text[:120]}")
    assert not refused, "\n".join(refused)
