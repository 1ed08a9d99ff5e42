"""Kept reporting counts (tiendo.figures.status, `status_total`): /completeness is never served
stale, on a database of its own (demo loaded) so that reads keep what they computed in
transactions of their own as in production, on SQLite and PostgreSQL.

Đa Tốn (a commune with villages) gets schools of its own, so Gia Lâm's counts are summed from
Đa Tốn's kept row. Each test reads the weeks (which keeps them), checks that the rows the write
is about to make stale exist, writes through the API (a report on time, a late one, a
correction, a unit closed, a reorganisation and its undo, the deadline moved), and then every
page read through the API must equal a fresh live computation, and `check-figures` find no
difference. The race and a corrupted row are tested too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from conftest import DEMO_NOW, PASSWORD
from tiendo.campaigns.models import Campaign
from tiendo.core.clock import get_now
from tiendo.core.pagination import PageParams
from tiendo.core.periods import Week
from tiendo.cycle.completeness import completeness
from tiendo.figures import status, upkeep
from tiendo.figures.cache import STATUS
from tiendo.main import create_app
from tiendo.units.models import Unit

V1 = "/api/v1"
CAMPAIGN, ROOT, BRANCH = "ihanoi-live", "HN-GL", "GL-X-DATON"
WEEKS = ("2024-W35", "2024-W36")
AFTER_DUE = datetime(2024, 9, 5, 9, 0, tzinfo=UTC)  # W36 was due at 08:00 UTC (15:00 local)
VALUES = {"staff_total": 30, "staff_installed": 12}
SUMMARY = ("expected", "on_time", "late", "missing", "pending", "count")


@dataclass
class World:
    client: TestClient
    engine: Engine
    now: datetime

    def headers(self) -> dict[str, str]:  # a session fresh at the clock's time
        r = self.client.post(f"{V1}/auth/token", data={"username": "admin",
                                                         "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, method: str, path: str, expect: int = 200, **kw) -> dict:  # noqa: ANN003
        r = self.client.request(method, f"{V1}{path}", headers=self.headers(), **kw)
        assert r.status_code == expect, r.text
        return r.json()

    def view(self, week: str, under: str = ROOT) -> dict:
        return self.call("GET", "/completeness", params={
            "campaign": CAMPAIGN, "period": week, "under": under, "limit": 500})

    def report(self, unit: str, week: str) -> dict:
        return self.call("POST", "/reports", 201, json={
            "campaign": CAMPAIGN, "unit": unit, "period": week, "values": VALUES})


@pytest.fixture(scope="module")
def world(own_db) -> Iterator[World]:  # noqa: ANN001
    app = create_app(engine=own_db.engine)
    w = World(None, own_db.engine, DEMO_NOW)  # type: ignore[arg-type]
    app.dependency_overrides[get_now] = lambda: w.now
    with TestClient(app) as client:
        w.client = client
        for code, opened in (("TH1", "2024-01-01"), ("TH2", "2024-09-04"), ("TH3", "2024-01-01"),
                             ("TH4", "2024-01-01"), ("TH5", "2024-09-04")):
            w.call("POST", "/units", 201, json={
                "code": f"GL-X-DATON-{code}", "name": f"Trường Đa Tốn {code}", "kind": "school",
                "parent": BRANCH, "opened_on": opened})
        yield w


def kept_weeks(engine: Engine, code: str) -> set[str]:
    with Session(engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == code)).scalar_one()
        return set(s.connection().execute(select(STATUS.c.week).where(
            STATUS.c.unit_id == unit.id, STATUS.c.kind == status.MARKER)).scalars())


def live_view(engine: Engine, week: str, now: datetime, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The same read in-process with the kept counts switched off."""
    with monkeypatch.context() as m, Session(engine) as s:
        m.setattr(status, "enabled", lambda session: False)
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        return completeness(s, None, campaign, week, ROOT, now,
                            PageParams(limit=500, offset=0)).model_dump(mode="json")


def fill(w: World) -> None:
    for week in WEEKS:
        w.view(week, BRANCH)
        w.view(week)
    assert set(WEEKS) <= kept_weeks(w.engine, ROOT) & kept_weeks(w.engine, BRANCH)


def assert_exact(w: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """Every week's API answer (kept counts) equals the live one; every kept row checks out."""
    out = {}
    for week in WEEKS:
        got, want = w.view(week), live_view(w.engine, week, w.now, monkeypatch)
        assert {k: got[k] for k in SUMMARY} == {k: want[k] for k in SUMMARY}, week
        assert got["data"] == want["data"], week
        assert got["count"] == len(got["data"]) == got["expected"]
        out[week] = got
    assert kept_weeks(w.engine, BRANCH) >= set(WEEKS)  # the reads kept them again
    with Session(w.engine) as s:
        checked, differences = upkeep.check_counts(s, CAMPAIGN)
    assert checked and not differences, differences
    return out


def statuses(body: dict) -> dict[str, str]:
    return {u["unit"]: u["status"] for u in body["data"]}


def test_a_report_on_time_then_late_ones(world: World, monkeypatch) -> None:  # noqa: ANN001
    w = world
    fill(w)
    before = assert_exact(w, monkeypatch)
    assert statuses(before["2024-W36"])["GL-X-DATON-TH1"] == "pending"
    w.report("GL-X-DATON-TH1", "2024-W36")
    assert "2024-W36" not in kept_weeks(w.engine, BRANCH)  # gone with the writer's commit
    assert "2024-W36" not in kept_weeks(w.engine, ROOT)
    assert "2024-W35" in kept_weeks(w.engine, ROOT)  # an earlier week is not touched
    after = assert_exact(w, monkeypatch)
    assert after["2024-W36"]["on_time"] == before["2024-W36"]["on_time"] + 1
    assert statuses(after["2024-W36"])["GL-X-DATON-TH1"] == "on_time"

    w.report("GL-X-DATON-TH1", "2024-W35")  # last week, after its deadline
    w.now = AFTER_DUE
    w.report("GL-X-DATON-TH2", "2024-W36")
    late = assert_exact(w, monkeypatch)
    assert statuses(late["2024-W35"])["GL-X-DATON-TH1"] == "late"
    assert statuses(late["2024-W36"])["GL-X-DATON-TH2"] == "late"
    assert late["2024-W36"]["late"] == after["2024-W36"]["late"] + 1


def test_a_correction(world: World, monkeypatch) -> None:  # noqa: ANN001
    w = world
    fill(w)
    rid = w.call("GET", "/reports", params={"campaign": CAMPAIGN, "unit": "GL-X-DATON-TH1",
                                            "period": "2024-W36"})["data"][0]["id"]
    w.call("PUT", f"/reports/{rid}", json={"values": {**VALUES, "staff_installed": 20},
                                           "version": 1})
    assert "2024-W36" not in kept_weeks(w.engine, BRANCH)
    assert statuses(assert_exact(w, monkeypatch)["2024-W36"])["GL-X-DATON-TH1"] == "on_time"


def test_closing_a_unit(world: World, monkeypatch) -> None:  # noqa: ANN001
    w = world
    fill(w)
    before = w.view("2024-W36")
    w.call("POST", "/units/GL-X-DATON-TH1/deactivate", json={"closed_on": "2024-09-03"})
    assert not kept_weeks(w.engine, BRANCH)
    after = assert_exact(w, monkeypatch)
    assert after["2024-W36"]["expected"] == before["expected"] - 1
    assert "GL-X-DATON-TH1" not in statuses(after["2024-W36"])
    assert "GL-X-DATON-TH1" in statuses(after["2024-W35"])  # open at that week's deadline


def test_a_reorganisation_and_its_undo(world: World, monkeypatch) -> None:  # noqa: ANN001
    w = world
    fill(w)
    before = assert_exact(w, monkeypatch)
    done = w.call("POST", "/reorganizations", 201, json={
        "effective_date": "2024-09-02", "note": "Sáp nhập thử", "changes": [
            {"kind": "merge", "from": ["GL-X-DATON-TH3", "GL-X-DATON-TH4"],
             "to": [{"code": "GL-X-DATON-TH34", "name": "Trường Đa Tốn 3-4", "kind": "school",
                     "parent": BRANCH}]}]})
    merged = assert_exact(w, monkeypatch)
    now = statuses(merged["2024-W36"])
    assert "GL-X-DATON-TH34" in now and "GL-X-DATON-TH3" not in now
    assert merged["2024-W36"]["expected"] == before["2024-W36"]["expected"] - 1
    fill(w)
    w.call("POST", f"/reorganizations/{done['id']}/undo")  # its carried report deleted
    assert not kept_weeks(w.engine, BRANCH)
    undone = assert_exact(w, monkeypatch)
    assert {k: undone["2024-W36"][k] for k in SUMMARY} == \
        {k: before["2024-W36"][k] for k in SUMMARY}


def test_moving_the_deadline(world: World, monkeypatch) -> None:  # noqa: ANN001
    """Due on Tuesday instead of Thursday: TH2 and TH5 (opened on Wednesday) are no longer
    expected in W36, and a report sent on Wednesday was still stored as on time."""
    w = world
    fill(w)
    before = w.view("2024-W36")
    w.call("PATCH", f"/campaigns/{CAMPAIGN}", json={"due_weekday": 2})
    assert not kept_weeks(w.engine, ROOT)
    after = assert_exact(w, monkeypatch)["2024-W36"]
    assert {"GL-X-DATON-TH2", "GL-X-DATON-TH5"} <= set(statuses(before))
    assert not {"GL-X-DATON-TH2", "GL-X-DATON-TH5"} & set(statuses(after))
    w.call("PATCH", f"/campaigns/{CAMPAIGN}", json={"due_weekday": 4})
    assert_exact(w, monkeypatch)


def test_a_reader_does_not_keep_counts_a_writer_changed_meanwhile(world: World) -> None:
    """Reader: counters read, Đa Tốn's counts computed from its snapshot. Writer: a report of
    TH5 committed. Reader stores afterwards: refused. Without the writer: kept."""
    w = world

    def computed() -> tuple[Session, status.KeptCounts, int]:
        s = Session(w.engine)
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        branch = s.exec(select(Unit).where(Unit.code == BRANCH)).scalar_one()
        s.connection().execute(STATUS.delete().where(STATUS.c.unit_id == branch.id))
        s.commit()
        k = status.KeptCounts(s, campaign)
        k.paths[branch.id] = branch.path
        k.stamp([branch.id])
        k.totals([branch.id], [Week.parse("2024-W36")])
        assert (branch.id, "2024-W36") in k.pending
        return s, k, branch.id

    s, k, _ = computed()  # control: nothing written in between, the counts are kept
    s.rollback()
    k.store()
    s.close()
    assert "2024-W36" in kept_weeks(w.engine, BRANCH)

    s, k, _ = computed()
    w.report("GL-X-DATON-TH5", "2024-W36")
    s.rollback()
    k.store()  # computed before the report: must not be kept
    s.close()
    assert "2024-W36" not in kept_weeks(w.engine, BRANCH)


def test_check_figures_finds_a_corrupted_count_and_rebuild_mends_it(world: World) -> None:
    w = world
    fill(w)
    with Session(w.engine) as s:
        branch = s.exec(select(Unit.id).where(Unit.code == BRANCH)).scalar_one()
        s.connection().execute(update(STATUS).where(
            STATUS.c.unit_id == branch, STATUS.c.week == "2024-W36",
            STATUS.c.kind == "school").values(late=STATUS.c.late + 1))
        s.commit()
        checked, differences = upkeep.check(s, CAMPAIGN)
    assert checked
    assert [(d.unit_id, d.week, d.what) for d in differences] == [
        (branch, "2024-W36", "reporting counts")]
    assert differences[0].kept["school"].late == differences[0].live["school"].late + 1
    upkeep.rebuild(w.engine, CAMPAIGN, w.now, say=lambda _: None)
    with Session(w.engine) as s:
        checked, differences = upkeep.check(s, CAMPAIGN)
        kept = s.connection().execute(select(func.count()).select_from(STATUS).where(
            STATUS.c.kind == status.MARKER)).scalar()
    assert checked and not differences, differences
    assert kept >= 2 * len(WEEKS)  # Gia Lâm, Đa Tốn and the other communes with villages


def test_a_read_keeps_ten_thousand_rows_at_once(world: World) -> None:
    """A first read over a nation's weeks computes ~10,000 (node, week) counts (100 areas ×
    104 weeks) and must keep them all in one store: a DELETE with IN over (node, week) pairs
    overflowed PostgreSQL's stack there, nothing was kept, and every later read recomputed
    (70 s for the nation's due list)."""
    weeks = [f"{year}-W{n:02d}" for year in (2030, 2031) for n in range(1, 53)]
    with Session(world.engine) as s:
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        nodes = list(s.exec(select(Unit.id).order_by(Unit.id).limit(100)).scalars())
        kept = status.KeptCounts(s, campaign)
        kept.stamp(nodes)
        kept.pending = {(n, w): {"school": status.Tally(1, 0, 0)} for n in nodes for w in weeks}
        kept.store()
    try:
        with Session(world.engine) as s:
            stored = s.connection().execute(select(func.count()).select_from(STATUS).where(
                STATUS.c.week >= "2030", STATUS.c.kind == status.MARKER)).scalar()
        assert stored == len(nodes) * len(weeks) >= 10_000
    finally:
        with Session(world.engine) as s:
            s.connection().execute(STATUS.delete().where(STATUS.c.week >= "2030"))
            s.commit()
