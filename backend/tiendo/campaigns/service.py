"""Campaigns, their metrics, targets and per-unit baselines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.config import touch_config, visible
from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.campaigns.schemas import (
    BaselinePublic,
    BaselineSet,
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
    MetricIn,
    MetricPublic,
    MetricUpdate,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
)
from tiendo.errors import Conflict, Forbidden, Invalid, NotFound
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


# --- campaigns -------------------------------------------------------------------------------
def ensure_owner(session: Session, principal: Principal, campaign: Campaign, action: Action,
                 what: str = "chiến dịch") -> None:
    """Changing a campaign (or its targets) needs `action` on its owner. The caller already
    sees it, so refusal is 403, not 404."""
    if not principal.can(action, owner_path(session, campaign)):
        raise Forbidden(f"Bạn không có quyền sửa {what} này.")


def get_campaign(session: Session, principal: Principal | None, ref: str | int,
                 field: str | None = "campaign", action: Action = Action.read) -> Campaign:
    by = Campaign.id == int(ref) if isinstance(ref, int) or ref.isdigit() else Campaign.code == ref
    row = session.exec(select(Campaign, Unit.path)
                       .join(Unit, Unit.id == Campaign.owner_unit_id).where(by)).first()
    campaign = row[0] if row else None
    if campaign is not None and principal is not None and not visible(principal, row[1], action):
        campaign = None
    if campaign is None:
        raise NotFound("Không tìm thấy chiến dịch.", field=field, code="campaign_not_found")
    return campaign


def owner_path(session: Session, campaign: Campaign) -> str:
    return session.get(Unit, campaign.owner_unit_id).path


def metrics_of(session: Session, campaign_id: int) -> list[Metric]:
    return list(session.exec(
        select(Metric).where(Metric.campaign_id == campaign_id).order_by(Metric.position, Metric.id)
    ).all())


def campaign_public(session: Session, campaign: Campaign) -> CampaignPublic:
    out = CampaignPublic.model_validate(campaign)
    out.metrics = [MetricPublic.model_validate(m) for m in metrics_of(session, campaign.id)]
    return out


def list_campaigns(session: Session, principal: Principal,
                   action: Action = Action.read) -> list[Campaign]:
    rows = session.exec(select(Campaign, Unit.path).join(Unit, Unit.id == Campaign.owner_unit_id)
                        .order_by(Campaign.start_date.desc(), Campaign.id)).all()
    return [c for c, path in rows if visible(principal, path, action)]


def _add_metrics(session: Session, campaign: Campaign, metrics: list[MetricIn]) -> None:
    existing = {m.code for m in metrics_of(session, campaign.id)}
    for position, m in enumerate(metrics, start=len(existing)):
        if m.code in existing:
            raise Conflict(f"Chỉ số '{m.code}' đã có.", field="metrics", code="metric_exists")
        existing.add(m.code)
        session.add(Metric(campaign_id=campaign.id, code=m.code, name=m.name,
                           unit_kinds=[str(k) for k in m.unit_kinds], is_baseline=m.is_baseline,
                           position=position))
    touch_config(session, campaign)


def insert_campaign(session: Session, data: CampaignCreate, owner: Unit,
                    is_demo: bool = False) -> Campaign:
    if session.exec(select(Campaign).where(Campaign.code == data.code)).first():
        raise Conflict(f"Mã chiến dịch '{data.code}' đã tồn tại.", field="code",
                       code="campaign_exists")
    fields = data.model_dump(exclude={"code", "owner", "metrics"})
    campaign = Campaign(code=data.code, owner_unit_id=owner.id, is_demo=is_demo, **fields)
    session.add(campaign)
    session.flush()
    _add_metrics(session, campaign, data.metrics)
    session.flush()
    return campaign


def create_campaign(session: Session, principal: Principal, data: CampaignCreate,
                    now: datetime) -> Campaign:
    # A manager runs campaigns for the units they manage (the district office starts the
    # next one); publishing a leaderboard stays an admin's decision.
    owner = get_unit(session, principal, data.owner, Action.manage, field="owner")
    if data.public_leaderboard and not principal.can(Action.admin, owner.path):
        raise Forbidden("Chỉ quản trị viên mới công khai được bảng xếp hạng.",
                        field="public_leaderboard")
    campaign = insert_campaign(session, data, owner)
    record(session, principal, "campaign.create", "campaign", campaign.id, unit_id=owner.id,
           detail={"code": data.code}, at=now)
    return campaign


def update_campaign(session: Session, principal: Principal, ref: str, data: CampaignUpdate,
                    now: datetime) -> Campaign:
    campaign = get_campaign(session, principal, ref)
    # Managers of the owner edit its settings (dates, deadline, locking, report heading);
    # making the leaderboard public is a disclosure decision and stays with admins.
    ensure_owner(session, principal, campaign, Action.manage)
    changes = data.model_dump(exclude_unset=True)
    if "public_leaderboard" in changes:
        ensure_owner(session, principal, campaign, Action.admin)
    if "report_settings" in changes and changes["report_settings"] is None:
        raise Invalid("Thiếu thông tin báo cáo.", field="report_settings")
    start = changes.get("start_date", campaign.start_date)
    end = changes.get("end_date", campaign.end_date)
    if end < start:
        raise Invalid("Ngày kết thúc trước ngày bắt đầu.", field="end_date")
    for key, value in changes.items():
        setattr(campaign, key, value)
    touch_config(session, campaign)
    record(session, principal, "campaign.update", "campaign", campaign.id,
           unit_id=campaign.owner_unit_id, detail=data.model_dump(mode="json", exclude_unset=True),
           at=now)
    return campaign


def add_metric(session: Session, principal: Principal, ref: str, data: MetricIn,
               now: datetime) -> Metric:
    campaign = get_campaign(session, principal, ref)
    ensure_owner(session, principal, campaign, Action.admin)
    _add_metrics(session, campaign, [data])
    session.flush()
    record(session, principal, "metric.create", "campaign", campaign.id,
           unit_id=campaign.owner_unit_id, detail=data.model_dump(mode="json"), at=now)
    return session.exec(select(Metric).where(Metric.campaign_id == campaign.id,
                                             Metric.code == data.code)).one()


def update_metric(session: Session, principal: Principal, ref: str, code: str,
                  data: MetricUpdate, now: datetime) -> Metric:
    campaign = get_campaign(session, principal, ref)
    ensure_owner(session, principal, campaign, Action.admin)
    metric = metric_by_code(session, campaign.id, code, field="metric")
    changes = data.model_dump(exclude_unset=True, mode="json")
    for key, value in changes.items():
        setattr(metric, key, value)
    session.add(metric)
    touch_config(session, campaign)
    record(session, principal, "metric.update", "campaign", campaign.id,
           unit_id=campaign.owner_unit_id, detail={"metric": code, **changes}, at=now)
    return metric


def metric_by_code(session: Session, campaign_id: int, code: str, field: str) -> Metric:
    metric = session.exec(select(Metric).where(Metric.campaign_id == campaign_id,
                                               Metric.code == code)).first()
    if metric is None:
        raise Invalid(f"Chiến dịch không có chỉ số '{code}'.", field=field, code="unknown_metric")
    return metric


# --- targets ---------------------------------------------------------------------------------
def target_public(session: Session, target: Target) -> TargetPublic:
    metrics = {m.id: m.code for m in metrics_of(session, target.campaign_id)}
    campaign = session.get(Campaign, target.campaign_id)
    return TargetPublic(
        id=target.id, campaign_id=target.campaign_id, campaign=campaign.code, code=target.code,
        name=target.name, numerator=metrics[target.numerator_metric_id],
        denominator=metrics[target.denominator_metric_id], goal_ratio=target.goal_ratio,
        deadline=target.deadline, upstream_deadline=target.upstream_deadline,
        unit_kinds=target.unit_kinds, unit_id=target.unit_id,
    )


def targets_of(session: Session, campaign_id: int) -> list[Target]:
    return list(session.exec(select(Target).where(Target.campaign_id == campaign_id)
                             .order_by(Target.deadline, Target.id)).all())


def list_targets(session: Session, principal: Principal, campaign: str | None) -> list[Target]:
    campaigns = ([get_campaign(session, principal, campaign)] if campaign
                 else list_campaigns(session, principal))
    out: list[Target] = []
    for c in campaigns:
        out.extend(t for t in targets_of(session, c.id) if _target_visible(session, principal, t))
    return out


def _target_visible(session: Session, principal: Principal, target: Target) -> bool:
    """A target set for one unit belongs to that unit's subtree; one by kinds to the campaign."""
    return target.unit_id is None or principal.can(Action.read,
                                                   session.get(Unit, target.unit_id).path)


def get_target(session: Session, principal: Principal, target_id: int) -> Target:
    target = session.get(Target, target_id)
    if target is not None:
        try:
            get_campaign(session, principal, target.campaign_id)
        except NotFound:
            target = None
        if target is not None and not _target_visible(session, principal, target):
            target = None
    if target is None:
        raise NotFound("Không tìm thấy chỉ tiêu.", code="target_not_found")
    return target


def _check_deadlines(deadline, upstream) -> None:  # noqa: ANN001
    if upstream is not None and upstream < deadline:
        raise Invalid("Hạn cấp trên không thể sớm hơn hạn của đơn vị.", field="upstream_deadline")


def insert_target(session: Session, campaign: Campaign, data: TargetCreate,
                  unit: Unit | None) -> Target:
    if session.exec(select(Target).where(Target.campaign_id == campaign.id,
                                         Target.code == data.code)).first():
        raise Conflict(f"Chỉ tiêu '{data.code}' đã có.", field="code", code="target_exists")
    _check_deadlines(data.deadline, data.upstream_deadline)
    num = metric_by_code(session, campaign.id, data.numerator, "numerator")
    den = metric_by_code(session, campaign.id, data.denominator, "denominator")
    if num.is_baseline:
        raise Invalid("Tử số phải là chỉ số báo cáo hằng tuần.", field="numerator")
    target = Target(campaign_id=campaign.id, code=data.code, name=data.name,
                    numerator_metric_id=num.id, denominator_metric_id=den.id,
                    goal_ratio=data.goal_ratio, deadline=data.deadline,
                    upstream_deadline=data.upstream_deadline,
                    unit_kinds=[str(k) for k in data.unit_kinds],
                    unit_id=unit.id if unit else None)
    session.add(target)
    touch_config(session, campaign)
    session.flush()
    return target


def create_target(session: Session, principal: Principal, data: TargetCreate,
                  now: datetime) -> Target:
    campaign = get_campaign(session, principal, data.campaign)
    ensure_owner(session, principal, campaign, Action.manage)
    unit = get_unit(session, principal, data.unit, Action.manage, "unit") if data.unit else None
    target = insert_target(session, campaign, data, unit)
    record(session, principal, "target.create", "target", target.id,
           unit_id=campaign.owner_unit_id, detail=data.model_dump(mode="json"), at=now)
    return target


def update_target(session: Session, principal: Principal, target_id: int, data: TargetUpdate,
                  now: datetime) -> Target:
    target = get_target(session, principal, target_id)
    campaign = session.get(Campaign, target.campaign_id)
    ensure_owner(session, principal, campaign, Action.manage, "chỉ tiêu")
    changes = data.model_dump(exclude_unset=True, mode="json")
    if "unit_kinds" in changes and not changes["unit_kinds"] and target.unit_id is None:
        raise Invalid("Chỉ tiêu cần áp dụng cho ít nhất một loại đơn vị.", field="unit_kinds")
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(target, key, [str(k) for k in value] if key == "unit_kinds" else value)
    _check_deadlines(target.deadline, target.upstream_deadline)
    session.add(target)
    touch_config(session, campaign)
    record(session, principal, "target.update", "target", target.id,
           unit_id=campaign.owner_unit_id, detail=changes, at=now)
    return target


def delete_target(session: Session, principal: Principal, target_id: int, now: datetime) -> None:
    target = get_target(session, principal, target_id)
    campaign = session.get(Campaign, target.campaign_id)
    ensure_owner(session, principal, campaign, Action.manage, "chỉ tiêu")
    record(session, principal, "target.delete", "target", target.id,
           unit_id=campaign.owner_unit_id, detail={"code": target.code}, at=now)
    session.delete(target)
    touch_config(session, campaign)


# --- baselines -------------------------------------------------------------------------------
def set_baseline(session: Session, principal: Principal, data: BaselineSet,
                 now: datetime) -> BaselinePublic:
    campaign = get_campaign(session, principal, data.campaign)
    unit = get_unit(session, principal, data.unit, Action.manage, field="unit")
    metric = metric_by_code(session, campaign.id, data.metric, "metric")
    if not metric.is_baseline:
        raise Invalid(f"'{metric.code}' được báo cáo hằng tuần, không phải số liệu nền.",
                      field="metric", code="not_a_baseline")
    if unit.kind not in metric.unit_kinds:
        raise Invalid(f"Đơn vị loại '{unit.kind}' không có chỉ số '{metric.code}'.",
                      field="metric", code="metric_not_for_unit")
    row = session.exec(select(Baseline).where(Baseline.metric_id == metric.id,
                                              Baseline.unit_id == unit.id)).first()
    before = row.value if row else None
    if row is None:
        row = Baseline(campaign_id=campaign.id, metric_id=metric.id, unit_id=unit.id,
                       value=data.value)
    row.value, row.note, row.updated_at = data.value, data.note, now
    session.add(row)
    record(session, principal, "baseline.set", "baseline", f"{metric.code}@{unit.code}",
           unit_id=unit.id, detail={"before": before, "after": data.value}, at=now)
    return BaselinePublic(campaign=campaign.code, unit_id=unit.id, unit=unit.code,
                          metric=metric.code, value=row.value, note=row.note,
                          updated_at=row.updated_at)


def list_baselines(session: Session, principal: Principal, campaign_ref: str,
                   under: str | None, limit: int, offset: int) -> tuple[list[BaselinePublic], int]:
    campaign = get_campaign(session, principal, campaign_ref)
    stmt = (select(Baseline, Unit, Metric).join(Unit, Unit.id == Baseline.unit_id)
            .join(Metric, Metric.id == Baseline.metric_id)
            .where(Baseline.campaign_id == campaign.id, principal.subtree_filter(Unit.path)))
    if under:
        path = get_unit(session, principal, under, field="under").path
        stmt = stmt.where(Unit.path.startswith(path))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(Unit.path, Metric.code).limit(limit).offset(offset)).all()
    return [BaselinePublic(campaign=campaign.code, unit_id=u.id, unit=u.code, metric=m.code,
                           value=b.value, note=b.note, updated_at=b.updated_at)
            for b, u, m in rows], total
