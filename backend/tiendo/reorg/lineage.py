"""A successor's line before it existed: for the weeks up to W0 (the predecessors' last), its
predecessors' figures shared out exactly as the carried report shares them (same engine seek,
`latest_values` → `report_at`; same rounding, `carry.share_out`), so that a chart of the new
commune is one continuous line across the change."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.core.periods import Week
from tiendo.reorg.carry import last_week_before, share_out
from tiendo.reorg.models import Reorganization, ReorganizationLink
from tiendo.units.models import Unit


def predecessor_links(session: Session, unit: Unit
                      ) -> tuple[Reorganization | None, list[ReorganizationLink]]:
    """The applied reorganisation that formed `unit`, with every link of its predecessors
    (their shares to the other successors too: the rounding shares them out together)."""
    row = session.exec(select(ReorganizationLink).join(
        Reorganization, Reorganization.id == ReorganizationLink.reorganization_id)
        .where(ReorganizationLink.to_unit_id == unit.id, Reorganization.status == "applied")
        .limit(1)).scalars().first()
    if row is None:
        return None, []
    reorg = session.get(Reorganization, row.reorganization_id)
    preds = select(ReorganizationLink.from_unit_id).where(
        ReorganizationLink.reorganization_id == reorg.id, ReorganizationLink.to_unit_id == unit.id)
    links = session.exec(select(ReorganizationLink).where(
        ReorganizationLink.reorganization_id == reorg.id,
        ReorganizationLink.from_unit_id.in_(preds))).scalars().all()
    return reorg, list(links)


def lineage_totals(session: Session, campaign: Campaign, targets: list[Target], unit: Unit,
                   weeks: list[Week]) -> dict[int, list[tuple[str, int, int]]]:
    """Per target counting `unit` (by kind), (week, numerator, denominator) for the weeks up
    to W0, from the predecessors' own figures by shares."""
    from tiendo.reports.service import latest_values

    reorg, links = predecessor_links(session, unit)
    mine = [t for t in targets if t.unit_id is None and unit.kind in t.unit_kinds]
    out: dict[int, list[tuple[str, int, int]]] = {t.id: [] for t in targets}
    if reorg is None or not mine:
        return out
    w0 = str(last_week_before(campaign, reorg.effective_date))
    metrics = {m.id: m for m in session.exec(select(Metric).where(
        Metric.campaign_id == campaign.id)).scalars()}
    codes = {i: m.code for i, m in metrics.items()}
    preds = sorted({x.from_unit_id for x in links})
    baselines = {(b.unit_id, codes[b.metric_id]): b.value for b in session.exec(
        select(Baseline).where(Baseline.campaign_id == campaign.id,
                               Baseline.unit_id.in_(preds))).scalars()}
    for week in (w for w in weeks if str(w) <= w0):
        figures: dict[int, dict[str, int]] = {}
        for p in preds:
            latest = latest_values(session, campaign.id, p, str(week), codes, including=True)
            values = dict(latest[1]) if latest else {}
            for (u, code), value in baselines.items():
                if u == p:
                    values.setdefault(code, value)
            figures[p] = values
        shared = share_out(links, figures).get(unit.id, {})
        for t in mine:
            out[t.id].append((str(week), shared.get(codes[t.numerator_metric_id], 0),
                              shared.get(codes[t.denominator_metric_id], 0)))
    return out
