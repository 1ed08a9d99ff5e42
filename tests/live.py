"""Running the `tiendo` command itself: one-shot commands and a live `tiendo serve`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

TIENDO = str(Path(sys.executable).parent / "tiendo")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(cwd: Path, env: dict[str, str], *args: str, log: Path | None = None) -> Iterator[str]:
    """`tiendo serve` on a free port until /api/ready answers; yields its base URL, then
    stops it with SIGTERM as a process manager would."""
    port = free_port()
    out = log.open("w") if log else subprocess.DEVNULL
    proc = subprocess.Popen([TIENDO, "serve", "--port", str(port), *args], cwd=cwd, env=env,
                            stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a guard against hanging, not a speed check
        while True:
            assert proc.poll() is None, log.read_text() if log else "tiendo serve exited"
            try:
                if httpx.get(f"{base}/api/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "tiendo serve did not become ready"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        if log:
            out.close()
