"""The web app's generated API types must match the backend: regenerate them into a temporary
file and compare with the committed ones (`make openapi` refreshes both). A Python client
generated from the committed schema must come out whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tiendo.openapi import schema

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
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


def test_a_python_client_generates_without_warnings(tmp_path: Path) -> None:
    """openapi-python-client (the dev group) reads the committed schema without dropping
    anything: every response typed, the errors as ErrorResponse."""
    venv_bin = Path(sys.executable).parent
    out = tmp_path / "tiendo_client"
    done = subprocess.run(
        [str(venv_bin / "openapi-python-client"), "generate", "--path",
         str(FRONTEND / "openapi.json"), "--config", str(ROOT / "openapi-python-client.yaml"),
         "--meta", "none", "--output-path", str(out)],
        cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"})
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    for sign in ("Warning", "WARNING", "Unable", "Skipping", "Error", "mistake"):
        assert sign not in said, said
    progress = (out / "api" / "progress" / "progress_read.py").read_text(encoding="utf-8")
    series = (out / "api" / "progress" / "progress_series.py").read_text(encoding="utf-8")
    assert "-> ErrorResponse | ProgressPublic | None" in progress
    assert "ProgressPublic.from_dict(response.json())" in progress
    assert "SeriesPublic.from_dict(response.json())" in series
    tokens = (out / "api" / "tokens" / "tokens_list.py").read_text(encoding="utf-8")
    assert "PageApiTokenPublic.from_dict(response.json())" in tokens
    assert "ErrorResponse.from_dict(response.json())" in tokens
    codes = (out / "models" / "error_code.py").read_text(encoding="utf-8")
    assert 'REPORT_EXISTS = "report_exists"' in codes
