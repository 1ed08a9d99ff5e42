"""The figures a successor carries across a reorganisation, materialised as system reports.

Design: the one figures engine stays as it is. For each campaign in which a predecessor
reported, each successor gets ONE report with `source = "reorganization"` (status approved, so
nothing edits it) at W0, the last week whose due date falls before the effective date: the
last week the predecessors are expected and the week before the successors' first. Its values
are, per metric, the sum over the successor's predecessors of their share of the predecessor's
figure at W0 (its latest report at or before W0, as the engine defines it). From the
successors' first expected week on, the engine finds that report (stale: carried forward)
until their own first report; completeness never counts it, since W0 does not expect them.

Rounding: largest remainder per predecessor and metric (`allocate`): floor(share × value) for
every successor, then the units left go one each to the largest fractional parts (ties to the
successor listed first). A split conserves its predecessor's total exactly, which is what a
district adding the new communes up will check.

A predecessor's report for a week up to W0 written or corrected after the change recomputes
its reorganisation's carried reports (`predecessor_wrote`, called from the report-write paths).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign, Metric
from tiendo.core.periods import Week
from tiendo.figures.cache import changed
from tiendo.reorg.models import Reorganization, ReorganizationLink
from tiendo.reports.models import Report, ReportRevision, ReportStatus, ReportValue, Source
from tiendo.units.models import Unit

CARRIED_NOTE = "Chuyển từ sắp xếp đơn vị"
CARRIED_SENDER = "Sắp xếp đơn vị hành chính"


def allocate(value: int, shares: list[float]) -> list[int]:
    """`value` divided by `shares` (summing to 1) in whole units, conserving the total."""
    raw = [value * s for s in shares]
    out = [math.floor(x + 1e-9) for x in raw]
    left = value - sum(out)
    order = sorted(range(len(shares)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:max(left, 0)]:
        out[i] += 1
    return out


def last_week_before(campaign: Campaign, effective: date) -> Week:
    """W0: the last week whose due date is before `effective` (the predecessors' last)."""
    cal = Calendar(campaign)
    week = Week.of(effective)
    return week if cal.due_date(week) < effective else week.shift(-1)


def links_by_predecessor(links: Iterable[ReorganizationLink]
                         ) -> dict[int, list[ReorganizationLink]]:
    out: dict[int, list[ReorganizationLink]] = {}
    for link in sorted(links, key=lambda x: (x.from_unit_id, x.position)):
        out.setdefault(link.from_unit_id, []).append(link)
    return out


def share_out(links: list[ReorganizationLink], figures: dict[int, dict[str, int]]
              ) -> dict[int, dict[str, int]]:
    """Per successor, per metric: the sum of its predecessors' allocated figures."""
    out: dict[int, dict[str, int]] = {}
    for pred, mine in links_by_predecessor(links).items():
        for code, value in figures.get(pred, {}).items():
            parts = allocate(value, [x.share for x in mine])
            for link, part in zip(mine, parts, strict=True):
                bucket = out.setdefault(link.to_unit_id, {})
                bucket[code] = bucket.get(code, 0) + part
    return out


def _delete_reports(session: Session, reports: list[Report]) -> None:
    """Carried reports deleted (before they are rewritten, or on undo): a Core delete that no
    session event sees, so the kept figures and counts of their units are told here."""
    ids = [r.id for r in reports]
    if ids:
        for campaign_id in {r.campaign_id for r in reports}:
            mine = [r for r in reports if r.campaign_id == campaign_id]
            changed(session, campaign_id, {r.unit_id for r in mine}, min(r.period for r in mine))
        session.exec(delete(ReportValue).where(ReportValue.report_id.in_(ids)))
        session.exec(delete(ReportRevision).where(ReportRevision.report_id.in_(ids)))
        session.exec(delete(Report).where(Report.id.in_(ids)))


def carried_reports(session: Session, successor_ids: list[int],
                    campaign_id: int | None = None) -> list[Report]:
    stmt = select(Report).where(Report.unit_id.in_(successor_ids),
                                Report.source == Source.reorganization)
    if campaign_id is not None:
        stmt = stmt.where(Report.campaign_id == campaign_id)
    return list(session.exec(stmt).scalars())


def carry(session: Session, reorg: Reorganization, now: datetime,
          campaign_ids: Iterable[int] | None = None) -> list[tuple[Campaign, Unit, str, dict]]:
    """(Re)writes the successors' carried reports of `reorg` for the campaigns given (default:
    every campaign a predecessor reported in). Returns what was written."""
    from tiendo.reports.service import latest_values

    links = list(session.exec(select(ReorganizationLink).where(
        ReorganizationLink.reorganization_id == reorg.id)).scalars())
    preds = sorted({x.from_unit_id for x in links})
    succs = sorted({x.to_unit_id for x in links})
    if campaign_ids is None:
        campaign_ids = session.exec(select(Report.campaign_id).where(
            Report.unit_id.in_(preds)).distinct()).scalars().all()
    written = []
    for campaign_id in sorted(set(campaign_ids)):
        campaign = session.get(Campaign, campaign_id)
        _delete_reports(session, carried_reports(session, succs, campaign_id))
        cal = Calendar(campaign)
        w0 = last_week_before(campaign, reorg.effective_date)
        if w0 < cal.first or w0 >= cal.last:
            continue  # the successors are never expected in this campaign: nothing to carry
        metrics = list(session.exec(select(Metric).where(
            Metric.campaign_id == campaign_id, Metric.is_baseline.is_(False))).scalars())
        codes = {m.id: m.code for m in metrics}
        figures = {}
        for pred in preds:
            latest = latest_values(session, campaign_id, pred, str(w0), codes, including=True)
            if latest is not None:
                figures[pred] = latest[1]
        for succ_id, values in sorted(share_out(links, figures).items()):
            unit = session.get(Unit, succ_id)
            mine = {m.code: values[m.code] for m in metrics
                    if m.code in values and unit.kind in m.unit_kinds}
            if not mine:
                continue
            report = Report(campaign_id=campaign_id, unit_id=succ_id, period=str(w0),
                            status=ReportStatus.approved, timeliness="on_time",
                            source=Source.reorganization, sender_name=CARRIED_SENDER,
                            note=f"{CARRIED_NOTE} ngày {reorg.effective_date:%d/%m/%Y}",
                            received_at=now, updated_at=now)
            session.add(report)
            session.flush()
            by_code = {m.code: m.id for m in metrics}
            session.add_all(ReportValue(report_id=report.id, metric_id=by_code[c], value=v)
                            for c, v in mine.items())
            written.append((campaign, unit, str(w0), mine))
    session.flush()
    return written


def predecessor_wrote(session: Session, campaign_id: int, unit_id: int, period: str,
                      now: datetime) -> None:
    """A report of a (closed) unit was written or corrected: if the unit is a predecessor of
    an applied reorganisation and the week is one its carried figure reads, recompute."""
    from tiendo.reorg.service import figures_changed

    ids = select(ReorganizationLink.reorganization_id).where(
        ReorganizationLink.from_unit_id == unit_id)
    rows = session.exec(select(Reorganization).where(
        Reorganization.id.in_(ids), Reorganization.status == "applied")).scalars().all()
    for reorg in rows:
        w0 = last_week_before(session.get(Campaign, campaign_id), reorg.effective_date)
        if period <= str(w0):
            written = carry(session, reorg, now, [campaign_id])
            figures_changed(session, [campaign_id], [u.id for _, u, _, _ in written], str(w0))
