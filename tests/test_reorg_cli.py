"""`tiendo reorganize FILE.xlsx` and its template, run as an operator would on a database of
its own (a temporary SQLite file, the demo loaded): same checks and summary as the API."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text
from typer.testing import CliRunner

from tiendo import cli
from tiendo.config import get_settings
from tiendo.db import get_engine
from tiendo.reorg.sheet import COLUMNS


@pytest.fixture(scope="module")
def tiendo(tmp_path_factory):  # noqa: ANN001, ANN201
    var = tmp_path_factory.mktemp("reorg-cli")
    runner = CliRunner()

    def run(*args: str):  # noqa: ANN202
        return runner.invoke(cli.app, list(args))

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIENDO_DATABASE_URL", f"sqlite:///{var}/cli.db")
        mp.setenv("TIENDO_VAR_DIR", str(var))
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            assert run("migrate").exit_code == 0
            assert run("seed-demo", "--password", "cli-demo-2024").exit_code == 0
            yield run, var
        finally:
            get_engine().dispose()
            get_engine.cache_clear()
            get_settings.cache_clear()


def sheet(*rows: list[str]) -> bytes:
    wb = Workbook()
    wb.active.append(list(COLUMNS))
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def units(code_like: str) -> dict[str, str | None]:
    with get_engine().connect() as conn:
        return dict(conn.execute(text("SELECT code, closed_on FROM unit WHERE code LIKE :c"),
                                 {"c": code_like}).all())


ROWS = (["GL-X-KIMLAN", "T-X-BATTRANG", "Xã Bát Tràng", "commune", "HN", "", ""],
        ["GL-X-BATTRANG", "T-X-BATTRANG", "", "", "", "", ""],
        ["GL-X-DATON", "T-X-BATTRANG", "", "", "", "0,8", "T-X-BATTRANG"],
        ["GL-X-DATON", "T-X-GIALAM", "Xã Gia Lâm", "commune", "HN", "0,2", ""])


def test_template_then_dry_run_then_apply(tiendo, tmp_path) -> None:  # noqa: ANN001
    run, _ = tiendo
    template = tmp_path / "mau.xlsx"
    assert run("reorganize-template", str(template)).exit_code == 0
    head = [c.value for c in load_workbook(template).active[1]]
    assert head == list(COLUMNS)

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet(*ROWS[:3], [*ROWS[3][:5], "0,3", ""]))
    r = run("reorganize", str(bad), "--effective-date", "2025-07-01")
    assert r.exit_code == 1 and "reorg_shares" in r.output

    good = tmp_path / "nq1656.xlsx"
    good.write_bytes(sheet(*ROWS))
    r = run("reorganize", str(good), "--effective-date", "2025-07-01", "--note", "NQ 1656")
    assert r.exit_code == 0, r.output
    assert "Dry run" in r.output and "opened: T-X-BATTRANG, T-X-GIALAM" in r.output
    assert "daton reporter GL-X-DATON → T-X-BATTRANG" in r.output
    assert units("T-X-%") == {} and units("GL-X-DATON")["GL-X-DATON"] is None

    r = run("reorganize", str(good), "--effective-date", "2025-07-01", "--apply")
    assert r.exit_code == 0, r.output
    assert set(units("T-X-%")) == {"T-X-BATTRANG", "T-X-GIALAM"}
    assert str(units("GL-X-DATON")["GL-X-DATON"]).startswith("2025-07-01")


def test_the_demo_has_a_campaign_across_the_2025_reorganisation(tiendo) -> None:  # noqa: ANN001
    """Loaded after September 2025, the demo holds VNeID 2025: 22 old communes until 1 July,
    four new ones after, each new commune's line continuous across the change."""
    from fastapi.testclient import TestClient

    from tiendo.main import create_app

    run, _ = tiendo
    client = TestClient(create_app(get_engine()))
    r = client.post("/api/v1/auth/token", data={"username": "thanhpho",
                                                "password": "cli-demo-2024"})
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    camp = client.get("/api/v1/campaigns/vneid-2025", headers=h)
    assert camp.status_code == 200 and "demo" in camp.json()["name"]

    def progress(week: str) -> dict:
        body = client.get("/api/v1/progress", headers=h, params={
            "campaign": "vneid-2025", "under": "HN-GL25", "period": week}).json()
        return body["targets"][0]

    before, after = progress("2025-W26"), progress("2025-W27")
    assert (before["units_expected"], after["units_expected"]) == (22, 4)
    assert after["units_stale"] == 4  # carried across the change, not yet reported
    assert (after["numerator"], after["denominator"]) == (before["numerator"],
                                                          before["denominator"])
    series = client.get("/api/v1/progress/series", headers=h, params={
        "campaign": "vneid-2025", "under": "HN-X-BATTRANG"}).json()["targets"][0]
    assert series["lineage"][-1]["numerator"] == series["points"][0]["numerator"]
    assert series["points"][-1]["numerator"] > series["points"][0]["numerator"]
    unit = client.get("/api/v1/units/GL25-X-DATON", headers=h).json()
    assert {x["code"] for x in unit["merged_into"]} == {"HN-X-BATTRANG", "HN-X-GIALAM"}
