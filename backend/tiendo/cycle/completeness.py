"""Who has reported: on time, late, missing or still pending, for a week and a subtree."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar, reporting_status
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign, list_campaigns
from tiendo.cycle.locks import LockBook
from tiendo.cycle.schemas import (
    CompletenessPublic,
    CompletenessUnit,
    DueEntry,
    UnitSummary,
)
from tiendo.errors import NotFound
from tiendo.figures.units import week_reports
from tiendo.units.models import Unit
from tiendo.units.service import find_unit, get_unit, resolve_under


def completeness(session: Session, principal: Principal | None, campaign: Campaign | str,
                 period: str | None, under: str | None, now: datetime) -> CompletenessPublic:
    if not isinstance(campaign, Campaign):
        campaign = get_campaign(session, principal, campaign)
    cal = Calendar(campaign)
    week = cal.week(period, now)
    if under is not None:
        root = (get_unit(session, principal, under, field="under") if principal is not None
                else get_unit_unchecked(session, under))
    elif principal is not None:
        root = resolve_under(session, principal, None)
    else:
        root = session.get(Unit, campaign.owner_unit_id)
    due = cal.due(week)
    units = []
    counts = {"on_time": 0, "late": 0, "missing": 0, "pending": 0}
    for row in week_reports(session, campaign, week, Unit.path.startswith(root.path, autoescape=True)):
        r = row.report
        status = reporting_status(r.period if r else None, r.timeliness if r else None, week,
                                  due, now)
        counts[status] += 1
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


def due_list(session: Session, principal: Principal, campaign: str | None,
             now: datetime) -> list[DueEntry]:
    """The caller's own units: this week's state of each, and earlier weeks left unreported."""
    if campaign is not None:
        campaigns = [get_campaign(session, principal, campaign, action=Action.report_write)]
    else:
        campaigns = [c for c in list_campaigns(session, principal, Action.report_write)
                     if Calendar(c).running(now)]
    mine = principal.subtree_filter(Unit.path, Action.report_write)
    out: list[DueEntry] = []
    for c in campaigns:
        cal = Calendar(c)
        weeks = cal.weeks_until(now)
        for week in reversed(weeks):
            due = cal.due(week)
            current = week == weeks[-1]
            for row in week_reports(session, c, week, mine):
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
