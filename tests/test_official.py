"""Official counts: pushed by a token or a manager, pulled by `tiendo sync-official`."""

import re
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

import tiendo.db
from conftest import DEMO_NOW, assert_error, new_database
from tiendo.campaigns.schemas import CampaignCreate, MetricIn
from tiendo.campaigns.service import insert_campaign
from tiendo.cli import app as cli
from tiendo.official.models import OfficialCount
from tiendo.official.sync import SyncError, sync_official
from tiendo.units.schemas import UnitCreate
from tiendo.units.service import insert_unit

FEED_URL = "https://eic.example.vn/ihanoi/counts.json"
EIC = {"unit": "HN-GL", "metric": "residents_accounts", "source": "HANOI EIC", "value": 3100,
       "observed_at": "2024-07-30T09:00:00+07:00"}
FEED = {"source": "HANOI EIC", "counts": [
    {"unit": "HN-GL", "metric": "residents_accounts", "value": 4020,
     "observed_at": "2024-08-06T15:06:00+07:00", "campaign": "ihanoi-2024"},
    {"unit": "GL-X-DATON", "metric": "residents_accounts", "value": 310,
     "observed_at": "2024-08-06T15:06:00+07:00", "note": "extra keys are ignored"},
]}


def count_rows(session) -> int:
    return session.exec(select(func.count()).select_from(OfficialCount)).one()


def listed(client, headers, **params):
    r = client.get("/api/v1/official-counts", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_manager_records_a_figure_once_and_can_correct_it(client, auth):
    manager = auth("vanphong")
    r = client.post("/api/v1/official-counts", headers=manager, json=EIC)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["unit"], body["value"], body["campaign"]) == ("HN-GL", 3100, None)
    assert body["observed_at"] == "2024-07-30T02:00:00Z"
    again = client.post("/api/v1/official-counts", headers=manager,
                        json={**EIC, "observed_at": "2024-07-30T09:00:42+07:00"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]  # same minute
    fixed = client.post("/api/v1/official-counts", headers=manager, json={**EIC, "value": 3150})
    assert fixed.status_code == 200 and fixed.json()["value"] == 3150
    rows = listed(client, manager, unit="HN-GL")["data"]
    assert [(x["value"], x["source"]) for x in rows][:2] == [(3150, "HANOI EIC"),
                                                              (2850, "HANOI EIC")]
    # Shown in the progress of W31 (observed on Tuesday of W31), the newest before its end.
    progress = client.get("/api/v1/progress", headers=manager,
                          params={"campaign": "ihanoi-2024", "period": "2024-W31"}).json()
    residents = next(t for t in progress["targets"] if t["code"] == "residents")
    assert residents["official"]["value"] == 3150
    assert residents["official"]["period"] == "2024-W31"
    assert residents["official"]["gap"] == 3150 - residents["numerator"]


def test_integration_token_with_the_scope_may_only_post(client, auth):
    admin = auth("admin")
    r = client.post("/api/v1/tokens", headers=admin, json={
        "name": "HANOI EIC", "unit": "HN-GL", "scopes": ["official-counts:write"]})
    assert r.status_code == 201, r.text
    token = {"Authorization": f"Bearer {r.json()['token']}"}
    r = client.post("/api/v1/official-counts", headers=token,
                    json={**EIC, "unit": "GL-X-DATON", "value": 290})
    assert r.status_code == 201, r.text
    assert r.json()["recorded_by_name"] == "token:HANOI EIC"
    assert_error(client.get("/api/v1/official-counts", headers=token), 403)
    assert_error(client.get("/api/v1/progress", headers=token,
                            params={"campaign": "ihanoi-2024"}), 403)
    audit = client.get("/api/v1/audit", headers=admin,
                       params={"action": "official.created", "object_id": r.json()["id"]})
    assert audit.json()["count"] == 1


def test_reporters_and_viewers_cannot_post(client, auth):
    for user in ("daton", "lanhdao"):
        r = client.post("/api/v1/official-counts", headers=auth(user),
                        json={**EIC, "unit": "GL-X-DATON"})
        assert_error(r, 403)


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"metric": "no_such_metric"}, "unknown_metric", "metric"),
    ({"campaign": "ihanoi-2024", "metric": "nope"}, "unknown_metric", "metric"),
    ({"campaign": "no-such"}, "campaign_not_found", "campaign"),
    ({"unit": "NO-SUCH"}, "unit_not_found", "unit"),
    ({"observed_at": "2024-12-01T10:00:00+07:00"}, "observed_in_future", "observed_at"),
    ({"observed_at": "2024-07-30T09:00:00"}, "validation_error", "observed_at"),
    ({"value": -1}, "validation_error", "value"),
    ({"value": "3100"}, "validation_error", "value"),
    ({"source": ""}, "validation_error", "source"),
])
def test_bad_figures_are_refused(client, auth, session, change, code, field):
    before = count_rows(session)
    status = 404 if code.endswith("not_found") else 422
    r = client.post("/api/v1/official-counts", headers=auth("vanphong"), json={**EIC, **change})
    assert_error(r, status, code, field)
    assert count_rows(session) == before


def test_list_is_limited_to_the_subtree(client, auth):
    viewer = listed(client, auth("lanhdao"), campaign="ihanoi-2024")
    assert viewer["count"] >= 1 and viewer["data"][0]["source"] == "HANOI EIC"
    assert listed(client, auth("daton"))["count"] == 0
    assert listed(client, auth("lanhdao"), campaign="ihanoi-live")["count"] == 0


# --- pulling ---------------------------------------------------------------------------------
def test_sync_records_the_feed_once(session, httpx_mock):
    httpx_mock.add_response(url=FEED_URL, json=FEED, is_reusable=True)
    before = count_rows(session)
    first = sync_official(session, FEED_URL, DEMO_NOW, backoff=0)
    assert (first.outcomes["created"], first.outcomes["unchanged"]) == (2, 0)
    second = sync_official(session, FEED_URL, DEMO_NOW, backoff=0)
    assert (second.outcomes["created"], second.outcomes["unchanged"]) == (0, 2)
    assert count_rows(session) == before + 2
    row = session.exec(select(OfficialCount).where(OfficialCount.value == 310)).one()
    assert row.source == "HANOI EIC" and row.campaign_id is None
    assert row.observed_at == datetime(2024, 8, 6, 8, 6, tzinfo=UTC)


@pytest.mark.parametrize(("arrange", "message"), [
    (lambda m: m.add_response(url=FEED_URL, status_code=500, is_reusable=True), "HTTP 500"),
    (lambda m: m.add_exception(httpx.ReadTimeout("slow"), url=FEED_URL, is_reusable=True),
     "no answer within"),
    (lambda m: m.add_response(url=FEED_URL, status_code=404), "HTTP 404"),
    (lambda m: m.add_response(url=FEED_URL, text="<html>oops</html>"), "malformed body"),
    (lambda m: m.add_response(url=FEED_URL, json={"source": "EIC", "counts": [
        {**FEED["counts"][0], "value": -5}]}), "counts.0.value"),
    (lambda m: m.add_response(url=FEED_URL, json={"source": "EIC", "counts": [
        FEED["counts"][0], {**FEED["counts"][1], "unit": "GL-X-NOWHERE"}]}), "GL-X-NOWHERE"),
    (lambda m: m.add_response(url=FEED_URL, json={"source": "EIC", "counts": [
        FEED["counts"][1], {**FEED["counts"][0], "metric": "nope"}]}), "counts[1]"),
])
def test_a_failed_pull_writes_nothing_and_says_why(session, httpx_mock, arrange, message):
    arrange(httpx_mock)
    before = count_rows(session)
    # The command rolls back on failure, as this savepoint does.
    with pytest.raises(SyncError, match=re.escape(message)), session.begin_nested():
        sync_official(session, FEED_URL, DEMO_NOW, retries=1, backoff=0)
    assert count_rows(session) == before


def test_cli_reports_a_failure_with_a_non_zero_exit(httpx_mock, database, monkeypatch):
    httpx_mock.add_response(url=FEED_URL, status_code=503)
    monkeypatch.setattr(tiendo.db, "get_engine", lambda: database.engine)
    result = CliRunner().invoke(cli, ["sync-official", "--url", FEED_URL, "--retries", "0"])
    assert result.exit_code == 1
    assert "nothing written" in result.output and "HTTP 503" in result.output


def test_cli_commits_a_good_pull(httpx_mock, monkeypatch):
    httpx_mock.add_response(url=FEED_URL, json={"source": "HANOI EIC", "counts": [
        {"unit": "HN", "metric": "residents_accounts", "value": 7,
         "observed_at": "2024-08-06T15:06:00+07:00"}]}, is_reusable=True)
    for db in new_database("sqlite"):  # a database of its own: the command commits
        with Session(db.engine) as s:
            city = insert_unit(s, UnitCreate(code="HN", name="Hà Nội", kind="city", parent="HN"),
                               None, DEMO_NOW)
            s.flush()
            insert_campaign(s, CampaignCreate(
                code="c", name="Chiến dịch", owner="HN", start_date=date(2024, 7, 1),
                end_date=date(2024, 9, 1), metrics=[MetricIn(
                    code="residents_accounts", name="Tài khoản", unit_kinds=["city"])]), city)
            s.commit()
        monkeypatch.setattr(tiendo.db, "get_engine", lambda db=db: db.engine)
        first = CliRunner().invoke(cli, ["sync-official", "--url", FEED_URL])
        assert first.exit_code == 0, first.output
        assert "1 new, 0 updated, 0 unchanged" in first.output
        again = CliRunner().invoke(cli, ["sync-official", "--url", FEED_URL])
        assert "0 new, 0 updated, 1 unchanged" in again.output
        with Session(db.engine) as s:
            assert count_rows(s) == 1


def test_cli_needs_a_url(monkeypatch):
    monkeypatch.delenv("TIENDO_OFFICIAL_COUNTS_URL", raising=False)
    result = CliRunner().invoke(cli, ["sync-official"])
    assert result.exit_code == 2 and "TIENDO_OFFICIAL_COUNTS_URL" in result.output
