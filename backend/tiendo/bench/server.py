"""A real server process for the benchmark (the load comes from wrk: tiendo.bench.wrk)."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn with uvloop + httptools, access log off, on 127.0.0.1: the product's app with the
    baseline routes (tiendo.bench.app), or another app factory (the bare app), `workers`
    processes, with `settings` (TIENDO_… variables) of its own."""

    def __init__(self, database_url: str, var_dir: Path,
                 app: str = "tiendo.bench.app:create_bench_app", workers: int = 1,
                 settings: dict[str, str] | None = None) -> None:
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The JSON request log off, like uvicorn's: it costs every route alike and floods the table.
        env = {**os.environ, "TIENDO_DATABASE_URL": database_url, "TIENDO_VAR_DIR": str(var_dir),
               "TIENDO_ACCESS_LOG": "false", **(settings or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--factory", "--workers", str(workers),
             "--host", "127.0.0.1", "--port", str(self.port), "--loop", "uvloop",
             "--http", "httptools", "--no-access-log", "--log-level", "warning"], env=env)
        deadline = time.monotonic() + 180  # several workers start one after another
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bench server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the bench server did not start within 180 s")

    def peak_memory_mb(self) -> float:
        """VmHWM: the resident set's high-water mark since the process started (one worker)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def paths(self) -> set[str]:
        return set(httpx.get(self.url + "/openapi.json", timeout=30).json()["paths"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def latencies(call: Callable[[], object], repeat: int) -> dict[str, float]:
    """Median and p95 in milliseconds of `repeat` sequential calls (after one warm-up)."""
    call()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2)}
