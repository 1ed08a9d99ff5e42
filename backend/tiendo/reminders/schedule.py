"""When reminders go out: a campaign's schedule (weekday, local time, kind), and which of its
entries are due at a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.core.periods import Week
from tiendo.reminders.models import ReminderScheduleEntry
from tiendo.reminders.schemas import ScheduleEntry, SchedulePublic


@dataclass(frozen=True)
class Entry:
    weekday: int
    at: time
    kind: str


# Wednesday morning "due tomorrow", Thursday 13:00 "two hours left", and after the 15:00
# deadline the late notices and the digest to the campaign's owner unit.
DEFAULT = (Entry(3, time(9, 0), "due_soon"), Entry(4, time(13, 0), "last_hours"),
           Entry(4, time(15, 30), "late"), Entry(4, time(15, 30), "digest"))


def entries_of(session: Session, campaign_id: int) -> tuple[list[Entry], bool]:
    """The campaign's entries, and whether they are the default ones."""
    rows = session.exec(select(ReminderScheduleEntry)
                        .where(ReminderScheduleEntry.campaign_id == campaign_id)
                        .order_by(ReminderScheduleEntry.weekday, ReminderScheduleEntry.at,
                                  ReminderScheduleEntry.id)).all()
    if not rows:
        return list(DEFAULT), True
    return [Entry(r.weekday, r.at, r.kind) for r in rows], False


def schedule_public(session: Session, campaign: Campaign) -> SchedulePublic:
    entries, default = entries_of(session, campaign.id)
    return SchedulePublic(campaign=campaign.code, timezone=campaign.timezone, is_default=default,
                          entries=[ScheduleEntry(weekday=e.weekday, at=e.at, kind=e.kind)
                                   for e in entries])


def read_schedule(session: Session, principal: Principal, ref: str) -> SchedulePublic:
    return schedule_public(session, get_campaign(session, principal, ref, action=Action.manage))


def replace_schedule(session: Session, principal: Principal, ref: str,
                     entries: list[ScheduleEntry], now: datetime) -> SchedulePublic:
    campaign = get_campaign(session, principal, ref, action=Action.manage)
    unique = sorted({(e.weekday, e.at.replace(second=0, microsecond=0), e.kind)
                     for e in entries})
    session.exec(delete(ReminderScheduleEntry)
                 .where(ReminderScheduleEntry.campaign_id == campaign.id))
    for weekday, at, kind in unique:
        session.add(ReminderScheduleEntry(campaign_id=campaign.id, weekday=weekday, at=at,
                                          kind=kind))
    session.flush()
    record(session, principal, "reminders.schedule", "campaign", campaign.id,
           unit_id=campaign.owner_unit_id,
           detail={"entries": [f"{w} {a:%H:%M} {k}" for w, a, k in unique]}, at=now)
    return schedule_public(session, campaign)


def due_entries(campaign: Campaign, entries: list[Entry], now: datetime,
                window: timedelta) -> list[tuple[Entry, Week]]:
    """The entries whose moment this week has come, no longer ago than `window`. Before the
    deadline only the "due" kinds make sense, after it only "late" and the digest."""
    cal = Calendar(campaign)
    if not cal.running(now):
        return []
    week = cal.week_of(now)
    if cal.current(now) != week:
        return []
    due = cal.due(week)
    out = []
    for entry in entries:
        moment = week.due(campaign.timezone, entry.weekday, entry.at)
        if not moment <= now < moment + window:
            continue
        before_due = entry.kind in ("due_soon", "last_hours")
        if before_due != (now < due):
            continue
        out.append((entry, week))
    return out
