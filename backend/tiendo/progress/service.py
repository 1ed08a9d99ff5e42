"""Progress of a campaign's targets over a unit subtree, and the rules that judge it.

Rules (the figures come from tiendo.figures, the one figures engine):
- Counts are cumulative, so each unit contributes its LATEST report at or before the asked week.
  A unit whose latest report is from an earlier week is carried forward and marked stale; a unit
  that never reported counts 0 in the numerator and, in the denominator, its baseline when the
  denominator is a baseline metric (e.g. residents_total), else nothing; it counts as missing.
  units_expected = units_counted (reported for the week itself) + units_stale + units_missing.
- The units counted for a target are the active units of the subtree whose kind is one of the
  target's unit_kinds (or the target's single unit). Children are the direct children of
  `under`, each summing its own subtree; children with no counted unit under them are left out.
- ratio = Σ numerator / Σ denominator over the units (never an average of percentages), null
  when the denominator is 0. Ratios above 1 are shown as they are and flagged over_100 (a
  denominator may be wrong). remaining = ⌈goal × denominator⌉ − numerator, at least 0.
- The reference date of a week is the local date of its due moment (Thursday), or today for the
  current week: a past week is judged as the district saw it then.
- weekly_pace = average weekly increase of the numerator over the last 3 weeks, or over the
  weeks since the campaign began when fewer (before its first week the numerator is 0).
- forecast_date = reference date + remaining / pace weeks (rounded up to a day); null when
  nothing remains or the pace is not positive.
- status against a deadline: met when ratio ≥ goal; else behind when the deadline has passed,
  when the pace is not positive or when no denominator is known; else on_track when the
  forecast is on or before the deadline, at_risk when it is at most 7 days after it, behind
  otherwise. upstream_status applies the same rule to the upstream (city) deadline.
- Weeks, due moments and which units a week expects: tiendo.campaigns.calendar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import CompoundSelect, Row, Subquery, bindparam, or_, select, union_all
from sqlmodel import Session

from tiendo.auth.principal import Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.config import campaign_config
from tiendo.campaigns.models import Campaign, Target
from tiendo.core.periods import Week
from tiendo.figures.kept import sums_by_target, totals_by_week
from tiendo.figures.subtree import Child, SubtreeSums, Sums
from tiendo.official.models import OfficialCount
from tiendo.progress.schemas import (
    OfficialFigure,
    ProgressPublic,
    Status,
    TargetProgress,
    UnitRef,
)
from tiendo.units.models import Unit
from tiendo.units.service import resolve_under

PACE_WEEKS = 3
AT_RISK_DAYS = 7


# --- weeks -----------------------------------------------------------------------------------
def pace_base(campaign: Campaign, week: Week) -> tuple[Week, int]:
    """The week the pace is measured from, and how many weeks lie between it and `week`."""
    first = Calendar(campaign).first
    weeks = 0
    base = week
    while weeks < PACE_WEEKS and base >= first:
        base, weeks = base.shift(-1), weeks + 1
    return base, weeks


# --- rules -----------------------------------------------------------------------------------
def ratio_of(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def rounded(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio, 3)


def remaining_of(goal: float, numerator: int, denominator: int) -> int:
    # The small epsilon keeps 0.95 × 1000 = 950.0000000001 from asking for 951.
    return max(0, math.ceil(goal * denominator - 1e-9) - numerator)


def pace_of(sums: Sums, weeks: int) -> float:
    """Units of the numerator gained a week over the `weeks` weeks since the pace's base."""
    return (sums.numerator - sums.base_numerator) / weeks if weeks else 0.0


def days_to_done(remaining: int, pace: float) -> int | None:
    """Days until the remainder is done at this pace; None when it never is."""
    if remaining <= 0 or pace <= 0:
        return None
    return math.ceil(remaining / pace * 7 - 1e-9)


def forecast_of(ref: date, remaining: int, pace: float, end: date | None = None) -> date | None:
    """When the remainder is done at this pace; None when it never is, or not before the
    campaign's `end` (a date years away says nothing useful: at this pace, not reached)."""
    days = days_to_done(remaining, pace)
    return None if days is None else shown_forecast(ref + timedelta(days=days), end)


def shown_forecast(forecast: date | None, end: date | None) -> date | None:
    """The forecast as shown: none after the campaign's `end`."""
    return None if forecast is None or (end is not None and forecast > end) else forecast


def status_of(goal: float, numerator: int, denominator: int, forecast: date | None,
              ref: date, deadline: date) -> Status:
    return status_from(remaining_of(goal, numerator, denominator), denominator, forecast, ref,
                       deadline)


def status_from(remaining: int, denominator: int, forecast: date | None, ref: date,
                deadline: date) -> Status:
    """status_of, the remainder already known."""
    return status_in_days(remaining, denominator,
                          None if forecast is None else (forecast - ref).days,
                          (deadline - ref).days)


def status_in_days(remaining: int, denominator: int, days_to_forecast: int | None,
                   days_left: int) -> Status:
    """The status rule, counted in days from the reference date: to the forecast (None: never
    at this pace) and to the deadline (negative: passed). A district judges a thousand
    children with it, without a date made for each."""
    if denominator > 0 and remaining == 0:
        return Status.met
    if denominator <= 0 or days_left < 0 or days_to_forecast is None:
        return Status.behind
    if days_to_forecast <= days_left:
        return Status.on_track
    if days_to_forecast <= days_left + AT_RISK_DAYS:
        return Status.at_risk
    return Status.behind


@dataclass(slots=True)
class Judged:
    numerator: int
    denominator: int
    ratio: float | None
    remaining: int
    pace: float
    forecast: date | None
    status: Status
    upstream_status: Status | None


class Goal(NamedTuple):
    """What a target's figures are judged against, read off the target once (a district judges
    a thousand children against it; each read of an ORM attribute costs ~0.3 µs)."""

    ratio: float
    deadline: date
    upstream_deadline: date | None

    @classmethod
    def of(cls, target: Target) -> Goal:
        return cls(target.goal_ratio, target.deadline, target.upstream_deadline)


def judge(goal: Goal, sums: Sums, weeks: int, ref: date, end: date | None = None) -> Judged:
    """A group of units' figures against the target's goal, the pace from sums.base_numerator
    over `weeks` weeks (a target's children: `_children`, by the same rules)."""
    num, den = sums.numerator, sums.denominator
    pace = pace_of(sums, weeks)
    remaining = remaining_of(goal.ratio, num, den)
    forecast = forecast_of(ref, remaining, pace)  # the statuses weigh the pace as it is
    upstream_status = (status_from(remaining, den, forecast, ref, goal.upstream_deadline)
                       if goal.upstream_deadline else None)
    return Judged(num, den, ratio_of(num, den), remaining, pace, shown_forecast(forecast, end),
                  status_from(remaining, den, forecast, ref, goal.deadline), upstream_status)


def ranked(items: list[dict]) -> list[dict]:
    """Sorts items (dicts with ratio, unit and rank) by their ratio as shown (rounded here),
    best first, ties by code, and gives competition ranks (1, 2, 2, 4); an item without a ratio
    gets no rank. Dicts, not models: the schema validates the whole list at once."""
    for item in items:
        item["ratio"] = rounded(item["ratio"])
    items.sort(key=lambda i: (i["ratio"] is None, -(i["ratio"] or 0.0), i["unit"]))
    for n, item in enumerate(items):
        if item["ratio"] is None:
            item["rank"] = None
        elif n and items[n - 1]["ratio"] == item["ratio"]:
            item["rank"] = items[n - 1]["rank"]
        else:
            item["rank"] = n + 1
    return items


# --- scope -----------------------------------------------------------------------------------
def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(id=unit.id, code=unit.code, name=unit.name, kind=unit.kind)


# --- the endpoint ----------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _officials_statement(metrics: int) -> CompoundSelect:
    """The newest outside figure for the unit and each of `metrics` metrics, observed before
    the week ends: built once per number of metrics."""
    oc = OfficialCount.__table__

    def newest(i: int) -> Subquery:
        return (select(oc.c.metric, oc.c.value, oc.c.observed_at, oc.c.source)
                .where(oc.c.unit_id == bindparam("unit"), oc.c.metric == bindparam(f"metric{i}"),
                       oc.c.observed_at < bindparam("end", type_=oc.c.observed_at.type),
                       or_(oc.c.campaign_id == bindparam("campaign"), oc.c.campaign_id.is_(None)))
                .order_by(oc.c.observed_at.desc(), oc.c.id.desc()).limit(1).subquery())

    return union_all(*(select(*newest(i).c) for i in range(metrics)))


def latest_officials(session: Session, campaign: Campaign, unit: Unit, metrics: list[str],
                     week: Week) -> dict[str, Row]:
    """Per metric, the newest outside figure (metric, value, observed_at, source) for the unit,
    observed before the week ends; one statement."""
    if not metrics:
        return {}
    params = {f"metric{i}": m for i, m in enumerate(metrics)}
    rows = session.connection().execute(_officials_statement(len(metrics)), {
        **params, "unit": unit.id, "campaign": campaign.id, "end": week.end(campaign.timezone)})
    return {row.metric: row for row in rows}


def _children(target: Target, by_child: dict[str, Sums], weeks: int, ref: date,
              children: dict[str, Child]) -> list[dict]:
    """ChildProgress fields of every child with a unit the target counts, ranked: judged as
    `judge` judges (the same rules, counted in days: a child shows no forecast)."""
    out, goal = [], Goal.of(target)
    days_left = (goal.deadline - ref).days
    for key, sums in by_child.items():
        if not key:
            continue
        child = children[key]
        num, den = sums.numerator, sums.denominator
        remaining = remaining_of(goal.ratio, num, den)
        ratio = ratio_of(num, den)
        days = days_to_done(remaining, pace_of(sums, weeks))
        out.append({
            "unit_id": child.id, "unit": child.code, "unit_name": child.name, "kind": child.kind,
            "numerator": num, "denominator": den, "ratio": ratio, "remaining": remaining,
            "status": status_in_days(remaining, den, days, days_left),
            "stale": sums.stale > 0, "last_period": sums.oldest_period,
            "over_100": ratio is not None and ratio > 1, "rank": None})
    return ranked(out)


def official_figure(campaign: Campaign, target: Target, official: Row, week: Week,
                    numerator: int, reported_at: dict[tuple[int, str], int]) -> OfficialFigure:
    """The outside count against the reported sum of the campaign week that contains it (a
    count of 23/07 against week 30's reports, whichever week is being looked at)."""
    seen = official_week(campaign, official.observed_at)
    reported = numerator if seen == week else reported_at.get((target.id, str(seen)), 0)
    return OfficialFigure(value=official.value, observed_at=official.observed_at,
                          source=official.source, period=str(seen), reported=reported,
                          gap=official.value - reported)


def official_week(campaign: Campaign, observed_at: datetime) -> Week:
    """The campaign week containing an observation, kept inside the campaign's weeks."""
    cal = Calendar(campaign)
    return min(max(cal.week_of(observed_at), cal.first), cal.last)


def reported_at_official_weeks(session: Session, campaign: Campaign, targets: list[Target],
                               under: Unit, week: Week, officials: dict[str, Row],
                               codes: dict[int, str]) -> dict[tuple[int, str], int]:
    """Per (target, week): the reported sum of each week an official count falls in, other
    than `week` itself (whose sums are already at hand); one statement."""
    weeks = sorted({official_week(campaign, row.observed_at) for row in officials.values()}
                   - {week})
    if not weeks:
        return {}
    totals = totals_by_week(session, campaign, targets, under, weeks)
    return {(t.id, w.week): w.numerator for t in targets for w in totals[t.id]
            if codes[t.numerator_metric_id] in officials}


def target_progress(campaign: Campaign, target: Target, codes: dict[int, str], week: Week,
                    now: datetime, sums: SubtreeSums, official: Row | None,
                    reported_at: dict[tuple[int, str], int]) -> TargetProgress:
    """One target's progress over a subtree where it counts some unit, from its sums."""
    _, weeks = pace_base(campaign, week)
    totals = sums.total(target.id)
    ref = Calendar(campaign).reference_date(week, now)
    j = judge(Goal.of(target), totals, weeks, ref, end=campaign.end_date)
    progress = TargetProgress(
        target_id=target.id, code=target.code, name=target.name,
        numerator_metric=codes[target.numerator_metric_id],
        denominator_metric=codes[target.denominator_metric_id], goal_ratio=target.goal_ratio,
        deadline=target.deadline, upstream_deadline=target.upstream_deadline,
        numerator=j.numerator, denominator=j.denominator, ratio=rounded(j.ratio),
        remaining=j.remaining, weekly_pace=round(j.pace, 1), forecast_date=j.forecast,
        status=j.status, upstream_status=j.upstream_status,
        over_100=j.ratio is not None and j.ratio > 1, units_expected=totals.expected,
        units_counted=totals.fresh, units_stale=totals.stale, units_missing=totals.missing,
        official=official_figure(campaign, target, official, week, j.numerator, reported_at)
        if official else None, children=[])
    # The children's rows are built by _children alone, every key set: validating a thousand of
    # them again would cost more than the rest of the target (model_copy does not validate).
    return progress.model_copy(update={"children": _children(
        target, sums.by_target[target.id], weeks, ref, sums.children)})


def progress(session: Session, principal: Principal, campaign_ref: str, under_ref: str | None,
             period: str | None, now: datetime) -> ProgressPublic:
    config = campaign_config(session, principal, campaign_ref)  # metrics and targets kept
    campaign = config.campaign
    under = resolve_under(session, principal, under_ref)
    week = Calendar(campaign).week(period, now)
    codes = {m.id: m.code for m in config.metrics}
    # Every target's sums for the week and the pace's base week. The root's own line is not
    # shown: its total may come whole from the kept rows.
    sums = sums_by_target(session, campaign, list(config.targets), under, week,
                          pace_base(campaign, week)[0], root_line=False)
    counting = [t for t in config.targets if sums.counts(t.id)]
    officials = latest_officials(session, campaign, under, sorted(
        {codes[t.numerator_metric_id] for t in counting}), week)
    reported_at = reported_at_official_weeks(session, campaign, counting, under, week,
                                             officials, codes)
    return ProgressPublic(
        campaign=campaign.code, period=str(week), as_of=now, under=unit_ref(under),
        targets=[target_progress(campaign, t, codes, week, now, sums,
                                 officials.get(codes[t.numerator_metric_id]), reported_at)
                 for t in counting])
