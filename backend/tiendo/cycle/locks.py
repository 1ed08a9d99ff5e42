"""Locking weeks: by a manager for a subtree, or by itself `lock_after_days` after the due moment.

The current rows of a campaign × week form a tree of decisions: the deepest row on a unit's
path (itself or an ancestor) decides whether that unit's week is locked; with no row, the
automatic rule does. A new lock or unlock on a unit supersedes the rows below it, so the
deepest row is also the newest decision that applies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.config import cached_config, touch_config
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.core.periods import Week
from tiendo.cycle.models import PeriodLock
from tiendo.errors import Conflict, Forbidden, Locked
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


def path_ids(path: str) -> list[int]:
    """`/1/2/17/` → [1, 2, 17]: the unit and its ancestors, root first."""
    return [int(p) for p in path.strip("/").split("/") if p]


def _local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M %d/%m/%Y")


# Core, built once: it runs for every report written.
_lock = PeriodLock.__table__.c
_CURRENT = sa_select(_lock.period, _lock.unit_id, _lock.locked, _lock.by_name, _lock.at,
                     _lock.reason).where(_lock.campaign_id == bindparam("campaign"),
                                         _lock.superseded_at.is_(None))
_CURRENT_OF_WEEK = _CURRENT.where(_lock.period == bindparam("period"))
_CURRENT_OF_WEEKS = _CURRENT.where(_lock.period.in_(bindparam("periods", expanding=True)))


def current_rows(session: Session, campaign: Campaign, periods: list[str]) -> list[Row]:
    """The current lock rows of the campaign's weeks `periods`. Every lock and unlock gives the
    campaign a new configuration tag (`touch_config`), so a process keeps each week's rows with
    the configuration it read them under, as it keeps the campaign's rules: the write of a
    report reads none (a statement less on the path every report takes)."""
    config = cached_config(campaign)
    kept: dict[str, list[Row]] | None = (None if config is None
                                         else config.derived.setdefault("locks", {}))
    todo = periods if kept is None else [p for p in periods if p not in kept]
    loaded: dict[str, list[Row]] = {p: [] for p in todo}
    if len(todo) == 1:  # a single report: a plain statement, compiled once
        rows = session.connection().execute(_CURRENT_OF_WEEK, {
            "campaign": campaign.id, "period": todo[0]}).all()
    else:
        rows = session.connection().execute(_CURRENT_OF_WEEKS, {
            "campaign": campaign.id, "periods": todo}).all() if todo else []
    for row in rows:
        loaded[row.period].append(row)
    if kept is not None:
        kept.update(loaded)  # whole weeks at once: another thread never sees half of one
    return [row for p in periods for row in (loaded[p] if p in loaded else kept[p])]


@dataclass
class LockState:
    locked: bool
    row: Row | None  # the decision that applies (a period_lock row), or None for the automatic rule
    auto_at: datetime | None


class LockBook:
    """The current lock rows of one campaign for some weeks, loaded once to answer many units."""

    def __init__(self, session: Session, campaign: Campaign, periods: Iterable[str],
                 now: datetime) -> None:
        self.campaign, self.now = campaign, now
        rows = current_rows(session, campaign, sorted(set(periods)))
        self.rows = {(r.period, r.unit_id): r for r in rows}
        self._auto: dict[str, LockState] = {}  # per week: a bulk post asks for thousands of units

    def state(self, unit_path: str, period: str) -> LockState:
        if self.rows:
            for unit_id in reversed(path_ids(unit_path)):
                row = self.rows.get((period, unit_id))
                if row is not None:
                    return LockState(row.locked, row, None)
        if period not in self._auto:
            auto = Calendar(self.campaign).lock_at(Week.parse(period))
            self._auto[period] = LockState(auto is not None and self.now >= auto, None, auto)
        return self._auto[period]

    def refusal(self, unit_path: str, period: str, field: str = "period") -> Locked | None:
        """The 423 a write into this unit's week gets, or None when the week is open."""
        st = self.state(unit_path, period)
        if not st.locked:
            return None
        tz = self.campaign.timezone
        if st.row is not None:
            why = f": {st.row.reason}" if st.row.reason else ""
            message = (f"Tuần {period} đã bị khoá bởi {st.row.by_name} lúc "
                       f"{_local(st.row.at, tz)}{why}. Liên hệ quản lý để mở khoá.")
            detail = {"locked_at": st.row.at.isoformat(), "locked_by": st.row.by_name,
                      "automatic": False}
        else:
            message = (f"Tuần {period} đã tự động khoá lúc {_local(st.auto_at, tz)} "
                       f"({self.campaign.lock_after_days} ngày sau hạn nộp). "
                       "Liên hệ quản lý để mở khoá.")
            detail = {"locked_at": st.auto_at.isoformat(), "locked_by": None, "automatic": True}
        return Locked(message, field=field, code="period_locked", details=[detail])


def ensure_unlocked(session: Session, campaign: Campaign, unit: Unit, period: str,
                    now: datetime) -> None:
    refusal = LockBook(session, campaign, [period], now).refusal(unit.path, period)
    if refusal is not None:
        raise refusal


def _ensure_reaches(session: Session, principal: Principal, campaign: Campaign,
                    state: LockState) -> None:
    """An unlock reaches only as high as the caller's grant: a lock set on an ancestor (the
    district locked the week for everything under it) is lifted only by someone who manages
    that ancestor, not by a commune manager for the commune. The automatic lock is the campaign
    owner's rule, so only a manager of the owner unit lifts it."""
    unit_id = state.row.unit_id if state.row is not None else campaign.owner_unit_id
    at = session.get(Unit, unit_id)
    if at is not None and not principal.can(Action.manage, at.path):
        raise Forbidden("Tuần này do cấp trên khoá; chỉ cấp đó mới mở khoá được.",
                        field="unit", code="locked_above_your_grant")


def _decide(session: Session, principal: Principal, campaign_ref: str, period: str,
            unit_ref: str, reason: str, locked: bool,
            now: datetime) -> tuple[PeriodLock, Campaign, Unit]:
    campaign = get_campaign(session, principal, campaign_ref)
    unit = get_unit(session, principal, unit_ref, Action.manage, field="unit")
    week = Calendar(campaign).week(period, now)
    if not locked:
        state = LockBook(session, campaign, [str(week)], now).state(unit.path, str(week))
        if not state.locked:
            raise Conflict(f"Tuần {week} của đơn vị này đang mở.", field="period",
                           code="period_not_locked")
        _ensure_reaches(session, principal, campaign, state)
    below = select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))
    session.exec(update(PeriodLock).where(
        PeriodLock.campaign_id == campaign.id, PeriodLock.period == str(week),
        PeriodLock.superseded_at.is_(None), PeriodLock.unit_id.in_(below.scalar_subquery()),
    ).values(superseded_at=now).execution_options(synchronize_session=False))
    row = PeriodLock(campaign_id=campaign.id, period=str(week), unit_id=unit.id, locked=locked,
                     at=now, by_name=principal.name, by_user_id=principal.user_id, reason=reason)
    session.add(row)
    touch_config(session, campaign)  # processes keep the locks with the configuration
    session.flush()
    record(session, principal, "period.lock" if locked else "period.unlock", "period_lock",
           row.id, unit_id=unit.id,
           detail={"campaign": campaign.code, "period": str(week), "reason": reason}, at=now)
    return row, campaign, unit


def lock_period(session: Session, principal: Principal, campaign: str, period: str, unit: str,
                reason: str, now: datetime) -> tuple[PeriodLock, Campaign, Unit]:
    return _decide(session, principal, campaign, period, unit, reason, True, now)


def unlock_period(session: Session, principal: Principal, campaign: str, period: str, unit: str,
                  reason: str, now: datetime) -> tuple[PeriodLock, Campaign, Unit]:
    return _decide(session, principal, campaign, period, unit, reason, False, now)


@dataclass
class LockEntry:
    id: int | None
    campaign: str
    period: str
    unit: Unit
    locked_at: datetime
    locked_by_name: str
    reason: str
    automatic: bool


def list_locks(session: Session, principal: Principal, campaign_ref: str, period: str | None,
               now: datetime) -> list[LockEntry]:
    """Manual locks in the caller's view, and the weeks the automatic rule has locked."""
    campaign = get_campaign(session, principal, campaign_ref)
    cal = Calendar(campaign)
    weeks = [cal.week(period, now)] if period is not None else cal.weeks_until(now)
    periods = [str(w) for w in weeks]
    rows = session.exec(
        select(PeriodLock, Unit).join(Unit, Unit.id == PeriodLock.unit_id)
        .where(PeriodLock.campaign_id == campaign.id, PeriodLock.period.in_(periods),
               PeriodLock.superseded_at.is_(None), PeriodLock.locked,
               principal.subtree_filter(Unit.path))
    ).all()
    out = [LockEntry(r.id, campaign.code, r.period, u, r.at, r.by_name, r.reason, False)
           for r, u in rows]
    owner = session.get(Unit, campaign.owner_unit_id)
    book = LockBook(session, campaign, periods, now)
    for period_ in periods:
        st = book.state(owner.path, period_)
        if st.locked and st.row is None:
            out.append(LockEntry(None, campaign.code, period_, owner, st.auto_at, "",
                                 f"Tự động khoá {campaign.lock_after_days} ngày sau hạn nộp.",
                                 True))
    out.sort(key=lambda e: e.unit.path)
    out.sort(key=lambda e: e.period, reverse=True)
    return out
