"""The current time, as a dependency so that tests can replay any moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends

# The country's one time zone: "today" for dates that belong to no campaign (a unit opening).
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


async def get_now() -> datetime:
    # async: FastAPI runs a plain `def` dependency in the thread pool, a hop per request.
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()
