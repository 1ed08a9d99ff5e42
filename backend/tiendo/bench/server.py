"""A real server process for the benchmark, and the HTTP load driven against it."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn with uvloop + httptools, access log off, one worker, on 127.0.0.1."""

    def __init__(self, database_url: str, var_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The JSON request log off, like uvicorn's: it costs every route alike and floods the table.
        env = {**os.environ, "TIENDO_DATABASE_URL": database_url, "TIENDO_VAR_DIR": str(var_dir),
               "TIENDO_ACCESS_LOG": "false"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tiendo.bench.app:create_bench_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--loop", "uvloop",
             "--http", "httptools", "--no-access-log", "--log-level", "warning"], env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bench server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the bench server did not start within 60 s")

    def peak_memory_mb(self) -> float:
        """VmHWM: the resident set's high-water mark since the process started."""
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


@dataclass
class LoadResult:
    ok: int
    failed: int
    seconds: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


async def _load(url: str, bodies: Iterator[dict], seconds: float, concurrency: int,
                headers: dict[str, str]) -> LoadResult:
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=60) as client:
        start = time.perf_counter()
        stop_at = start + seconds

        async def worker() -> None:
            while time.perf_counter() < stop_at:
                r = await client.post(url, json=next(bodies))
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    return LoadResult(ok, sum(statuses.values()) - ok, elapsed, statuses)


def load(url: str, bodies: Iterator[dict], seconds: float, concurrency: int = 16,
         headers: dict[str, str] | None = None) -> LoadResult:
    """POSTs from `bodies` with `concurrency` requests in flight for `seconds`."""
    import uvloop

    return uvloop.run(_load(url, bodies, seconds, concurrency, headers or {}))


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
