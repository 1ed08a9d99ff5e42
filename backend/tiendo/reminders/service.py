"""Which messages a reminder means (planning, from the completeness of a week), and the ledger
that queues each (unit, week, kind, channel) once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.config import get_settings
from tiendo.core.pagination import Page, PageParams
from tiendo.cycle.completeness import EVERY, completeness
from tiendo.reminders.channels import CHANNELS
from tiendo.reminders.models import ReminderMessage, UnitReminderChannels, Webhook
from tiendo.reminders.schedule import due_entries, entries_of
from tiendo.reminders.schemas import QueuedMessage, ReminderMessagePublic, ReminderQueued
from tiendo.reminders.texts import report_link
from tiendo.units.models import Unit
from tiendo.units.service import get_unit, resolve_under

# Who each kind is about, by their completeness status.
TARGETS = {"due_soon": {"pending"}, "last_hours": {"pending"}, "late": {"missing"},
           "manual": {"pending", "missing"}}
MAX_NAMES = 200  # units named in one digest or webhook call


@dataclass
class Planned:
    unit_id: int
    unit: str
    unit_name: str
    channel: str
    recipient: str
    payload: dict[str, Any]


@dataclass
class Plan:
    campaign: Campaign
    period: str
    kind: str
    missing: int
    messages: list[Planned]
    unreachable: list[str]


def _address(unit: Unit, channel: str) -> str | None:
    return {"email": unit.contact_email, "zalo": unit.contact_zalo_phone,
            "sms": unit.contact_phone}[channel]


def plan(session: Session, principal: Principal | None, campaign: Campaign, period: str | None,
         kind: str, under: str | None, now: datetime, configured: list[str]) -> Plan:
    """The messages of one reminder; `configured` are the server's unit channels."""
    view = completeness(session, principal, campaign, period, under, now, EVERY)
    base = {"campaign": campaign.code, "campaign_name": campaign.name, "period": view.period,
            "due_at": view.due_at.isoformat(), "tz": campaign.timezone}
    public_url = get_settings().public_url
    if kind == "digest":
        owner = session.get(Unit, campaign.owner_unit_id)
        missing = [u.unit_name for u in view.data if u.status in ("missing", "pending")]
        payload = {**base, "unit": owner.code, "unit_name": owner.name,
                   "expected": view.expected, "on_time": view.on_time, "late": view.late,
                   "missing": view.missing, "reporting_rate": view.reporting_rate,
                   "on_time_rate": view.on_time_rate, "missing_units": missing[:MAX_NAMES],
                   "link": public_url.rstrip("/") + "/"}
        messages = ([Planned(owner.id, owner.code, owner.name, "email", owner.contact_email,
                             payload)]
                    if "email" in configured and owner.contact_email else [])
        return Plan(campaign, view.period, kind, view.missing, messages,
                    [] if messages else [owner.code])
    waiting = [u for u in view.data if u.status in TARGETS[kind]]
    ids = [u.unit_id for u in waiting]
    rows = session.exec(select(Unit, UnitReminderChannels)
                        .outerjoin(UnitReminderChannels,
                                   UnitReminderChannels.unit_id == Unit.id)
                        .where(Unit.id.in_(ids))).all() if ids else []
    units = {u.id: (u, prefs) for u, prefs in rows}
    messages: list[Planned] = []
    reached: set[int] = set()
    for w in waiting:
        unit, prefs = units[w.unit_id]
        payload = {**base, "unit": unit.code, "unit_name": unit.name,
                   "contact_name": unit.contact_name, "overdue": w.status == "missing",
                   "link": report_link(public_url, unit.code, view.period)}
        for channel in CHANNELS:
            address = _address(unit, channel)
            if channel in configured and address and (prefs is None or getattr(prefs, channel)):
                messages.append(Planned(unit.id, unit.code, unit.name, channel, address,
                                        payload))
                reached.add(unit.id)
    hooks = session.exec(select(Webhook, Unit).join(Unit, Unit.id == Webhook.unit_id)
                         .where(Webhook.active).order_by(Webhook.id)).all()
    paths = {u.id: u.path for u, _ in units.values()}
    for hook, hook_unit in hooks:
        covered = [w for w in waiting if paths[w.unit_id].startswith(hook_unit.path)]
        if covered:
            reached.update(w.unit_id for w in covered)
            messages.append(Planned(hook_unit.id, hook_unit.code, hook_unit.name,
                                    f"webhook:{hook.id}", hook.url, {**base, "units": [
                                        {"code": w.unit, "name": w.unit_name, "kind": w.kind,
                                         "status": w.status} for w in covered[:MAX_NAMES]]}))
    unreachable = [w.unit for w in waiting if w.unit_id not in reached]
    return Plan(campaign, view.period, kind, len(waiting), messages, unreachable)


def queue(session: Session, p: Plan, now: datetime, source: str,
          rearm: bool = False) -> tuple[list[tuple[int, Planned]], int]:
    """Adds the plan's messages to the ledger, skipping those it already holds (the unique key
    also settles two runs racing). `rearm` gives a message that failed for good a new start
    (a manager asked again). Answers (id, message) of the queued ones and the number skipped."""
    table = ReminderMessage.__table__
    existing = {(r.unit_id, r.channel): r for r in session.exec(
        select(ReminderMessage).where(ReminderMessage.campaign_id == p.campaign.id,
                                      ReminderMessage.period == p.period,
                                      ReminderMessage.kind == p.kind))}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    queued, skipped = [], 0
    for m in p.messages:
        old = existing.get((m.unit_id, m.channel))
        if old is not None:
            if rearm and old.status == "failed":
                session.exec(update(ReminderMessage).where(ReminderMessage.id == old.id)
                             .values(status="queued", attempts=0, next_attempt_at=now,
                                     recipient=m.recipient, payload=m.payload, source=source))
                queued.append((old.id, m))
            else:
                skipped += 1
            continue
        stmt = (upsert(table).values(
            campaign_id=p.campaign.id, unit_id=m.unit_id, period=p.period, kind=p.kind,
            channel=m.channel, recipient=m.recipient, source=source, payload=m.payload,
            status="queued", attempts=0, created_at=now, next_attempt_at=now)
            .on_conflict_do_nothing().returning(table.c.id))
        new_id = session.execute(stmt).scalar()
        if new_id is None:
            skipped += 1
        else:
            queued.append((new_id, m))
    return queued, skipped


def send_reminders(session: Session, principal: Principal, campaign_ref: str,
                   period: str | None, under: str | None, now: datetime,
                   configured: list[str]) -> ReminderQueued:
    """A manager's "remind now": the units of their subtree still without this week's report."""
    campaign = get_campaign(session, principal, campaign_ref)
    root = resolve_under(session, principal, under, Action.manage)
    p = plan(session, principal, campaign, period, "manual", root.code, now, configured)
    queued, skipped = queue(session, p, now, "manual", rearm=True)
    record(session, principal, "reminders.send", "campaign", campaign.id,
           unit_id=campaign.owner_unit_id,
           detail={"period": p.period, "missing": p.missing, "queued": len(queued),
                   "already": skipped}, at=now)
    return ReminderQueued(
        period=p.period, kind="manual", missing=p.missing, already=skipped,
        unreachable=p.unreachable, channels=configured,
        queued=[QueuedMessage(id=i, unit=m.unit, unit_name=m.unit_name, channel=m.channel,
                              recipient=m.recipient) for i, m in queued])


def queue_scheduled(session: Session, now: datetime, configured: list[str],
                    campaigns: list[str] | None = None) -> list[tuple[Plan, int]]:
    """Every running campaign's schedule entries due now, queued (system job, no principal)."""
    window = timedelta(minutes=get_settings().reminder_window_minutes)
    query = select(Campaign).order_by(Campaign.id)
    if campaigns:
        query = query.where(Campaign.code.in_(campaigns))
    out = []
    for campaign in session.exec(query).all():
        entries, _ = entries_of(session, campaign.id)
        for entry, week in due_entries(campaign, entries, now, window):
            p = plan(session, None, campaign, str(week), entry.kind, None, now, configured)
            queued, _ = queue(session, p, now, "schedule")
            out.append((p, len(queued)))
    return out


def list_messages(session: Session, principal: Principal, campaign: str | None,
                  period: str | None, unit: str | None, page: PageParams
                  ) -> Page[ReminderMessagePublic]:
    """The ledger, for managers: what was sent to whom, when, and whether it arrived."""
    query = (select(ReminderMessage, Unit, Campaign)
             .join(Unit, Unit.id == ReminderMessage.unit_id)
             .join(Campaign, Campaign.id == ReminderMessage.campaign_id)
             .where(principal.subtree_filter(Unit.path, Action.manage)))
    if campaign is not None:
        query = query.where(ReminderMessage.campaign_id
                            == get_campaign(session, principal, campaign).id)
    if period is not None:
        query = query.where(ReminderMessage.period == period)
    if unit is not None:
        query = query.where(Unit.id == get_unit(session, principal, unit, Action.manage,
                                                field="unit").id)
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(ReminderMessage.id.desc())
                        .limit(page.limit).offset(page.offset)).all()
    return Page(count=count, limit=page.limit, offset=page.offset, data=[
        ReminderMessagePublic(
            id=m.id, campaign=c.code, period=m.period, unit=u.code, unit_name=u.name,
            kind=m.kind, channel=m.channel, recipient=m.recipient, source=m.source,
            status=m.status, attempts=m.attempts, last_error=m.last_error,
            created_at=m.created_at, last_attempt_at=m.last_attempt_at,
            delivered_at=m.delivered_at, next_attempt_at=m.next_attempt_at)
        for m, u, c in rows])

