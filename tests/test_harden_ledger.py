"""Issue 13, finding 3: a dry run keeps a bounded record, and `tiendo purge` removes the
ledger of bulk posts after a documented number of days."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from conftest import DEMO_NOW
from tiendo.campaigns.models import Campaign
from tiendo.cycle.models import BulkImport
from tiendo.ops.purge import purge
from tiendo.reports.bulk import DRY_RUN_KEPT_CONFLICTS


def test_a_dry_run_of_10000_bad_items_keeps_a_bounded_record(client, auth):
    items = [{"unit": f"GL-NOPE-{i}", "period": "2024-W36", "values": {"staff_total": 1}}
             for i in range(10_000)]
    r = client.post("/api/v1/reports/bulk", headers=auth("vanphong"),
                    json={"campaign": "ihanoi-live", "dry_run": True, "items": items})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["rejected"] == 10_000 and len(s["conflicts"]) == 10_000  # the caller sees all
    kept = client.get(f"/api/v1/imports/{s['import_id']}", headers=auth("admin")).json()
    assert kept["rejected"] == 10_000 and kept["dry_run"] is True
    assert len(kept["conflicts"]) == DRY_RUN_KEPT_CONFLICTS
    assert kept["conflicts"] == s["conflicts"][:DRY_RUN_KEPT_CONFLICTS]


def test_a_real_post_keeps_every_conflict(client, auth):
    items = [{"unit": f"GL-NOPE-{i}", "period": "2024-W36", "values": {"staff_total": 1}}
             for i in range(DRY_RUN_KEPT_CONFLICTS + 5)]
    s = client.post("/api/v1/reports/bulk", headers=auth("vanphong"),
                    json={"campaign": "ihanoi-live", "items": items}).json()
    kept = client.get(f"/api/v1/imports/{s['import_id']}", headers=auth("admin")).json()
    assert len(kept["conflicts"]) == DRY_RUN_KEPT_CONFLICTS + 5


def test_purge_deletes_old_bulk_records_only(session):
    campaign_id = session.exec(select(Campaign.id)).first()
    for age in (timedelta(days=91), timedelta(days=89)):
        session.add(BulkImport(at=DEMO_NOW - age, source="api", campaign_id=campaign_id,
                               actor_name="purge-test", conflicts=[]))
    session.flush()
    done = purge(session, DEMO_NOW, keep_import_days=90)
    assert done.bulk_imports >= 1
    left = session.exec(select(BulkImport.at).where(BulkImport.actor_name == "purge-test")).all()
    assert left == [DEMO_NOW - timedelta(days=89)]
    assert session.exec(select(func.count()).select_from(BulkImport).where(
        BulkImport.at < DEMO_NOW - timedelta(days=90))).one() == 0
