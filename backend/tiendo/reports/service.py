"""Weekly reports: one per campaign × unit × ISO week, versioned, every revision kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Row, bindparam, delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from tiendo.audit.service import event_row, record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign, Metric
from tiendo.campaigns.service import get_campaign
from tiendo.core.periods import Week
from tiendo.cycle.locks import ensure_unlocked
from tiendo.db import among
from tiendo.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired
from tiendo.figures.cache import changed
from tiendo.figures.sql import report_at, report_before
from tiendo.quality.flags import record_findings
from tiendo.quality.schemas import ReportCheck
from tiendo.reorg.carry import predecessor_wrote
from tiendo.reports.counting import kept_report_count, root_of_scope
from tiendo.reports.models import (
    Report,
    ReportRevision,
    ReportStatus,
    ReportValue,
    Source,
    Timeliness,
)
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import ReportCreate, ReportPublic, ReportReplace, RevisionPublic
from tiendo.reports.store import store_new_report
from tiendo.units.models import Unit
from tiendo.units.service import get_unit, get_unit_row
from tiendo.units.subtrees import in_subtree, tree_order


def _latest_report(strictly_before: bool):  # noqa: ANN202
    """The period and values of a unit's latest report before (or at) a week: one index seek.
    Core, built once: it runs for every report written."""
    r, v = Report.__table__.c, ReportValue.__table__.c
    seek = report_before if strictly_before else report_at
    latest = seek(Report.__table__, bindparam("campaign"), bindparam("unit"), bindparam("period"))
    return (sa_select(r.period, v.metric_id, v.value)
            .select_from(Report.__table__.outerjoin(ReportValue.__table__, v.report_id == r.id))
            .where(r.id == latest))


_LATEST_BEFORE = _latest_report(strictly_before=True)
_LATEST_AT_OR_BEFORE = _latest_report(strictly_before=False)


def latest_values(session: Session, campaign_id: int, unit_id: int, period: str,
                  codes: Mapping[int, str], *, including: bool = False,
                  ) -> tuple[str, dict[str, int]] | None:
    """(period, values) of the unit's latest report before `period`, or at it when `including`
    (counts are cumulative, so a decrease against it needs a note)."""
    rows = session.connection().execute(
        _LATEST_AT_OR_BEFORE if including else _LATEST_BEFORE,
        {"campaign": campaign_id, "unit": unit_id, "period": period}).all()
    if not rows:
        return None
    return rows[0].period, {codes[m]: v for _, m, v in rows if m is not None}


def previous_values(session: Session, campaign_id: int, unit_id: int, period: str,
                    codes: Mapping[int, str]) -> dict[str, int] | None:
    """The values of the unit's latest report before `period`."""
    latest = latest_values(session, campaign_id, unit_id, period, codes)
    return latest[1] if latest else None


def values_of(session: Session, report_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each report's values by metric code (a page of reports, or thousands in a bulk post)."""
    out: dict[int, dict[str, int]] = {rid: {} for rid in report_ids}
    if not report_ids:
        return out
    rows = session.exec(
        select(ReportValue.report_id, Metric.code, ReportValue.value)
        .join(Metric, Metric.id == ReportValue.metric_id)
        .where(among(session.connection(), ReportValue.report_id, report_ids))
    ).all()
    for rid, code, value in rows:
        out[rid][code] = value
    return out


def ensure_writable(session: Session, report: Report, now: datetime) -> None:
    """A report can change until its week is locked or it is approved."""
    ensure_unlocked(session, session.get(Campaign, report.campaign_id),
                    session.get(Unit, report.unit_id), report.period, now)
    if report.status == ReportStatus.approved:
        raise Conflict("Báo cáo đã được duyệt, không thể sửa.", code="report_approved")


def source_for(principal: Principal) -> Source:
    return Source.api if principal.is_token else Source.web


def _write_values(session: Session, report_id: int, rules: CampaignRules,
                  values: Mapping[str, int]) -> None:
    session.exec(delete(ReportValue).where(ReportValue.report_id == report_id))
    session.exec(insert(ReportValue), params=[
        {"report_id": report_id, "metric_id": rules.metrics[c].id, "value": v}
        for c, v in values.items()
    ])


_INSERT_REVISION = ReportRevision.__table__.insert()


def superseded(report: Report | Row, values: Mapping[str, int]) -> dict:
    """The revision row keeping a report's version as it is now, before a correction replaces
    it (`report` holds the report's columns as they were read)."""
    return {"report_id": report.id, "version": report.version, "values": dict(values),
            "note": report.note, "source": report.source,
            "changed_by_name": report.sender_name, "changed_by_user_id": report.sender_user_id,
            "changed_by_token_id": report.sender_token_id, "changed_at": report.updated_at}


def insert_report(session: Session, principal: Principal, rules: CampaignRules, unit: Unit,
                  week: Week, values: Mapping[str, int], note: str, source: str,
                  now: datetime) -> ReportPublic:
    """Validated input in; the report, its values and its first revision stored (Core
    inserts: this is the path every weekly report takes); the report as answered out. No
    revision row: the first version is the report itself until a correction replaces it."""
    campaign, due = rules.campaign, rules.calendar.due(week)
    row = {"campaign_id": campaign.id, "unit_id": unit.id, "period": str(week),
           "status": ReportStatus.submitted,
           "timeliness": Timeliness.on_time if now < due else Timeliness.late,
           "version": 1, "source": source, "sender_user_id": principal.user_id,
           "sender_token_id": principal.token_id, "sender_name": principal.name, "note": note,
           "received_at": now, "updated_at": now}
    audit = event_row(principal, "report.create", "report", unit_id=unit.id, at=now,
                      detail={"period": str(week), "values": dict(values), "source": source})
    # No savepoint and no aborted transaction (PostgreSQL) when the week already has a report.
    report_id = store_new_report(session.connection(), row,
                                 {rules.metrics[c].id: v for c, v in values.items()}, audit)
    if report_id is None:
        raise Conflict(f"Đơn vị đã có báo cáo tuần {week}; hãy sửa báo cáo đó.",
                       field="period", code="report_exists")
    changed(session, campaign.id, [unit.id], str(week), paths={unit.id: unit.path})
    if unit.closed_on is not None:  # a predecessor's late figure: carried again
        predecessor_wrote(session, campaign.id, unit.id, str(week), now)
    return ReportPublic(
        id=report_id, campaign_id=campaign.id, campaign=campaign.code, unit_id=unit.id,
        unit=unit.code, unit_name=unit.name, period=str(week), due_at=due, values=dict(values),
        status=row["status"], timeliness=row["timeliness"], version=1, source=source,
        sender_name=principal.name, note=note, received_at=now, updated_at=now,
        reviewed_by_name=None, reviewed_at=None, review_reason=None)


def create_report(session: Session, principal: Principal, data: ReportCreate,
                  now: datetime) -> ReportPublic:
    rules = CampaignRules.for_writing(session, principal, data.campaign)
    campaign = rules.campaign
    unit = get_unit_row(session, principal, data.unit, Action.report_write, field="unit")
    week = rules.check_period(data.period, now)
    ensure_unlocked(session, campaign, unit, str(week), now)
    # Before "already reported": a successor's week before it opened holds its carried figures.
    rules.check_open(unit, week)
    latest = latest_values(session, campaign.id, unit.id, str(week), rules.metric_codes,
                           including=True)
    if latest is not None and latest[0] == str(week):
        raise Conflict(f"Đơn vị đã có báo cáo tuần {week}; hãy sửa báo cáo đó.",
                       field="period", code="report_exists")
    warnings = rules.check_values(unit, week, data.values, data.note,
                                  latest[1] if latest else None, session=session)
    report = insert_report(session, principal, rules, unit, week, data.values, data.note,
                           source_for(principal), now)
    if rules.quality:
        record_findings(session, campaign.id, [(unit.id, str(week), warnings)], now)
    return report


def parse_if_match(header: str | None) -> int | None:
    if header is None:
        return None
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 9:
        raise PreconditionFailed("If-Match phải là số phiên bản, ví dụ \"3\".", field="If-Match")
    return int(text)


def update_values(session: Session, principal: Principal, rules: CampaignRules, report: Report,
                  unit: Unit, values: Mapping[str, int], note: str, expected_version: int,
                  source: str, now: datetime, action: str = "report.update") -> Report:
    """Compare-and-set on the version: of two concurrent corrections exactly one wins."""
    before = values_of(session, [report.id])[report.id]
    result = session.exec(
        update(Report)
        .where(Report.id == report.id, Report.version == expected_version)
        .values(version=Report.version + 1, note=note, updated_at=now, source=source,
                status=ReportStatus.submitted, sender_name=principal.name,
                sender_user_id=principal.user_id, sender_token_id=principal.token_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise PreconditionFailed(
            f"Báo cáo đã được sửa bởi người khác (phiên bản hiện tại khác {expected_version}); "
            "hãy tải lại.", field="version")
    session.connection().execute(_INSERT_REVISION, superseded(report, before))  # still as read
    session.refresh(report)
    _write_values(session, report.id, rules, values)
    changed(session, report.campaign_id, [report.unit_id], report.period,
            paths={unit.id: unit.path})
    record(session, principal, action, "report", report.id, unit_id=unit.id,
           detail={"period": report.period, "version": report.version, "before": before,
                   "after": dict(values), "note": note}, at=now)
    if unit.closed_on is not None:
        predecessor_wrote(session, report.campaign_id, unit.id, report.period, now)
    return report


def replace_report(session: Session, principal: Principal, report_id: int, data: ReportReplace,
                   if_match: str | None, now: datetime) -> tuple[Report, Unit]:
    report, unit = get_report(session, principal, report_id, Action.report_write)
    expected = data.version if data.version is not None else parse_if_match(if_match)
    if expected is None:
        raise PreconditionRequired(field="version")
    if expected != report.version:
        raise PreconditionFailed(
            f"Phiên bản {expected} đã cũ; phiên bản hiện tại là {report.version}.",
            field="version")
    ensure_writable(session, report, now)
    rules = CampaignRules.load(session, session.get(Campaign, report.campaign_id))
    prev = previous_values(session, report.campaign_id, unit.id, report.period,
                           rules.metric_codes)
    warnings = rules.check_values(unit, Week.parse(report.period), data.values, data.note, prev,
                                  session=session)
    report = update_values(session, principal, rules, report, unit, data.values, data.note,
                           expected, source_for(principal), now)
    if rules.quality:
        record_findings(session, report.campaign_id, [(unit.id, report.period, warnings)], now)
    return report, unit


def check_report(session: Session, principal: Principal, data: ReportCreate,
                 now: datetime) -> ReportCheck:
    """What the campaign's quality rules say about a report (new or corrected) before it is
    sent; the other checks refuse as sending would. Nothing is stored."""
    rules = CampaignRules.for_writing(session, principal, data.campaign)
    unit = get_unit_row(session, principal, data.unit, Action.report_write, field="unit")
    week = rules.check_period(data.period, now)
    prev = previous_values(session, rules.campaign.id, unit.id, str(week), rules.metric_codes)
    warnings, blocking = rules.check_quality(unit, data.values, prev, session)
    if not blocking:
        rules.check_values(unit, week, data.values, data.note, prev, session=session)
    return ReportCheck(ok=not blocking, warnings=warnings, blocking=blocking)


def get_report(session: Session, principal: Principal, report_id: int,
               action: Action = Action.read) -> tuple[Report, Unit]:
    row = session.exec(select(Report, Unit).join(Unit, Unit.id == Report.unit_id)
                       .where(Report.id == report_id)).first()
    if row is None:
        raise NotFound("Không tìm thấy báo cáo.", code="report_not_found")
    report, unit = row
    principal.ensure(action, unit.path, "báo cáo")
    return report, unit


def public_of(report: Report, unit: Unit, campaign: Campaign,
              values: Mapping[str, int]) -> ReportPublic:
    return ReportPublic(
        id=report.id, campaign_id=campaign.id, campaign=campaign.code, unit_id=unit.id,
        unit=unit.code, unit_name=unit.name, period=report.period,
        due_at=Calendar(campaign).due(Week.parse(report.period)), values=dict(values),
        status=report.status, timeliness=report.timeliness, version=report.version,
        source=report.source, sender_name=report.sender_name, note=report.note,
        received_at=report.received_at, updated_at=report.updated_at,
        reviewed_by_name=report.reviewed_by_name, reviewed_at=report.reviewed_at,
        review_reason=report.review_reason,
    )


def to_public(session: Session, rows: list[tuple[Report, Unit]]) -> list[ReportPublic]:
    values = values_of(session, [r.id for r, _ in rows])
    campaigns: dict[int, Campaign] = {}
    out = []
    for report, unit in rows:
        campaign = campaigns.get(report.campaign_id) or session.get(Campaign, report.campaign_id)
        campaigns[campaign.id] = campaign
        out.append(public_of(report, unit, campaign, values[report.id]))
    return out


def list_reports(session: Session, principal: Principal, *, campaign: str | None,
                 unit: str | None, under: str | None, period: str | None,
                 status: ReportStatus | None, limit: int, offset: int, now: datetime,
                 ) -> tuple[list[tuple[Report, Unit]], int]:
    """One page, newest week first, then by place in the tree; `count` over all pages, from
    the kept reporting counts when they can tell it exactly (tiendo.reports.counting)."""
    stmt = (select(Report, Unit).join(Unit, Unit.id == Report.unit_id)
            .where(principal.subtree_filter(Unit.path)))
    the_campaign = root = None
    if campaign is not None:
        the_campaign = get_campaign(session, principal, campaign)
        stmt = stmt.where(Report.campaign_id == the_campaign.id)
    if unit is not None:
        stmt = stmt.where(Report.unit_id == get_unit(session, principal, unit, field="unit").id)
    if under is not None:
        root = get_unit(session, principal, under, field="under")
        stmt = stmt.where(in_subtree(Unit.path, root.path))
    if period is not None:
        period = str(Week.parse(period))
        stmt = stmt.where(Report.period == period)
    if status is not None:
        stmt = stmt.where(Report.status == status)
    total = None
    if the_campaign is not None and unit is None and status is None:
        root = root or root_of_scope(session, principal.paths(Action.read))
        if root is not None:
            total = kept_report_count(session, the_campaign, root, period, now)
    if total is None:
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(Report.period.desc(), tree_order(Unit.path))
                        .limit(limit).offset(offset)).all()
    return [tuple(r) for r in rows], total


def list_revisions(session: Session, principal: Principal, report_id: int) -> list[RevisionPublic]:
    """Every version, oldest first: the replaced ones kept in report_revision, then the
    current one, which is the report itself."""
    report, _ = get_report(session, principal, report_id)
    rows = session.exec(select(ReportRevision).where(ReportRevision.report_id == report_id,
                                                     ReportRevision.version < report.version)
                        .order_by(ReportRevision.version)).all()
    current = RevisionPublic(version=report.version, values=values_of(session, [report.id])[report.id],
                             note=report.note, source=report.source,
                             changed_by_name=report.sender_name, changed_at=report.updated_at)
    return [*(RevisionPublic(version=r.version, values=r.values, note=r.note, source=r.source,
                             changed_by_name=r.changed_by_name, changed_at=r.changed_at)
              for r in rows), current]
