"""A manager approves a report (it is then read-only) or returns it with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.cycle.locks import ensure_unlocked
from tiendo.cycle.schemas import ApprovedReport, ApproveMany, ApproveManyResult, SkippedReport
from tiendo.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from tiendo.reports.models import Report, ReportStatus
from tiendo.reports.service import get_report, parse_if_match
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


def _review(session: Session, principal: Principal, report: Report, unit: Unit,
            status: ReportStatus, reason: str | None, if_match: str | None,
            now: datetime) -> Report:
    expected = parse_if_match(if_match)
    if expected is not None and expected != report.version:
        raise PreconditionFailed(
            f"Phiên bản {expected} đã cũ; phiên bản hiện tại là {report.version}.",
            field="If-Match")
    # Compare-and-set: a correction landing meanwhile makes the review fail instead of
    # approving values the manager has not seen.
    result = session.exec(
        update(Report)
        .where(Report.id == report.id, Report.version == report.version,
               Report.status == report.status)
        .values(status=status, reviewed_by_name=principal.name, reviewed_at=now,
                review_reason=reason)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise PreconditionFailed("Báo cáo vừa được người khác thay đổi; hãy tải lại.",
                                 field="version")
    session.refresh(report)
    record(session, principal, f"report.{'approve' if status == 'approved' else 'return'}",
           "report", report.id, unit_id=unit.id,
           detail={"period": report.period, "version": report.version, "reason": reason},
           at=now)
    return report


def approve_report(session: Session, principal: Principal, report_id: int,
                   if_match: str | None, now: datetime) -> tuple[Report, Unit]:
    report, unit = get_report(session, principal, report_id, Action.manage)
    if report.status == ReportStatus.approved:
        raise Conflict("Báo cáo đã được duyệt.", code="report_approved")
    return _review(session, principal, report, unit, ReportStatus.approved, None, if_match,
                   now), unit


def return_report(session: Session, principal: Principal, report_id: int, reason: str,
                  if_match: str | None, now: datetime) -> tuple[Report, Unit]:
    """Sends a report back for correction; pointless (and refused) once its week is locked."""
    report, unit = get_report(session, principal, report_id, Action.manage)
    if report.status == ReportStatus.returned:
        raise Conflict("Báo cáo đã được trả lại, đang chờ đơn vị sửa.", code="report_returned")
    ensure_unlocked(session, session.get(Campaign, report.campaign_id), unit, report.period, now)
    return _review(session, principal, report, unit, ReportStatus.returned, reason, if_match,
                   now), unit


SKIP = {
    "report_approved": "Đã được duyệt trước đó.",
    "report_returned": "Đã trả lại, đang chờ đơn vị sửa.",
    "report_changed": "Báo cáo vừa được sửa; hãy xem lại rồi duyệt.",
}


def approve_many(session: Session, principal: Principal, data: ApproveMany,
                 now: datetime) -> ApproveManyResult:
    """Approves every submitted report of a week in a unit's subtree (or the listed ids); each
    report that cannot be approved is skipped with the reason, never failing the rest. A locked
    week is approved like an open one, as a single approval is: approving changes no figure
    (returning one for correction is what a lock refuses)."""
    approved: list[ApprovedReport] = []
    skipped: list[SkippedReport] = []
    rows: list[tuple[Report, Unit]] = []
    if data.ids is not None:
        if data.campaign or data.period or data.unit:
            raise Invalid("Gửi danh sách `ids`, hoặc `campaign`, `period` và `unit`; không "
                          "gửi cả hai.", field="ids", code="approve_scope")
        for report_id in dict.fromkeys(data.ids):
            try:
                rows.append(get_report(session, principal, report_id, Action.manage))
            except (NotFound, Forbidden) as e:
                skipped.append(SkippedReport(
                    id=report_id, unit=None, unit_name=None, period=None,
                    code="report_not_found" if isinstance(e, NotFound) else "forbidden",
                    reason=e.message))
    else:
        for name in ("campaign", "period", "unit"):
            if getattr(data, name) is None:
                raise Invalid("Cần `campaign`, `period` và `unit` (hoặc danh sách `ids`).",
                              field=name, code="approve_scope")
        campaign = get_campaign(session, principal, data.campaign)
        root = get_unit(session, principal, data.unit, Action.manage, field="unit")
        rows = list(session.exec(
            select(Report, Unit).join(Unit, Unit.id == Report.unit_id)
            .where(Report.campaign_id == campaign.id, Report.period == data.period,
                   Unit.path.startswith(root.path, autoescape=True))
            .order_by(Unit.path)).all())
    for report, unit in rows:
        code = {ReportStatus.approved: "report_approved",
                ReportStatus.returned: "report_returned"}.get(report.status)
        if code is None:
            try:
                _review(session, principal, report, unit, ReportStatus.approved, None, None, now)
            except PreconditionFailed:
                code = "report_changed"
        if code is None:
            approved.append(ApprovedReport(id=report.id, unit=unit.code, unit_name=unit.name,
                                           period=report.period))
        else:
            skipped.append(SkippedReport(id=report.id, unit=unit.code, unit_name=unit.name,
                                         period=report.period, code=code, reason=SKIP[code]))
    return ApproveManyResult(approved=approved, skipped=skipped)
