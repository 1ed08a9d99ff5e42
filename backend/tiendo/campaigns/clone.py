"""The next campaign from an earlier one, in one transaction: its settings, metrics and
targets (deadlines moved with the start date) and, if asked, its baselines."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.config import touch_config
from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.campaigns.schemas import CampaignClone
from tiendo.campaigns.service import get_campaign, metrics_of, owner_path, targets_of
from tiendo.errors import Conflict
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


def clone_campaign(session: Session, principal: Principal, ref: str, data: CampaignClone,
                   now: datetime) -> Campaign:
    source = get_campaign(session, principal, ref)
    # The same rule as creating one: a manager of the new owner (by default the old one).
    if data.owner is not None:
        owner = get_unit(session, principal, data.owner, Action.manage, field="owner")
    else:
        owner = session.get(Unit, source.owner_unit_id)
        principal.ensure(Action.manage, owner_path(session, source), "chiến dịch",
                         code="campaign_not_found")
    if session.exec(select(Campaign.id).where(Campaign.code == data.code)).first():
        raise Conflict(f"Mã chiến dịch '{data.code}' đã tồn tại.", field="code",
                       code="campaign_exists")
    shift = data.start_date - source.start_date
    clone = Campaign(
        code=data.code, name=data.name, description=source.description, owner_unit_id=owner.id,
        timezone=source.timezone, due_weekday=source.due_weekday, due_time=source.due_time,
        start_date=data.start_date, end_date=data.end_date or source.end_date + shift,
        lock_after_days=source.lock_after_days, public_leaderboard=False, is_demo=False,
        report_settings=dict(source.report_settings or {}), created_at=now)
    session.add(clone)
    session.flush()
    metric_ids: dict[int, int] = {}
    for m in metrics_of(session, source.id):
        copy = Metric(campaign_id=clone.id, code=m.code, name=m.name,
                      unit_kinds=list(m.unit_kinds), is_baseline=m.is_baseline,
                      position=m.position)
        session.add(copy)
        session.flush()
        metric_ids[m.id] = copy.id
    targets = targets_of(session, source.id)
    for t in targets:
        session.add(Target(
            campaign_id=clone.id, code=t.code, name=t.name,
            numerator_metric_id=metric_ids[t.numerator_metric_id],
            denominator_metric_id=metric_ids[t.denominator_metric_id], goal_ratio=t.goal_ratio,
            deadline=t.deadline + shift,
            upstream_deadline=t.upstream_deadline + shift if t.upstream_deadline else None,
            unit_kinds=list(t.unit_kinds), unit_id=t.unit_id, created_at=now))
    baselines = 0
    if data.copy_baselines:
        rows = session.exec(select(Baseline.metric_id, Baseline.unit_id, Baseline.value,
                                   Baseline.note).where(Baseline.campaign_id == source.id)).all()
        if rows:
            session.exec(insert(Baseline), params=[
                {"campaign_id": clone.id, "metric_id": metric_ids[m], "unit_id": u,
                 "value": v, "note": n, "updated_at": now} for m, u, v, n in rows])
        baselines = len(rows)
    touch_config(session, clone)
    session.flush()
    record(session, principal, "campaign.clone", "campaign", clone.id, unit_id=owner.id,
           detail={"code": clone.code, "from": source.code, "shift_days": shift // timedelta(days=1),
                   "targets": len(targets), "baselines": baselines}, at=now)
    return clone
