"""Official counts: figures from an outside source (HANOI EIC…) for a unit at a minute.

One row per source × unit × metric × observed minute: sending the same figure again changes
nothing, sending a different value for the same key corrects it (audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign, Metric
from tiendo.campaigns.service import get_campaign, metric_by_code, owner_path
from tiendo.errors import Invalid, NotFound
from tiendo.official.models import OfficialCount
from tiendo.official.schemas import OfficialCountCreate, OfficialCountPublic
from tiendo.units.models import Unit
from tiendo.units.service import get_unit

CLOCK_SKEW = timedelta(minutes=5)


class Outcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


def check_metric(session: Session, campaign: Campaign | None, metric: str, field: str) -> None:
    if campaign is not None:
        metric_by_code(session, campaign.id, metric, field)
    elif session.exec(select(Metric.id).where(Metric.code == metric).limit(1)).first() is None:
        raise Invalid(f"Không chiến dịch nào có chỉ số '{metric}'.", field=field,
                      code="unknown_metric")


def campaign_for(session: Session, ref: str | None, unit: Unit, field: str) -> Campaign | None:
    """The campaign a count is recorded for: it must cover the unit (else it does not exist)."""
    if ref is None:
        return None
    campaign = get_campaign(session, None, ref, field=field)
    if not unit.path.startswith(owner_path(session, campaign)):
        raise NotFound("Không tìm thấy chiến dịch.", field=field, code="campaign_not_found")
    return campaign


def upsert(session: Session, actor: Principal | None, *, unit: Unit, campaign: Campaign | None,
           metric: str, source: str, value: int, observed_at: datetime, now: datetime,
           actor_name: str | None = None) -> tuple[OfficialCount, Outcome]:
    """Records one figure (validated by the caller); the minute is its identity."""
    observed_at = observed_at.astimezone(UTC).replace(second=0, microsecond=0)
    if observed_at > now + CLOCK_SKEW:
        raise Invalid("Thời điểm số liệu ở tương lai.", field="observed_at",
                      code="observed_in_future")
    key = and_(OfficialCount.source == source, OfficialCount.unit_id == unit.id,
               OfficialCount.metric == metric, OfficialCount.observed_at == observed_at)
    row = session.exec(select(OfficialCount).where(key)).first()
    campaign_id = campaign.id if campaign else None
    name = actor_name or (actor.name if actor else "system")
    if row is None:
        row = OfficialCount(campaign_id=campaign_id, unit_id=unit.id, metric=metric,
                            source=source, value=value, observed_at=observed_at,
                            recorded_at=now, recorded_by_name=name)
        session.add(row)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # the same figure arrived at the same moment: keep the first
            return session.exec(select(OfficialCount).where(key)).one(), Outcome.unchanged
        outcome, before = Outcome.created, None
    elif row.value == value and row.campaign_id == campaign_id:
        return row, Outcome.unchanged
    else:
        outcome, before = Outcome.updated, row.value
        row.value, row.campaign_id, row.recorded_at, row.recorded_by_name = (
            value, campaign_id, now, name)
        session.add(row)
    record(session, actor, f"official.{outcome}", "official_count", row.id, unit_id=unit.id,
           detail={"source": source, "metric": metric, "observed_at": observed_at.isoformat(),
                   "before": before, "after": value}, at=now, actor_name=actor_name)
    return row, outcome


def record_count(session: Session, principal: Principal, data: OfficialCountCreate,
                 now: datetime) -> tuple[OfficialCountPublic, Outcome]:
    unit = get_unit(session, principal, data.unit, Action.official_write, field="unit")
    campaign = campaign_for(session, data.campaign, unit, "campaign")
    check_metric(session, campaign, data.metric, "metric")
    row, outcome = upsert(session, principal, unit=unit, campaign=campaign, metric=data.metric,
                          source=data.source, value=data.value, observed_at=data.observed_at,
                          now=now)
    return to_public(row, unit, campaign.code if campaign else None), outcome


def to_public(row: OfficialCount, unit: Unit, campaign: str | None) -> OfficialCountPublic:
    return OfficialCountPublic(
        id=row.id, campaign=campaign, unit_id=unit.id, unit=unit.code, unit_name=unit.name,
        metric=row.metric, source=row.source, value=row.value, observed_at=row.observed_at,
        recorded_at=row.recorded_at, recorded_by_name=row.recorded_by_name)


def list_counts(session: Session, principal: Principal, *, campaign: str | None,
                unit: str | None, under: str | None, limit: int,
                offset: int) -> tuple[list[OfficialCountPublic], int]:
    """Newest first. With a campaign: its own counts and those recorded for no campaign whose
    metric the campaign has."""
    stmt = (select(OfficialCount, Unit, Campaign.code)
            .join(Unit, Unit.id == OfficialCount.unit_id)
            .outerjoin(Campaign, Campaign.id == OfficialCount.campaign_id)
            .where(principal.subtree_filter(Unit.path, Action.read)))
    if campaign is not None:
        c = get_campaign(session, principal, campaign)
        codes = select(Metric.code).where(Metric.campaign_id == c.id)
        stmt = stmt.where(or_(OfficialCount.campaign_id == c.id,
                              and_(OfficialCount.campaign_id.is_(None),
                                   OfficialCount.metric.in_(codes))))
    if unit is not None:
        stmt = stmt.where(OfficialCount.unit_id == get_unit(session, principal, unit,
                                                            field="unit").id)
    if under is not None:
        root = get_unit(session, principal, under, field="under")
        stmt = stmt.where(Unit.path.startswith(root.path, autoescape=True))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(OfficialCount.observed_at.desc(), OfficialCount.id.desc())
                        .limit(limit).offset(offset)).all()
    return [to_public(row, u, code) for row, u, code in rows], total
