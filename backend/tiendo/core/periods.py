"""Weekly reporting periods: ISO weeks written `2024-W30`, due on a weekday at a local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tiendo.errors import Invalid

_PERIOD = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str, field: str = "period") -> Week:
        m = _PERIOD.match(text or "")
        if not m:
            raise Invalid("Kỳ báo cáo phải có dạng 2024-W30.", field=field, code="invalid_period")
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise Invalid(f"Năm {year} không có tuần {week}.", field=field,
                          code="invalid_period") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def day(self, iso_weekday: int) -> date:
        return self.monday + timedelta(days=iso_weekday - 1)

    def shift(self, weeks: int) -> Week:
        return Week.of(self.monday + timedelta(weeks=weeks))

    def due(self, tz: str, weekday: int, at: time) -> datetime:
        """The due moment, timezone-aware: 2024-W30 with Thursday 15:00 → 2024-07-25 15:00+07:00."""
        return datetime.combine(self.day(weekday), at, tzinfo=ZoneInfo(tz))

    def end(self, tz: str) -> datetime:
        """The first moment after the week (Monday 00:00 local of the next week)."""
        return datetime.combine(self.sunday + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))


def weeks_between(first: Week, last: Week) -> list[Week]:
    out, w = [], first
    while w <= last:
        out.append(w)
        w = w.shift(1)
    return out
