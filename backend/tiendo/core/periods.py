"""Weekly reporting periods: ISO weeks written `2024-W30`, due on a weekday at a local time.

The written form is canonical and the only one stored: four ASCII digits of a year from 2000 to
2999, `-W`, two ASCII digits of a week that exists in that ISO year (W53 only in long years).
Other digits (full-width, Arabic-Indic…), a lower-case `w`, spaces or W00/W54 are refused with
`invalid_period` on every path: body fields and query parameters use `Period`, services
`Week.parse`; what a campaign makes of a week is `tiendo.campaigns.calendar`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Query
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from tiendo.errors import Invalid

_PERIOD = re.compile(r"(2[0-9]{3})-W([0-9]{2})", re.ASCII)
PERIOD_PATTERN = r"^2[0-9]{3}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
_FORMAT = "Kỳ báo cáo phải có dạng 2024-W30 (năm 2000–2999, tuần 01–53, chữ số ASCII)."


@dataclass(frozen=True, order=True)
class Week:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str, field: str = "period") -> Week:
        try:
            return cls._parse(text)
        except ValueError as exc:
            raise Invalid(str(exc), field=field, code="invalid_period") from None

    @classmethod
    def _parse(cls, text: object) -> Week:
        m = _PERIOD.fullmatch(text) if isinstance(text, str) else None
        if not m:
            raise ValueError(_FORMAT)
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"Năm {year} không có tuần {week:02d}.") from None
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


@lru_cache(maxsize=1024)
def _canonical_text(value: str) -> str:
    """Parsed once per distinct text: a bulk post names the same few weeks thousands of
    times, and parsing one costs ~4 µs (5 % of such a post). A refusal is not cached."""
    return str(Week._parse(value))


def _canonical(value: object) -> object:
    try:
        return _canonical_text(value) if isinstance(value, str) else str(Week._parse(value))
    except ValueError as exc:
        raise PydanticCustomError("invalid_period", str(exc)) from None


# A week in a body field or query parameter: refused with `invalid_period` unless canonical.
Period = Annotated[str, BeforeValidator(_canonical),
                   WithJsonSchema({"type": "string", "pattern": PERIOD_PATTERN,
                                   "examples": ["2024-W30"]})]
PeriodQuery = Annotated[Period | None, Query(description="Tuần ISO, ví dụ 2024-W30 (mặc định: "
                                                        "tuần hiện tại của chiến dịch)")]
