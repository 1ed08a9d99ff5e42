"""Load from `wrk` (a C load generator, not the bottleneck on these two cores) with the Lua
scripts beside this file: requests/s and p50/p95/p99 of one route."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

LUA = Path(__file__).parent / "lua"


def available() -> bool:
    return shutil.which("wrk") is not None


def run(url: str, script: str, seconds: float, connections: int = 16, threads: int = 1,
        env: dict[str, str] | None = None) -> dict:
    """One wrk run of `script` (post.lua, get.lua) against `url`; the figures it printed, with
    ok_per_s (2xx responses a second) and latencies in milliseconds."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           "--timeout", "30s", "-s", str(LUA / script), url]
    full_env = {**os.environ, "BENCH_LUA_DIR": str(LUA), "BENCH_THREADS": str(threads),
                **(env or {})}
    out = subprocess.run(cmd, env=full_env, capture_output=True, text=True, check=True,
                         timeout=seconds + 120).stdout
    line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    r = json.loads(line.removeprefix("WRKJSON "))
    secs = r["duration_us"] / 1e6
    errors = r["non_2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    return {"requests": r["requests"], "errors": errors,
            "per_s": round(r["requests"] / secs, 1) if secs else 0.0,
            "ok_per_s": round((r["requests"] - r["non_2xx"]) / secs, 1) if secs else 0.0,
            "p50_ms": round(r["p50_us"] / 1000, 2), "p95_ms": round(r["p95_us"] / 1000, 2),
            "p99_ms": round(r["p99_us"] / 1000, 2)}
