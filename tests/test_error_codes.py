"""The error codes a client can switch on are listed in the schema (`ErrorCode`): every code the
code base raises must be there, and nothing else. The code base is read, not run: a code raised
only on a rare path is found as well."""

from __future__ import annotations

import ast
from pathlib import Path

from tiendo.errors import _HTTP_CODES, ErrorCode
from tiendo.openapi import schema

BACKEND = Path(__file__).resolve().parents[1] / "backend" / "tiendo"
# Metric and unit codes of the demo data and the benchmark's city are data, not error codes.
NOT_ERRORS = ("demo", "bench")


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def raised_codes() -> dict[str, str]:
    """code → where: `code="…"` of any call, `error_json(status, "…")`, `reject(item, field,
    "…")` of a bulk post, and the class-level `code` of each domain error."""
    found: dict[str, str] = {}
    for path in BACKEND.rglob("*.py"):
        if any(part in NOT_ERRORS for part in path.relative_to(BACKEND).parts):
            continue
        where = str(path.relative_to(BACKEND))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            codes: list[str | None] = []
            if isinstance(node, ast.Call):
                codes += [_text(k.value) for k in node.keywords if k.arg == "code"]
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "error_json" and len(node.args) > 1:
                    codes.append(_text(node.args[1]))
                if name == "reject" and len(node.args) > 2:
                    codes.append(_text(node.args[2]))
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Tuple) \
                            and isinstance(stmt.value, ast.Tuple):
                        names = [getattr(t, "id", None) for t in stmt.targets[0].elts]
                        if "code" in names:
                            codes.append(_text(stmt.value.elts[names.index("code")]))
                    elif isinstance(stmt, ast.Assign) and \
                            getattr(stmt.targets[0], "id", None) == "code":
                        codes.append(_text(stmt.value))
            found.update({c: where for c in codes if c})
    found.update({code: "errors.py" for code, _ in _HTTP_CODES.values()})
    found["http_error"] = "errors.py"  # an HTTP status without a code of its own
    return found


def test_every_raised_code_is_in_the_enum_and_no_other() -> None:
    raised, listed = raised_codes(), {c.value for c in ErrorCode}
    missing = {c: where for c, where in raised.items() if c not in listed}
    assert not missing, f"add these to tiendo.errors.ErrorCode: {missing}"
    assert not listed - set(raised), f"never raised, drop from ErrorCode: {listed - set(raised)}"


def test_the_schema_lists_the_codes() -> None:
    spec = schema()["components"]["schemas"]
    assert spec["ErrorBody"]["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
    assert sorted(spec["ErrorCode"]["enum"]) == sorted(c.value for c in ErrorCode)
    assert len(spec["ErrorCode"]["enum"]) > 60
