"""The web app's generated API types must match the backend: regenerate them into a temporary
file and compare with the committed ones (`make openapi` refreshes both)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tiendo.openapi import schema

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


def test_committed_openapi_json_matches_the_backend() -> None:
    committed = json.loads((FRONTEND / "openapi.json").read_text(encoding="utf-8"))
    assert committed == schema(), "frontend/openapi.json is stale: run `make openapi`"


def test_generated_client_types_match_the_backend(tmp_path: Path) -> None:
    if not GENERATOR.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("openapi-typescript is missing: run `npm ci` in frontend/")
        pytest.skip("openapi-typescript is not installed (npm ci in frontend/)")
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    fresh = tmp_path / "schema.d.ts"
    subprocess.run([str(GENERATOR), str(source), "-o", str(fresh)], cwd=FRONTEND, check=True,
                   capture_output=True)
    committed = (FRONTEND / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == committed, (
        "frontend/src/api/schema.d.ts no longer matches the backend: run `make openapi`")
