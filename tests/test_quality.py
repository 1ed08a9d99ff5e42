"""Data quality: rules on the report write path (pass, warning, blocking), outliers of weekly
increments, stale streaks, and the review of flags (quiet until the unit's figures change)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, update
from sqlmodel import select

from conftest import assert_error
from tiendo.campaigns.schemas import CampaignCreate, MetricIn, TargetCreate
from tiendo.campaigns.service import insert_campaign, insert_target
from tiendo.core.periods import Week
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit

LIVE, UNIT, WEEK = "ihanoi-live", "GL-X-DATON", "2024-W36"


def previous(client, auth) -> dict[str, int]:
    """Đa Tốn's latest report before the current week of the live campaign."""
    rows = client.get("/api/v1/reports", headers=auth("vanphong"),
                      params={"campaign": LIVE, "unit": UNIT, "limit": 10}).json()["data"]
    return next(r["values"] for r in rows if r["period"] < WEEK)


def body(values: dict[str, int]) -> dict:
    return {"campaign": LIVE, "unit": UNIT, "period": WEEK, "values": values, "note": "kiểm tra"}


def check(client, auth, values: dict[str, int]) -> dict:
    r = client.post("/api/v1/reports/check", headers=auth("daton"), json=body(values))
    assert r.status_code == 200, r.text
    return r.json()


def send_this_week(client, auth, values: dict[str, int]):
    """The unit's report of this week with these values: sent, or corrected if already sent."""
    existing = client.get("/api/v1/reports", headers=auth("daton"),
                          params={"campaign": LIVE, "unit": UNIT, "period": WEEK}).json()["data"]
    if existing:
        r = client.put(f"/api/v1/reports/{existing[0]['id']}", headers=auth("daton"),
                       json={"values": values, "note": "x", "version": existing[0]["version"]})
    else:
        r = client.post("/api/v1/reports", headers=auth("daton"), json=body(values))
    assert r.is_success, r.text
    return r


def rules(client, auth) -> dict[str, dict]:
    rows = client.get(f"/api/v1/campaigns/{LIVE}/quality-rules",
                      headers=auth("vanphong")).json()["data"]
    return {r["metric"]: r for r in rows}


def set_rule(client, auth, rule: dict, **changes) -> dict:
    data = {k: v for k, v in rule.items() if k not in ("id", "campaign", "updated_at")}
    r = client.put(f"/api/v1/campaigns/{LIVE}/quality-rules/{rule['id']}",
                   headers=auth("vanphong"), json={**data, **changes})
    assert r.status_code == 200, r.text
    return r.json()


def steady(prev: dict[str, int]) -> dict[str, int]:
    keep = ("staff_total", "staff_installed", "residents_accounts", "broadcasts", "posters",
            "meetings")
    values = {k: v for k, v in prev.items() if k in keep}
    values["residents_accounts"] += 50
    return values


def test_value_rule_passes_warns_and_blocks(client, auth, session):
    prev = previous(client, auth)
    population = session.exec(select(Unit).where(Unit.code == UNIT)).one()
    ok = check(client, auth, steady(prev))
    assert ok == {"ok": True, "warnings": [], "blocking": []}
    too_many = {**steady(prev), "residents_accounts": 10_000_000}
    warned = check(client, auth, too_many)
    assert warned["ok"] and [w["metric"] for w in warned["warnings"]] == ["residents_accounts"]
    assert "105%" in warned["warnings"][0]["message"]
    assert warned["warnings"][0]["figures"]["right_metric"] == "residents_total"
    set_rule(client, auth, rules(client, auth)["residents_accounts"], severity="blocking")
    blocked = check(client, auth, too_many)
    assert not blocked["ok"] and blocked["blocking"][0]["severity"] == "blocking"
    before = client.get("/api/v1/reports", headers=auth("vanphong"),
                        params={"campaign": LIVE, "unit": UNIT}).json()["count"]
    r = client.post("/api/v1/reports", headers=auth("daton"), json=body(too_many))
    err = assert_error(r, 422, "quality_rule_failed", "values.residents_accounts")
    assert "105%" in err["message"] and err["details"][0]["rule_id"]
    after = client.get("/api/v1/reports", headers=auth("vanphong"),
                       params={"campaign": LIVE, "unit": UNIT}).json()["count"]
    assert after == before and population is not None


def test_change_pct_rule_warns_and_the_warning_is_recorded_then_cleared(client, auth):
    prev = previous(client, auth)
    jumpy = {**steady(prev), "staff_total": prev["staff_total"] * 2,
             "staff_installed": prev["staff_installed"]}
    warned = check(client, auth, jumpy)
    assert [w["metric"] for w in warned["warnings"]] == ["staff_total"]
    assert warned["warnings"][0]["figures"]["previous"] == prev["staff_total"]
    r = send_this_week(client, auth, jumpy)
    flags = client.get("/api/v1/data-quality", headers=auth("vanphong"),
                       params={"campaign": LIVE, "unit": UNIT, "kind": "rule"}).json()
    assert flags["count"] == 1 and flags["data"][0]["figures"]["metric"] == "staff_total"
    assert flags["data"][0]["state"] == "open" and flags["data"][0]["period"] == WEEK
    report = r.json()
    fixed = client.put(f"/api/v1/reports/{report['id']}", headers=auth("daton"),
                       json={"values": steady(prev), "note": "sửa", "version": report["version"]})
    assert fixed.status_code == 200, fixed.text
    assert client.get("/api/v1/data-quality", headers=auth("vanphong"),
                      params={"campaign": LIVE, "unit": UNIT, "kind": "rule"}).json()["count"] == 0


def test_change_rule_created_by_a_manager(client, auth):
    prev = previous(client, auth)
    rule = {"metric": "broadcasts", "measure": "change", "op": "ge", "right": "constant",
            "constant": 1, "unit_kinds": ["commune"], "severity": "warning",
            "message": "Xã chưa phát thanh lần nào trong tuần."}
    assert client.post(f"/api/v1/campaigns/{LIVE}/quality-rules", headers=auth("daton"),
                       json=rule).status_code == 403
    r = client.post(f"/api/v1/campaigns/{LIVE}/quality-rules", headers=auth("vanphong"), json=rule)
    assert r.status_code == 201, r.text
    same = check(client, auth, {**steady(prev), "broadcasts": prev["broadcasts"]})
    assert [w["metric"] for w in same["warnings"]] == ["broadcasts"]
    more = check(client, auth, {**steady(prev), "broadcasts": prev["broadcasts"] + 2})
    assert more["warnings"] == []
    bad = client.post(f"/api/v1/campaigns/{LIVE}/quality-rules", headers=auth("vanphong"),
                      json={**rule, "metric": "residents_total"})
    assert_error(bad, 422, "baseline_metric", "metric")
    assert_error(client.post(f"/api/v1/campaigns/{LIVE}/quality-rules", headers=auth("vanphong"),
                             json={**rule, "right": "metric"}), 422)


# --- outliers and patterns on a campaign of our own ---------------------------------------------
WEEKS = [Week.parse(f"2024-W{n}") for n in range(28, 34)]  # W28…W33


@pytest.fixture
def agencies(session):
    """A campaign counting `done` of `total` for the district's agencies; reports for W28…W33
    written by `write(fn)`, fn(unit index, week index) → (done, total) or None."""
    district = session.exec(select(Unit).where(Unit.code == "HN-GL")).one()
    campaign = insert_campaign(session, CampaignCreate(
        code="q-test", name="Kiểm tra chất lượng", owner="HN-GL", start_date=date(2024, 7, 8),
        end_date=date(2024, 8, 30), metrics=[
            MetricIn(code="done", name="Đã làm", unit_kinds=["agency"]),
            MetricIn(code="total", name="Tổng", unit_kinds=["agency"])]), district)
    insert_target(session, campaign, TargetCreate(
        campaign="q-test", code="t", name="Chỉ tiêu", numerator="done", denominator="total",
        deadline=date(2024, 8, 30), unit_kinds=["agency"]), None)
    session.flush()
    units = session.exec(select(Unit).where(Unit.kind == "agency").order_by(Unit.id)).all()[:8]
    metrics = {m.code: m.id for m in campaign_metrics(session, campaign.id)}

    def write(fn) -> None:  # noqa: ANN001
        for wi, week in enumerate(WEEKS):
            for ui, unit in enumerate(units):
                if (v := fn(ui, wi)) is None:
                    continue
                at = datetime(2024, 7, 1, tzinfo=UTC)
                rid = session.connection().execute(insert(Report).values(
                    campaign_id=campaign.id, unit_id=unit.id, period=str(week), status="submitted",
                    timeliness="on_time", version=1, source="api", sender_name="t", note="",
                    received_at=at, updated_at=at).returning(Report.id)).scalar()
                session.connection().execute(insert(ReportValue), [
                    {"report_id": rid, "metric_id": metrics["done"], "value": v[0]},
                    {"report_id": rid, "metric_id": metrics["total"], "value": v[1]}])
        session.commit()

    return campaign, units, write, metrics


def campaign_metrics(session, campaign_id):
    from tiendo.campaigns.models import Metric
    return session.exec(select(Metric).where(Metric.campaign_id == campaign_id)).all()


def scan(client, auth, period="2024-W33") -> dict:
    r = client.post("/api/v1/data-quality/scan", headers=auth("vanphong"),
                    json={"campaign": "q-test", "period": period})
    assert r.status_code == 200, r.text
    return r.json()


def flags(client, auth, **params) -> list[dict]:
    r = client.get("/api/v1/data-quality", headers=auth("vanphong"),
                   params={"campaign": "q-test", "period": "2024-W33", **params})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def steady_then_jump(ui: int, wi: int) -> tuple[int, int]:
    """Every unit adds 10 (±1) a week; unit 0 adds 250 in the last week."""
    done = 20 + ui + sum(10 + (w + ui) % 3 - 1 for w in range(wi))
    if ui == 0 and wi == len(WEEKS) - 1:
        done += 240
    return done, 1000


def test_an_outlier_among_steady_peers_is_flagged_and_the_steady_ones_are_not(
        client, auth, agencies):
    _, units, write, _ = agencies
    write(steady_then_jump)
    out = scan(client, auth)
    assert out["raised"] == 1 and out["open"] == 1
    [flag] = flags(client, auth)
    assert (flag["unit"], flag["kind"], flag["key"]) == (units[0].code, "outlier", "done")
    assert flag["figures"]["increment"] > 200 and len(flag["figures"]["own_increments"]) >= 3
    # Earlier weeks: steady, nothing; the first weeks never flag (no history yet).
    for period in ("2024-W29", "2024-W30", "2024-W32"):
        assert scan(client, auth, period)["raised"] == 0


def test_no_flag_from_a_units_first_reports_alone(client, auth, agencies):
    _, _, write, _ = agencies
    # Unit 0 starts reporting in W32 with a big figure: no history, no outlier.
    write(lambda ui, wi: None if ui == 0 and wi < 4 else steady_then_jump(ui, wi))
    assert [f for f in flags(client, auth) if f["kind"] == "outlier"] == []
    scan(client, auth)
    assert [f for f in flags(client, auth) if f["kind"] == "outlier"] == []


def test_a_stale_streak_while_peers_move(client, auth, agencies):
    _, units, write, _ = agencies
    write(lambda ui, wi: (50, 1000) if ui == 3 and wi >= 2 else steady_then_jump(ui % 7 + 1, wi))
    scan(client, auth)
    stale = [f for f in flags(client, auth) if f["kind"] == "stale"]
    assert [f["unit"] for f in stale] == [units[3].code]
    assert stale[0]["figures"]["weeks"] == ["2024-W30", "2024-W31", "2024-W32", "2024-W33"]


def test_review_keeps_a_flag_quiet_until_the_figures_change(client, auth, agencies, session):
    campaign, units, write, metrics = agencies
    write(steady_then_jump)
    scan(client, auth)
    [flag] = flags(client, auth)
    assert_error(client.post(f"/api/v1/data-quality/{flag['id']}/review", headers=auth("daton"),
                             json={"note": "x"}), 403)
    assert_error(client.post(f"/api/v1/data-quality/{flag['id']}/review",
                             headers=auth("vanphong"), json={"note": ""}), 422)
    r = client.post(f"/api/v1/data-quality/{flag['id']}/review", headers=auth("vanphong"),
                    json={"note": "Đã gọi xác minh: đơn vị vừa nhận thêm người."})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "reviewed" and r.json()["reviewed_by_name"]
    audit = client.get("/api/v1/audit", headers=auth("admin"),
                       params={"action": "quality.review"}).json()["data"]
    assert audit and audit[0]["object_id"] == str(flag["id"])
    again = scan(client, auth)
    assert (again["raised"], again["changed"], again["open"]) == (0, 0, 0)
    assert flags(client, auth)[0]["state"] == "reviewed"
    # The unit changes its W33 figure again: the flag opens, with the new figures.
    rid = session.exec(select(Report.id).where(Report.campaign_id == campaign.id,
                                               Report.unit_id == units[0].id,
                                               Report.period == "2024-W33")).one()
    session.exec(update(ReportValue).where(ReportValue.report_id == rid,
                                           ReportValue.metric_id == metrics["done"])
                 .values(value=ReportValue.value + 100))
    session.commit()
    changed = scan(client, auth)
    assert (changed["changed"], changed["open"]) == (1, 1)
    [reopened] = flags(client, auth)
    assert reopened["id"] == flag["id"] and reopened["state"] == "open"
    assert reopened["figures"]["increment"] == flag["figures"]["increment"] + 100


def test_settings_tune_the_threshold(client, auth, agencies):
    _, _, write, _ = agencies
    write(steady_then_jump)
    r = client.put("/api/v1/campaigns/q-test/quality-settings", headers=auth("vanphong"),
                   json={"min_jump": 100000})
    assert r.status_code == 200 and r.json()["z_threshold"] == 3.5
    assert scan(client, auth)["raised"] == 0
    assert_error(client.put("/api/v1/campaigns/q-test/quality-settings",
                            headers=auth("vanphong"), json={"z_threshold": 0}), 422)


def test_weekly_exports_can_list_the_open_flags(client, auth):
    import io

    from docx import Document
    from openpyxl import load_workbook

    prev = previous(client, auth)
    jumpy = {**steady(prev), "staff_total": prev["staff_total"] * 2}
    send_this_week(client, auth, jumpy)
    params = {"campaign": LIVE, "period": WEEK}
    plain = client.get("/api/v1/exports/weekly-report.xlsx", headers=auth("vanphong"),
                       params=params)
    assert "Số liệu cần xác minh" not in load_workbook(io.BytesIO(plain.content)).sheetnames
    xlsx = client.get("/api/v1/exports/weekly-report.xlsx", headers=auth("vanphong"),
                      params={**params, "flags": "true"})
    assert xlsx.status_code == 200, xlsx.text
    sheet = load_workbook(io.BytesIO(xlsx.content))["Số liệu cần xác minh"]
    assert UNIT in [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    docx = client.get("/api/v1/exports/weekly-report.docx", headers=auth("vanphong"),
                      params={**params, "flags": "true"})
    assert docx.status_code == 200, docx.text
    text = "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables
                     for row in t.rows for c in row.cells)
    assert "staff_total" in text


def test_figures_by_week_is_the_latest_report_at_or_before_each_week(session):
    """The checks' figures come from the one definition: a plain reading of every report."""
    from tiendo.campaigns.models import Campaign
    from tiendo.figures.values import figures_by_week

    campaign = session.exec(select(Campaign).where(Campaign.code == "ihanoi-2024")).one()
    units = session.exec(select(Unit).where(Unit.kind == "commune").order_by(Unit.id)).all()
    weeks = [Week.parse(f"2024-W{n}") for n in range(27, 37)]
    got = figures_by_week(session, campaign, [u.id for u in units], weeks)
    reports = session.exec(select(Report).where(Report.campaign_id == campaign.id)).all()
    values: dict[int, dict[int, int]] = {}
    for rid, mid, v in session.exec(select(ReportValue.report_id, ReportValue.metric_id,
                                           ReportValue.value)).all():
        values.setdefault(rid, {})[mid] = v
    for u in units:
        mine = sorted((r for r in reports if r.unit_id == u.id), key=lambda r: r.period)
        for w in weeks:
            latest = [r for r in mine if r.period <= str(w)]
            if not latest:
                assert str(w) not in got[u.id]
                continue
            f = got[u.id][str(w)]
            assert (f.period, f.values) == (latest[-1].period, values.get(latest[-1].id, {}))
            assert f.fresh(w) == (latest[-1].period == str(w))


def test_over_denominator_churn_and_above_the_official_count(client, auth, agencies, session):
    from tiendo.official.models import OfficialCount

    _, units, write, _ = agencies

    def figures(ui: int, wi: int) -> tuple[int, int]:
        done, total = steady_then_jump(ui % 7 + 1, wi)
        if ui == 2 and wi == len(WEEKS) - 1:
            return 1200, 1000  # more done than there are
        if ui == 4:
            return done, 900 + 7 * wi  # the total changes every week
        return done, total

    write(figures)
    district = session.exec(select(Unit).where(Unit.code == "HN-GL")).one()
    session.add(OfficialCount(unit_id=district.id, metric="done", source="EIC", value=100,
                              observed_at=datetime(2024, 8, 14, 8, 0, tzinfo=UTC)))  # in W33
    session.commit()
    scan(client, auth)
    found = {(f["kind"], f["unit"]) for f in flags(client, auth)}
    # Unit 2's jump to 1,200 is also far above its own and its peers' increments.
    assert found == {("over_denominator", units[2].code), ("outlier", units[2].code),
                     ("denominator_churn", units[4].code), ("above_official", "HN-GL")}, found
    above = flags(client, auth, kind="above_official")[0]
    assert above["figures"]["official"] == 100 and above["figures"]["reported"] > 150
