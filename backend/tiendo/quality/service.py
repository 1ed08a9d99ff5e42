"""Data-quality rules and settings of a campaign (its managers change them), the flags list and
their review (audited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.config import touch_config
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import ensure_owner, get_campaign, metric_by_code
from tiendo.errors import Invalid, NotFound
from tiendo.quality.models import (
    FlagKind,
    FlagState,
    Measure,
    QualityFlag,
    QualityRule,
    QualitySettings,
    RightSide,
    Severity,
)
from tiendo.quality.scan import scan_week, settings_of
from tiendo.quality.schemas import (
    FlagPublic,
    QualityRuleIn,
    QualityRulePublic,
    QualitySettingsIn,
    QualitySettingsPublic,
    ScanRequest,
    ScanSummary,
)
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


# --- rules -------------------------------------------------------------------------------------
def rule_public(rule: QualityRule, campaign: Campaign) -> QualityRulePublic:
    return QualityRulePublic(
        id=rule.id, campaign=campaign.code, metric=rule.metric, measure=rule.measure, op=rule.op,
        right=rule.right, right_metric=rule.right_metric, factor=rule.factor,
        constant=rule.constant, unit_kinds=rule.unit_kinds, severity=rule.severity,
        message=rule.message, active=rule.active, updated_at=rule.updated_at)


def list_rules(session: Session, principal: Principal, ref: str) -> list[QualityRulePublic]:
    campaign = get_campaign(session, principal, ref)
    rows = session.exec(select(QualityRule).where(QualityRule.campaign_id == campaign.id)
                        .order_by(QualityRule.id)).all()
    return [rule_public(r, campaign) for r in rows]


def _check_rule(session: Session, campaign: Campaign, data: QualityRuleIn) -> None:
    metric = metric_by_code(session, campaign.id, data.metric, "metric")
    if metric.is_baseline:
        raise Invalid(f"'{data.metric}' là số liệu nền, không báo cáo hằng tuần.",
                      field="metric", code="baseline_metric")
    if data.unit_kinds and not set(data.unit_kinds) & set(metric.unit_kinds):
        raise Invalid(f"Không loại đơn vị nào đã chọn báo cáo '{data.metric}'.",
                      field="unit_kinds", code="metric_not_for_unit")
    if data.right == RightSide.metric:
        metric_by_code(session, campaign.id, data.right_metric, "right_metric")


def _rule_in_campaign(session: Session, principal: Principal, ref: str,
                      rule_id: int) -> tuple[QualityRule, Campaign]:
    campaign = get_campaign(session, principal, ref)
    rule = session.get(QualityRule, rule_id)
    if rule is None or rule.campaign_id != campaign.id:
        raise NotFound("Không tìm thấy quy tắc.", code="quality_rule_not_found")
    return rule, campaign


def create_rule(session: Session, principal: Principal, ref: str, data: QualityRuleIn,
                now: datetime) -> QualityRulePublic:
    campaign = get_campaign(session, principal, ref)
    ensure_owner(session, principal, campaign, Action.manage)
    _check_rule(session, campaign, data)
    rule = QualityRule(campaign_id=campaign.id, **data.model_dump(mode="json"),
                       created_at=now, updated_at=now)
    session.add(rule)
    touch_config(session, campaign)  # the write path keeps the rules with the configuration
    session.flush()
    record(session, principal, "quality_rule.create", "quality_rule", rule.id,
           unit_id=campaign.owner_unit_id, detail=data.model_dump(mode="json"), at=now)
    return rule_public(rule, campaign)


def replace_rule(session: Session, principal: Principal, ref: str, rule_id: int,
                 data: QualityRuleIn, now: datetime) -> QualityRulePublic:
    rule, campaign = _rule_in_campaign(session, principal, ref, rule_id)
    ensure_owner(session, principal, campaign, Action.manage)
    _check_rule(session, campaign, data)
    for key, value in data.model_dump(mode="json").items():
        setattr(rule, key, value)
    rule.updated_at = now
    session.add(rule)
    touch_config(session, campaign)
    record(session, principal, "quality_rule.update", "quality_rule", rule.id,
           unit_id=campaign.owner_unit_id, detail=data.model_dump(mode="json"), at=now)
    return rule_public(rule, campaign)


def delete_rule(session: Session, principal: Principal, ref: str, rule_id: int,
                now: datetime) -> None:
    rule, campaign = _rule_in_campaign(session, principal, ref, rule_id)
    ensure_owner(session, principal, campaign, Action.manage)
    record(session, principal, "quality_rule.delete", "quality_rule", rule.id,
           unit_id=campaign.owner_unit_id, detail={"message": rule.message}, at=now)
    session.delete(rule)
    touch_config(session, campaign)


def default_rules() -> list[QualityRuleIn]:
    """The three rules of issue #18, as warnings (what the demo campaigns start with)."""
    return [
        QualityRuleIn(metric="residents_accounts", op="le", right="metric",
                      right_metric="residents_total", factor=1.05, unit_kinds=["commune"],
                      message="Số tài khoản vượt quá 105% dân số trên địa bàn."),
        QualityRuleIn(metric="staff_total", measure=Measure.change_pct, op="le",
                      right="constant", constant=10,
                      message="Tổng số CBCCVC, NLĐ thay đổi quá ±10% so với tuần trước."),
        QualityRuleIn(metric="broadcasts", measure=Measure.change, op="ge", right="constant",
                      constant=1, unit_kinds=["commune"], severity=Severity.warning,
                      message="Xã chưa phát thanh tuyên truyền lần nào trong tuần."),
    ]


# --- settings ----------------------------------------------------------------------------------
def read_settings(session: Session, principal: Principal, ref: str) -> QualitySettingsPublic:
    campaign = get_campaign(session, principal, ref)
    return QualitySettingsPublic(campaign=campaign.code,
                                 **settings_of(session, campaign.id).model_dump())


def write_settings(session: Session, principal: Principal, ref: str, data: QualitySettingsIn,
                   now: datetime) -> QualitySettingsPublic:
    campaign = get_campaign(session, principal, ref)
    ensure_owner(session, principal, campaign, Action.manage)
    row = session.get(QualitySettings, campaign.id) or QualitySettings(campaign_id=campaign.id)
    row.settings, row.updated_at = data.model_dump(mode="json"), now
    session.add(row)
    record(session, principal, "quality_settings.update", "campaign", campaign.id,
           unit_id=campaign.owner_unit_id, detail=row.settings, at=now)
    return QualitySettingsPublic(campaign=campaign.code, **data.model_dump())


# --- flags -------------------------------------------------------------------------------------
def scan(session: Session, principal: Principal, data: ScanRequest,
         now: datetime) -> ScanSummary:
    """Checks a week of the campaign (all of it: peers are compared across the campaign) and
    answers the counts of the caller's own subtree."""
    campaign = get_campaign(session, principal, data.campaign)
    ensure_owner(session, principal, campaign, Action.manage)
    week = Calendar(campaign).week(data.period, now)
    out = scan_week(session, campaign, week, now)
    open_count = session.exec(
        select(func.count()).select_from(QualityFlag).join(Unit, Unit.id == QualityFlag.unit_id)
        .where(QualityFlag.campaign_id == campaign.id, QualityFlag.period == str(week),
               QualityFlag.state == FlagState.open, principal.subtree_filter(Unit.path))).one()
    return ScanSummary(campaign=campaign.code, period=str(week), raised=out.raised,
                       changed=out.changed, cleared=out.cleared, open=open_count)


def flag_public(flag: QualityFlag, unit: Unit, campaign_code: str) -> FlagPublic:
    return FlagPublic(
        id=flag.id, campaign=campaign_code, unit_id=unit.id, unit=unit.code, unit_name=unit.name,
        unit_kind=unit.kind, period=flag.period, kind=flag.kind, key=flag.key,
        severity=flag.severity, message=flag.message, figures=flag.figures, state=flag.state,
        reviewed_by_name=flag.reviewed_by_name, reviewed_at=flag.reviewed_at, note=flag.note,
        created_at=flag.created_at, updated_at=flag.updated_at)


def list_flags(session: Session, principal: Principal, *, campaign: str | None,
               period: str | None, under: str | None, unit: str | None,
               state: FlagState | None, kind: FlagKind | None, limit: int,
               offset: int) -> tuple[list[FlagPublic], int]:
    """Blocking first, then by week (newest first) and place in the tree."""
    stmt = (select(QualityFlag, Unit, Campaign.code).join(Unit, Unit.id == QualityFlag.unit_id)
            .join(Campaign, Campaign.id == QualityFlag.campaign_id)
            .where(principal.subtree_filter(Unit.path)))
    if campaign is not None:
        stmt = stmt.where(QualityFlag.campaign_id == get_campaign(session, principal,
                                                                  campaign).id)
    if period is not None:
        stmt = stmt.where(QualityFlag.period == period)
    if under is not None:
        root = get_unit(session, principal, under, field="under")
        stmt = stmt.where(Unit.path.startswith(root.path, autoescape=True))
    if unit is not None:
        stmt = stmt.where(QualityFlag.unit_id == get_unit(session, principal, unit,
                                                          field="unit").id)
    if state is not None:
        stmt = stmt.where(QualityFlag.state == state)
    if kind is not None:
        stmt = stmt.where(QualityFlag.kind == kind)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(QualityFlag.severity, QualityFlag.period.desc(), Unit.path,
                                      QualityFlag.id).limit(limit).offset(offset)).all()
    return [flag_public(f, u, code) for f, u, code in rows], total


def review_flag(session: Session, principal: Principal, flag_id: int, note: str,
                now: datetime) -> FlagPublic:
    row = session.exec(select(QualityFlag, Unit, Campaign.code)
                       .join(Unit, Unit.id == QualityFlag.unit_id)
                       .join(Campaign, Campaign.id == QualityFlag.campaign_id)
                       .where(QualityFlag.id == flag_id)).first()
    if row is None:
        raise NotFound("Không tìm thấy cờ dữ liệu.", code="flag_not_found")
    flag, unit, code = row
    principal.ensure(Action.manage, unit.path, "cờ dữ liệu", code="flag_not_found")
    flag.state, flag.note = FlagState.reviewed, note
    flag.reviewed_by_user_id, flag.reviewed_by_name, flag.reviewed_at = (
        principal.user_id, principal.name, now)
    flag.updated_at = now
    session.add(flag)
    record(session, principal, "quality.review", "quality_flag", flag.id, unit_id=unit.id,
           detail={"period": flag.period, "kind": flag.kind, "key": flag.key, "note": note,
                   "figures": flag.figures}, at=now)
    return flag_public(flag, unit, code)
