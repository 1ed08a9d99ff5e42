"""The current time, as a dependency so that tests can replay any moment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


def utcnow() -> datetime:
    return datetime.now(UTC)


async def get_now() -> datetime:
    # async: FastAPI runs a plain `def` dependency in the thread pool, a hop per request.
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]
