"""`python -m tiendo.bench` (`make bench`): speed and size against baselines measured in the
same run, on SQLite and PostgreSQL. Prints a readable table, then one JSON summary."""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

from tiendo.bench import tables
from tiendo.bench.run import postgres_available, run_database
from tiendo.config import REPO_ROOT

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


DIST = REPO_ROOT / "frontend" / "dist"


def _gzip_kb(*files: Path) -> float:
    return round(sum(len(gzip.compress(f.read_bytes(), 9)) for f in files) / 1024, 1)


def web_js_gzip_kb(dist: Path = DIST) -> float | None:
    """Gzipped size of the JavaScript index.html loads at once (scripts and module preloads),
    the service worker's registration included (it is in the entry script)."""
    index = dist / "index.html"
    if not index.exists():
        return None
    html = index.read_text(encoding="utf-8")
    refs = set(re.findall(r'(?:src|href)="/?(assets/[^"]+\.js)"', html))
    return _gzip_kb(*(dist / r for r in refs))


def web_sw_gzip_kb(dist: Path = DIST) -> float | None:
    """Gzipped size of the service worker (fetched by the browser after the page, not blocking it)."""
    sw = dist / "sw.js"
    return _gzip_kb(sw) if sw.exists() else None


def _growth(progress: dict, key: str, scope: str) -> float | None:
    weeks = sorted(progress, key=lambda k: int(k.split("_")[1]))
    first, last = progress[weeks[0]][scope], progress[weeks[-1]][scope]
    if key not in first:
        return None
    return round(last[key]["median_ms"] / first[key]["median_ms"], 2)


def summarise(results: dict) -> dict:
    """Adds the goals and whether each figure meets them."""
    goals = {}
    for kind, r in results["databases"].items():
        if "skipped" in r:
            continue
        s, b, p = r["submit"], r["bulk"], r["progress"]
        last = p[max(p, key=lambda k: int(k.split("_")[1]))]
        reads = r.get("reads", {}).get("scaling", {})
        g = {"submit >= 300/s": s["reports_per_s"] >= 300,
             "submit_vs_bare_raw >= 0.25": s["vs_bare_raw"] >= 0.25,
             "bulk_vs_raw >= 0.3": b["ratio"] >= 0.3 if "ratio" in b else None,
             **{f"reads_{scope}_2_workers >= 1.6": (ratio >= 1.6 if ratio else None)
                for scope, ratio in reads.items()}}
        for scope in ("district", "city"):
            g[f"progress_{scope}_vs_sql <= 3"] = (last[scope]["ratio"] <= 3
                                                  if "ratio" in last[scope] else None)
            growth = _growth(p, "api", scope)
            r.setdefault("progress_growth", {})[scope] = {"api": growth,
                                                          "sql": _growth(p, "sql", scope)}
            g[f"progress_{scope}_growth <= 1.5"] = growth <= 1.5 if growth else None
        if "overview" in last:
            g["overview_city <= 150 ms"] = last["overview"]["api"]["median_ms"] <= 150
            growth = _growth(p, "api", "overview")
            r["progress_growth"]["overview"] = {"api": growth}
            g["overview_city_growth <= 1.5"] = growth <= 1.5 if growth else None
        goals[kind] = g
    js = results["web_js_gzip_kb"]
    goals["web_js_gzip_kb < 60"] = js < 60 if js is not None else None
    results["goals"] = goals
    return results


def _latency(figures: dict | None) -> str | None:
    return f"{figures['median_ms']} / {figures['p95_ms']}" if figures else None


def _mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: "–"}[ok]


def table(results: dict) -> str:
    dbs = {k: v for k, v in results["databases"].items() if "skipped" not in v}
    rows: list[tuple[str, list[str], str]] = []

    def row(label: str, get, goal: str = "", key: str | None = None) -> None:  # noqa: ANN001
        cells = []
        for kind, r in dbs.items():
            try:
                value = get(r)
            except KeyError:
                value = None
            cell = "n/a (route missing)" if value is None else str(value)
            if key:
                cell += " " + _mark(results["goals"][kind].get(key))
            cells.append(cell)
        rows.append((label, cells, goal))

    g = next(iter(dbs.values()))["generate"] if dbs else {}
    row("generate: rows/s", lambda r: f"{r['generate']['rows_per_s']:,} "
        f"({r['generate']['seconds']} s)")
    def rate(name: str):  # noqa: ANN202
        def get(r: dict) -> str:
            lat = r["submit"]["latency"][name]
            return (f"{r['submit'][f'{name}_per_s']:,} "
                    f"({lat['p50_ms']}/{lat['p95_ms']}/{lat['p99_ms']})")
        return get

    row("wrk: req/s (p50/p95/p99 ms)", lambda r: "")
    row("  POST /api/v1/reports", rate("reports"), "≥ 300", "submit >= 300/s")
    row("  tutorial SQLModel (in the app)", rate("tutorial"))
    row("  raw driver insert (in the app)", rate("raw"))
    row("  raw insert, bare FastAPI app", rate("bare_raw"))
    row("  reports ÷ tutorial", lambda r: f"{r['submit']['vs_tutorial']}×")
    row("  reports ÷ raw in the app", lambda r: f"{r['submit']['vs_raw']}×")
    row("  reports ÷ bare raw app", lambda r: f"{r['submit']['vs_bare_raw']}×", "≥ 0.25×",
        "submit_vs_bare_raw >= 0.25")
    for scope in ("district", "city"):
        for workers in (1, 2):
            row(f"  GET /progress {scope}, {workers} worker{'s' if workers > 1 else ''}",
                lambda r, s=scope, w=workers: (
                    lambda x: f"{x['ok_per_s']:,} ({x['p50_ms']}/{x['p95_ms']}/{x['p99_ms']})")(
                    r["reads"][f"workers_{w}"][s]))
        row(f"  {scope}: 2 workers ÷ 1", lambda r, s=scope: f"{r['reads']['scaling'][s]}×",
            "≥ 1.6×", f"reads_{scope}_2_workers >= 1.6")
    row("bulk import, values/s", lambda r: r["bulk"].get("api_values_per_s"))
    row("  raw executemany, values/s", lambda r: f"{r['bulk']['raw_values_per_s']:,}")
    row("  ÷ raw", lambda r: f"{r['bulk']['ratio']}×" if "ratio" in r["bulk"] else None,
        "≥ 0.3×", "bulk_vs_raw >= 0.3")
    for weeks in (next(iter(dbs.values()))["progress"] if dbs else {}):
        for scope in ("district", "city"):
            label = f"progress {scope}, {weeks.split('_')[1]} wk"
            for how in ("sql", "api"):
                row(f"{label}: {how.upper()} med/p95 ms", lambda r, w=weeks, s=scope, h=how:
                    _latency(r["progress"][w][s].get(h)))
    last = f"weeks_{g.get('weeks', 0)}"
    span = f"{g.get('weeks', 0)} wk ÷ {min(4, g.get('weeks', 0))} wk"
    for scope in ("district", "city"):
        row(f"progress {scope}: API ÷ SQL", lambda r, s=scope: (
            f"{r['progress'][last][s]['ratio']}×" if "ratio" in r["progress"][last][s] else None),
            "≤ 3×", f"progress_{scope}_vs_sql <= 3")
        row(f"progress {scope}: {span} (API)", lambda r, s=scope: (
            f"{r['progress_growth'][s]['api']}×" if r["progress_growth"][s]["api"] else None),
            "≤ 1.5×", f"progress_{scope}_growth <= 1.5")
        row(f"progress {scope}: {span} (SQL)",
            lambda r, s=scope: f"{r['progress_growth'][s]['sql']}×")
    for weeks in (next(iter(dbs.values()))["progress"] if dbs else {}):
        row(f"overview of the city, {weeks.split('_')[1]} wk: API med/p95 ms",
            lambda r, w=weeks: _latency(r["progress"][w].get("overview", {}).get("api")),
            "≤ 150 ms" if weeks == last else "", "overview_city <= 150 ms" if weeks == last
            else None)
    row(f"overview: {span}", lambda r: (
        f"{r['progress_growth']['overview']['api']}×"
        if r["progress_growth"].get("overview", {}).get("api") else None),
        "≤ 1.5×", "overview_city_growth <= 1.5")
    row("server peak memory, MB", lambda r: r["peak_memory_mb"])
    js = results["web_js_gzip_kb"]
    head = ["", *(KINDS[k] for k in dbs), "goal"]
    body = [[label, *cells, goal] for label, cells, goal in rows]
    body.append(["web app initial JS (with SW registration), KB gzip", *([""] * len(dbs)),
                 f"{js} < 60 {_mark(results['goals']['web_js_gzip_kb < 60'])}"
                 if js is not None else "n/a (no frontend/dist)"])
    sw = results.get("web_sw_gzip_kb")
    body.append(["web app service worker, KB gzip", *([""] * len(dbs)),
                 str(sw) if sw is not None else "n/a (no frontend/dist/sw.js)"])
    return tables.plain(head, body)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tiendo.bench", description=__doc__)
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--districts", type=int, default=30)
    ap.add_argument("--units-per-district", type=int, default=200)
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=5.0, help="per throughput measurement")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=16, help="wrk connections")
    ap.add_argument("--repeat", type=int, default=30, help="progress samples per figure")
    ap.add_argument("--bulk-batches", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the JSON summary here")
    opts = ap.parse_args(argv)
    results: dict = {"scale": {"districts": opts.districts,
                               "units_per_district": opts.units_per_district,
                               "weeks": opts.weeks, "seed": opts.seed,
                               "concurrency": opts.concurrency},
                     "databases": {}, "web_js_gzip_kb": web_js_gzip_kb(),
                     "web_sw_gzip_kb": web_sw_gzip_kb()}
    for kind in opts.databases.split(","):
        if kind == "postgresql" and not postgres_available():
            results["databases"][kind] = {"skipped": "PostgreSQL not reachable"}
            continue
        print(f"… {KINDS[kind]}", file=sys.stderr, flush=True)
        results["databases"][kind] = run_database(kind, opts)
    summarise(results)
    print(table(results))
    text = json.dumps(results, ensure_ascii=False)
    print(text)
    if opts.json:
        opts.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
