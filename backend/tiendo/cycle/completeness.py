"""Who has reported: on time, late, missing or still pending, for a week and a subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import due_moment, get_campaign, list_campaigns, targets_of
from tiendo.core.periods import Week
from tiendo.cycle.locks import LockBook, campaign_week, campaign_weeks_until
from tiendo.cycle.schemas import (
    CompletenessPublic,
    CompletenessUnit,
    DueEntry,
    UnitSummary,
)
from tiendo.errors import Forbidden, NotFound
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.service import find_unit, get_unit


def top_unit(session: Session, principal: Principal, action: Action = Action.read) -> Unit:
    """The caller's highest unit for `action` (the default `under` of every view)."""
    paths = principal.paths(action)
    if not paths:
        raise Forbidden()
    return session.get(Unit, int(paths[0].strip("/").split("/")[-1]))


def expected_filter(session: Session, campaign: Campaign):  # noqa: ANN201
    """Active units of the kinds the campaign's targets apply to (or named by a target),
    inside the campaign owner's subtree."""
    kinds: set[str] = set()
    single: set[int] = set()
    for t in targets_of(session, campaign.id):
        kinds.update(t.unit_kinds)
        if t.unit_id is not None:
            single.add(t.unit_id)
    owner = session.get(Unit, campaign.owner_unit_id)
    return (Unit.active, Unit.path.startswith(owner.path, autoescape=True),
            or_(Unit.kind.in_(sorted(kinds)), Unit.id.in_(sorted(single))))


@dataclass
class Row:
    unit: Unit
    report: Report | None


def _rows(session: Session, campaign: Campaign, week: Week, path_filter) -> list[Row]:  # noqa: ANN001
    units = session.exec(select(Unit).where(*expected_filter(session, campaign), path_filter)
                         .order_by(Unit.path)).all()
    reports = session.exec(
        select(Report).join(Unit, Unit.id == Report.unit_id)
        .where(Report.campaign_id == campaign.id, Report.period == str(week), path_filter)
    ).all()
    by_unit = {r.unit_id: r for r in reports}
    return [Row(u, by_unit.get(u.id)) for u in units]


def status_of(report: Report | None, due: datetime, now: datetime) -> str:
    if report is not None:
        return report.timeliness
    return "pending" if now < due else "missing"


def completeness(session: Session, principal: Principal | None, campaign: Campaign | str,
                 period: str | None, under: str | None, now: datetime) -> CompletenessPublic:
    if not isinstance(campaign, Campaign):
        campaign = get_campaign(session, principal, campaign)
    week = campaign_week(campaign, period, now)
    if under is not None:
        root = (get_unit(session, principal, under, field="under") if principal is not None
                else get_unit_unchecked(session, under))
    elif principal is not None:
        root = top_unit(session, principal)
    else:
        root = session.get(Unit, campaign.owner_unit_id)
    due = due_moment(campaign, week)
    units = []
    counts = {"on_time": 0, "late": 0, "missing": 0, "pending": 0}
    for row in _rows(session, campaign, week, Unit.path.startswith(root.path, autoescape=True)):
        status = status_of(row.report, due, now)
        counts[status] += 1
        r = row.report
        units.append(CompletenessUnit(
            unit_id=row.unit.id, unit=row.unit.code, unit_name=row.unit.name, kind=row.unit.kind,
            status=status, report_id=r.id if r else None, received_at=r.received_at if r else None,
            sender_name=r.sender_name if r else None, report_status=r.status if r else None))
    expected = len(units)
    reported = counts["on_time"] + counts["late"]
    locked = LockBook(session, campaign, [str(week)], now).state(root.path, str(week)).locked
    return CompletenessPublic(
        campaign=campaign.code, period=str(week), due_at=due, as_of=now, locked=locked,
        under=UnitSummary(id=root.id, code=root.code, name=root.name), expected=expected,
        on_time=counts["on_time"], late=counts["late"],
        missing=counts["missing"] + counts["pending"], pending=counts["pending"],
        reporting_rate=round(reported / expected, 3) if expected else 0.0,
        on_time_rate=round(counts["on_time"] / expected, 3) if expected else 0.0,
        units=units)


def get_unit_unchecked(session: Session, ref: str) -> Unit:
    """For system jobs (the reminder command), which act for the whole database."""
    unit = find_unit(session, ref)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.", field="under", code="unit_not_found")
    return unit


def running(campaign: Campaign, now: datetime) -> bool:
    today = now.astimezone(ZoneInfo(campaign.timezone)).date()
    return campaign.start_date <= today <= campaign.end_date


def due_list(session: Session, principal: Principal, campaign: str | None,
             now: datetime) -> list[DueEntry]:
    """The caller's own units: this week's state of each, and earlier weeks left unreported."""
    if campaign is not None:
        campaigns = [get_campaign(session, principal, campaign, action=Action.report_write)]
    else:
        campaigns = [c for c in list_campaigns(session, principal, Action.report_write)
                     if running(c, now)]
    mine = principal.subtree_filter(Unit.path, Action.report_write)
    out: list[DueEntry] = []
    for c in campaigns:
        weeks = campaign_weeks_until(c, now)
        for week in reversed(weeks):
            due = due_moment(c, week)
            current = week == weeks[-1]
            for row in _rows(session, c, week, mine):
                r = row.report
                if r is None:
                    status = "due" if now < due else "overdue"
                elif current:
                    status = r.timeliness
                else:
                    continue
                out.append(DueEntry(campaign=c.code, unit=row.unit.code,
                                    unit_name=row.unit.name, period=str(week), due_at=due,
                                    status=status, report_id=r.id if r else None))
    return out
