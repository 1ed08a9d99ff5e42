"""The OpenAPI schema says what the server does, so that a client generated from it is as good as
a hand-written one: one error shape everywhere, the statuses and headers each operation can
answer, one page envelope for lists, and only the log-in schemes that can succeed."""

from __future__ import annotations

import collections
import sys
from enum import Enum
from typing import Any

import pytest
from pydantic import BaseModel

from conftest import assert_error
from factories import integration
from tiendo.openapi import schema

SPEC = schema()
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
PUBLIC = {"health", "ready", "auth-token", "public-leaderboard"}
NO_DATABASE = {"health", "ready"}  # ready answers its own 503


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in SPEC["paths"].items()
            for method, op in ops.items()]


def _id(item: tuple[str, str, dict[str, Any]]) -> str:
    return item[2]["operationId"]


OPS = {_id(o): o for o in operations()}


def test_schema_names_are_unique_and_readable() -> None:
    names = SPEC["components"]["schemas"]
    # FastAPI falls back to module paths (tiendo__progress__schemas__UnitRef) on a clash.
    assert not [n for n in names if "__" in n or n.startswith("tiendo")]
    assert "UnitRef" in names and "UnitSummary" in names
    # No two classes of the code base share a name, whether or not the schema shows them yet.
    seen: dict[str, set[str]] = collections.defaultdict(set)
    todo = [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("tiendo.") and "[" not in sub.__name__:
                seen[sub.__name__].add(sub.__module__)
    for module in [m for name, m in sys.modules.items() if name.startswith("tiendo.")]:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Enum) and \
                    value.__module__.startswith("tiendo."):
                seen[value.__name__].add(value.__module__)
    assert {n: m for n, m in seen.items() if len(m) > 1} == {}


def test_every_error_is_declared_with_the_one_error_shape() -> None:
    assert "HTTPValidationError" not in SPEC["components"]["schemas"]
    assert "ValidationError" not in SPEC["components"]["schemas"]
    for _, _, op in operations():
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                assert answer["content"] == {"application/json": {"schema": ERROR_REF}}, (
                    op["operationId"], status)


@pytest.mark.parametrize("item", operations(), ids=_id)
def test_each_operation_declares_what_it_can_answer(item) -> None:  # noqa: ANN001
    _, _, op = item
    name, declared = op["operationId"], set(op["responses"])
    has_input = bool(op.get("parameters") or op.get("requestBody"))
    assert "500" in declared
    assert ("503" in declared) is (name not in NO_DATABASE or name == "ready")
    assert ("413" in declared) is ("requestBody" in op)
    assert ("422" in declared) is has_input
    assert ("401" in declared) is (name not in PUBLIC or name == "auth-token")
    if name in ("auth-token", "auth-password"):
        assert "429" in declared
    for status, answer in op["responses"].items():
        headers = answer.get("headers", {})
        assert "X-Request-ID" in headers, (name, status)
        if status in ("429", "503"):
            assert "Retry-After" in headers, (name, status)


def _success(op: dict[str, Any]) -> dict[str, Any]:
    return next(a for s, a in sorted(op["responses"].items()) if s.startswith("2"))


def test_headers_are_declared_where_they_are_sent() -> None:
    for name in ("reports-create", "reports-read", "reports-replace", "reports-approve",
                 "reports-return"):
        assert "ETag" in _success(OPS[name][2])["headers"], name
    assert "Location" in OPS["reports-create"][2]["responses"]["201"]["headers"]
    replaying = [name for name, (_, _, op) in OPS.items()
                 if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))]
    assert sorted(replaying) == sorted([
        "reports-create", "reports-bulk", "reports-import", "reports-approve", "reports-return",
        "reports-approve-many", "locks-create", "locks-unlock", "reminders-send",
        "webhooks-create"])
    for name in replaying:
        assert "Idempotent-Replayed" in _success(OPS[name][2])["headers"], name


def test_lists_answer_the_page_envelope() -> None:
    for _, _, op in operations():
        body = _success(op).get("content", {}).get("application/json", {}).get("schema", {})
        assert body.get("type") != "array", f"{op['operationId']} answers a bare array"
    for name in ("tokens-list", "campaigns-list", "targets-list", "due-list", "locks-list",
                 "reports-revisions", "webhooks-list", "webhooks-deliveries", "imports-list"):
        ref = _success(OPS[name][2])["content"]["application/json"]["schema"]["$ref"]
        page = SPEC["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"data", "count", "limit", "offset"}, name
        params = {p["name"] for p in OPS[name][2]["parameters"]}
        assert {"limit", "offset"} <= params, name


def test_security_lists_only_the_schemes_that_can_succeed() -> None:
    assert SPEC["servers"] == [{"url": "/", "description": "Máy chủ đang phục vụ tài liệu này"}]
    both = [{"Login": []}, {"IntegrationToken": []}]
    for name, (_, _, op) in OPS.items():
        if name in PUBLIC:
            assert "security" not in op, name
        elif "x-required-scopes" in op:
            assert op["security"] == both, name
        else:  # administration, management, one's own account: tokens are always refused
            assert op["security"] == [{"Login": []}], name
    expected = {"units-list": ("viewer", ["read"]), "reports-create": ("reporter",
                                                                      ["reports:write"]),
                "due-list": ("reporter", ["read", "reports:write"]),  # needs both
                "official-counts-create": ("manager", ["official-counts:write"]),
                "locks-create": ("manager", None), "users-list": ("admin", None),
                "tokens-create": ("admin", None), "auth-me": (None, None)}
    for name, (role, scopes) in expected.items():
        op = OPS[name][2]
        assert (op.get("x-required-role"), op.get("x-required-scopes")) == (role, scopes), name


def test_a_token_is_refused_where_only_a_log_in_is_declared(client, auth) -> None:  # noqa: ANN001
    token = integration(client, auth("admin"),
                        scopes=("read", "reports:write", "official-counts:write"))
    assert_error(client.get("/api/v1/users", headers=token), 403)
    assert_error(client.get("/api/v1/auth/me", headers=token), 403, "user_required")
    assert client.get("/api/v1/units", headers=token).status_code == 200


def test_what_the_server_answers_matches_the_declared_shape(client, auth) -> None:  # noqa: ANN001
    admin = auth("admin")
    # Once declared as FastAPI's HTTPValidationError; the server answers the one error shape.
    r = client.get("/api/v1/users/0", headers=admin)
    err = assert_error(r, 422, "validation_error", field="user_id")
    assert err["details"][0]["field"] == "user_id"
    assert r.headers["X-Request-ID"]
    page = client.get("/api/v1/tokens", headers=admin, params={"limit": 1}).json()
    assert set(page) == {"data", "count", "limit", "offset"} and page["limit"] == 1
    # POST /tokens does not advertise Idempotency-Key: a stored answer would keep the secret.
    assert not any(p["name"] == "Idempotency-Key"
                   for p in OPS["tokens-create"][2].get("parameters", []))
