"""`tiendo sync-official`: pulls official counts from a configured URL (TIENDO_OFFICIAL_COUNTS_URL).

The URL answers JSON of this shape (extra keys are ignored):

    {"source": "HANOI EIC",
     "counts": [{"unit": "HN-GL", "metric": "residents_accounts", "value": 2850,
                 "observed_at": "2024-07-23T15:06:00+07:00",
                 "campaign": "ihanoi-2024",      # optional: only for that campaign
                 "source": "HANOI EIC"}]}        # optional: overrides the top-level source

`unit` is a unit code, `observed_at` a time with its offset (kept to the minute). The pull is
all or nothing: a timeout, an HTTP error, a body that is not this shape, an unknown unit, metric
or campaign writes nothing and raises SyncError saying what went wrong. Pulling the same feed
again changes nothing (one figure per source × unit × metric × observed minute).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, select

from tiendo.campaigns.schemas import MetricCode
from tiendo.errors import DomainError
from tiendo.official.service import Outcome, campaign_for, check_metric, upsert
from tiendo.reports.schemas import Count
from tiendo.units.models import Unit
from tiendo.units.schemas import Code, Name

ACTOR = "sync-official"


class SyncError(Exception):
    """The pull failed; nothing was written."""


class FeedItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    unit: Code
    metric: MetricCode
    value: Count
    observed_at: AwareDatetime
    campaign: Code | None = None
    source: Name | None = None


class Feed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    source: Name
    counts: Annotated[list[FeedItem], Field(max_length=100_000)]


@dataclass
class SyncResult:
    outcomes: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


def fetch_feed(url: str, *, timeout: float, retries: int, backoff: float) -> Feed:
    """GETs and validates the feed; timeouts, transport errors and 5xx are retried."""
    attempt = 0
    while True:
        attempt += 1
        try:
            response = httpx.get(url, timeout=timeout, headers={"Accept": "application/json"})
            if response.status_code < 500:
                break
            problem = f"the server answered HTTP {response.status_code}"
        except httpx.TimeoutException:
            problem = f"no answer within {timeout:g} s"
        except httpx.TransportError as exc:
            problem = f"could not connect ({exc.__class__.__name__}: {exc})"
        if attempt > retries:
            raise SyncError(f"{problem} (after {attempt} attempt{'s' * (attempt > 1)})")
        time.sleep(backoff * attempt)
    if response.status_code != 200:
        raise SyncError(f"the server answered HTTP {response.status_code}")
    try:
        return Feed.model_validate_json(response.content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise SyncError(f"malformed body at {where}: {first['msg']} "
                        f"({exc.error_count()} problem(s))") from None


def apply_feed(session: Session, feed: Feed, now: datetime) -> SyncResult:
    """Records every figure of the feed in the session (the caller commits), or none."""
    codes = {item.unit for item in feed.counts}
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.code.in_(codes)))}
    unknown = sorted(codes - units.keys())
    if unknown:
        raise SyncError(f"unknown unit code(s): {', '.join(unknown[:10])}")
    result = SyncResult()
    for index, item in enumerate(feed.counts):
        unit = units[item.unit]
        try:
            campaign = campaign_for(session, item.campaign, unit, "campaign")
            check_metric(session, campaign, item.metric, "metric")
            _, outcome = upsert(session, None, unit=unit, campaign=campaign, metric=item.metric,
                                source=item.source or feed.source, value=item.value,
                                observed_at=item.observed_at, now=now, actor_name=ACTOR)
        except DomainError as exc:
            raise SyncError(f"counts[{index}] ({item.unit}, {item.metric}): {exc.message}"
                            f" [{exc.code}]") from None
        result.outcomes[outcome] += 1
    return result


def sync_official(session: Session, url: str, now: datetime, *, timeout: float = 10.0,
                  retries: int = 2, backoff: float = 1.0) -> SyncResult:
    return apply_feed(session, fetch_feed(url, timeout=timeout, retries=retries,
                                          backoff=backoff), now)
