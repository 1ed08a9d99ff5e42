"""A campaign's calendar: which weeks it has, which one is current, when each is due, when it
locks by itself, which weeks may be asked for, and which units a week expects.

Every path that takes or derives a week (reports one by one, in bulk or imported; locks; due
lists; completeness; progress and its series; exports; the leaderboard; reminders) asks this
module, so that they all agree:
- the campaign's weeks run from the ISO week of its start date to that of its end date;
- the current week is today's week in the campaign's time zone, clamped to those weeks;
- a week is "in the future" when its Monday is after today: nothing may be reported, locked
  or shown for it (the current week may, before its deadline);
- a week is due on its due weekday at the due time, local (2024-W30 → 25/07/2024 15:00);
  a report received before that moment is on time, after it late;
- it locks by itself `lock_after_days` days after that moment (0: never by itself);
- it expects the units open at its due moment: opened on or before that local date and not
  closed on or before it (`Unit.opened_on`, `Unit.closed_on`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_

from tiendo.campaigns.models import Campaign
from tiendo.core.periods import Week, weeks_between
from tiendo.errors import Invalid


@dataclass(frozen=True)
class Calendar:
    campaign: Campaign

    # --- the campaign's weeks ----------------------------------------------------------------
    @property
    def first(self) -> Week:
        return Week.of(self.campaign.start_date)

    @property
    def last(self) -> Week:
        return Week.of(self.campaign.end_date)

    def today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.campaign.timezone)).date()

    def current(self, now: datetime) -> Week:
        """This week in the campaign's time zone, clamped to the campaign's weeks."""
        return min(max(Week.of(self.today(now)), self.first), self.last)

    def running(self, now: datetime) -> bool:
        return self.campaign.start_date <= self.today(now) <= self.campaign.end_date

    def weeks_until(self, now: datetime) -> list[Week]:
        """From the first week to the current one (the last, once the campaign is over)."""
        return weeks_between(self.first, self.current(now))

    def week(self, period: str | Week | None, now: datetime, field: str = "period") -> Week:
        """The week asked for (canonical, inside the campaign, not in the future), or the
        current week when none is given. Raises invalid_period, period_outside_campaign or
        period_in_future."""
        if period is None:
            return self.current(now)
        week = period if isinstance(period, Week) else Week.parse(period, field)
        if not self.first <= week <= self.last:
            raise Invalid(f"Tuần {week} nằm ngoài thời gian chiến dịch ({self.first}…{self.last}).",
                          field=field, code="period_outside_campaign")
        if week.monday > self.today(now):
            raise Invalid(f"Chưa đến tuần {week}.", field=field, code="period_in_future")
        return week

    # --- moments of a week --------------------------------------------------------------------
    def due(self, week: Week) -> datetime:
        c = self.campaign
        return week.due(c.timezone, c.due_weekday, c.due_time)

    def due_date(self, week: Week) -> date:
        """The local date of the due moment: the day that decides which units the week expects."""
        return self.due(week).date()

    def end(self, week: Week) -> datetime:
        return week.end(self.campaign.timezone)

    def lock_at(self, week: Week) -> datetime | None:
        if self.campaign.lock_after_days <= 0:
            return None
        return self.due(week) + timedelta(days=self.campaign.lock_after_days)

    def timeliness(self, week: Week, received_at: datetime) -> str:
        return "on_time" if received_at < self.due(week) else "late"

    def week_of(self, moment: datetime) -> Week:
        """The week that contains a moment, in the campaign's time zone (not clamped)."""
        return Week.of(self.today(moment))

    def reference_date(self, week: Week, now: datetime) -> date:
        """The day a week is judged at: its due date, or today while it is still ahead."""
        return min(now, self.due(week)).astimezone(ZoneInfo(self.campaign.timezone)).date()


def open_on(unit_table, day) -> ColumnElement[bool]:  # noqa: ANN001 - a Unit table or alias
    """SQL: the unit is open on `day` (a date or a bound parameter)."""
    c = unit_table.c if hasattr(unit_table, "c") else unit_table
    return and_(or_(c.opened_on.is_(None), c.opened_on <= day),
                or_(c.closed_on.is_(None), c.closed_on > day))


def is_open_on(unit, day: date) -> bool:  # noqa: ANN001 - a Unit or a row with the two dates
    """Python: the same rule as `open_on`."""
    return ((unit.opened_on is None or unit.opened_on <= day)
            and (unit.closed_on is None or unit.closed_on > day))


def reporting_status(report_period: str | None, timeliness: str | None, week: Week,
                     due: datetime, now: datetime) -> str:
    """A unit's reporting for one week, the one definition: on_time / late (from its report
    for that very week), pending (none yet, the deadline still ahead) or missing (none, the
    deadline passed)."""
    if report_period == str(week) and timeliness:
        return timeliness
    return "pending" if now < due else "missing"
