"""A manager approves a report (it is then read-only) or returns it with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign
from tiendo.cycle.locks import ensure_unlocked
from tiendo.errors import Conflict, PreconditionFailed
from tiendo.reports.models import Report, ReportStatus
from tiendo.reports.service import get_report, parse_if_match
from tiendo.units.models import Unit


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
