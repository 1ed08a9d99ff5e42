"""The benchmark reports both sizes of the web app: the initial JavaScript (with the service
worker's registration, which lives in the entry script) and the service worker itself."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from tiendo.bench.__main__ import summarise, table, web_js_gzip_kb, web_sw_gzip_kb


def _dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    entry = b"navigator.serviceWorker.register('/sw.js');" + os.urandom(20_000)
    (tmp_path / "assets" / "index-abc.js").write_bytes(entry)
    (tmp_path / "assets" / "Admin-def.js").write_bytes(os.urandom(50_000))  # lazy: not initial
    (tmp_path / "index.html").write_text(
        '<script type="module" crossorigin src="/assets/index-abc.js"></script>', encoding="utf-8")
    (tmp_path / "sw.js").write_bytes(os.urandom(3_000))
    return tmp_path


def test_both_figures_are_measured_and_printed(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    initial = web_js_gzip_kb(dist)
    sw = web_sw_gzip_kb(dist)
    expected = len(gzip.compress((dist / "assets" / "index-abc.js").read_bytes(), 9)) / 1024
    assert initial == round(expected, 1)
    assert sw == round(len(gzip.compress((dist / "sw.js").read_bytes(), 9)) / 1024, 1)
    results = summarise({"databases": {}, "web_js_gzip_kb": initial, "web_sw_gzip_kb": sw})
    printed = table(results)
    assert f"web app initial JS (with SW registration), KB gzip  {initial} < 60 ✓" in printed
    assert "web app service worker, KB gzip" in printed and str(sw) in printed


def test_no_service_worker_built(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    (dist / "sw.js").unlink()
    assert web_sw_gzip_kb(dist) is None
    results = summarise({"databases": {}, "web_js_gzip_kb": web_js_gzip_kb(dist),
                         "web_sw_gzip_kb": None})
    assert "n/a (no frontend/dist/sw.js)" in table(results)
