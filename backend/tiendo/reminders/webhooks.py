"""Webhooks (admin): where reminders for a subtree's units are posted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.core.outbound import check_public_url
from tiendo.errors import NotFound
from tiendo.reminders.models import ReminderMessage, Webhook
from tiendo.reminders.schemas import (
    WebhookCreate,
    WebhookDeliveryPublic,
    WebhookPublic,
    WebhookUpdate,
)
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


def webhook_public(hook: Webhook, unit: Unit) -> WebhookPublic:
    return WebhookPublic(id=hook.id, name=hook.name, url=hook.url, unit=unit.code,
                         unit_name=unit.name, active=hook.active, has_secret=bool(hook.secret),
                         created_at=hook.created_at)


def get_webhook(session: Session, principal: Principal, hook_id: int) -> tuple[Webhook, Unit]:
    row = session.exec(select(Webhook, Unit).join(Unit, Unit.id == Webhook.unit_id)
                       .where(Webhook.id == hook_id)).first()
    if row is None or not principal.can(Action.admin, row[1].path):
        raise NotFound("Không tìm thấy webhook.", code="webhook_not_found")
    return row[0], row[1]


def list_webhooks(session: Session, principal: Principal) -> list[tuple[Webhook, Unit]]:
    rows = session.exec(select(Webhook, Unit).join(Unit, Unit.id == Webhook.unit_id)
                        .where(principal.subtree_filter(Unit.path, Action.admin))
                        .order_by(Unit.path, Webhook.id)).all()
    return [(h, u) for h, u in rows]


def create_webhook(session: Session, principal: Principal, data: WebhookCreate,
                   now: datetime) -> tuple[Webhook, Unit]:
    unit = get_unit(session, principal, data.unit, Action.admin, field="unit")
    check_public_url(str(data.url))
    hook = Webhook(name=data.name, url=str(data.url), unit_id=unit.id, active=data.active,
                   secret=data.secret, created_at=now)
    session.add(hook)
    session.flush()
    record(session, principal, "webhook.create", "webhook", hook.id, unit_id=unit.id,
           detail={"name": hook.name, "url": hook.url}, at=now)
    return hook, unit


def update_webhook(session: Session, principal: Principal, hook_id: int, data: WebhookUpdate,
                   now: datetime) -> tuple[Webhook, Unit]:
    hook, unit = get_webhook(session, principal, hook_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("unit") is not None:
        unit = get_unit(session, principal, changes.pop("unit"), Action.admin, field="unit")
        hook.unit_id = unit.id
    changes.pop("unit", None)
    if changes.get("url") is not None:
        check_public_url(str(changes["url"]))
    for key, value in changes.items():  # only `secret` may be null: it stops signing
        setattr(hook, key, str(value) if key == "url" else value)
    session.add(hook)
    record(session, principal, "webhook.update", "webhook", hook.id, unit_id=unit.id,
           detail={k: ("***" if k == "secret" else str(v)) for k, v in changes.items()}, at=now)
    return hook, unit


def delete_webhook(session: Session, principal: Principal, hook_id: int, now: datetime) -> None:
    hook, unit = get_webhook(session, principal, hook_id)
    session.exec(delete(ReminderMessage).where(ReminderMessage.channel == f"webhook:{hook.id}"))
    record(session, principal, "webhook.delete", "webhook", hook.id, unit_id=unit.id,
           detail={"name": hook.name, "url": hook.url}, at=now)
    session.delete(hook)


def list_deliveries(session: Session, principal: Principal, hook_id: int, limit: int,
                    offset: int = 0) -> tuple[list[WebhookDeliveryPublic], int]:
    """The webhook's deliveries, newest first, and how many there are."""
    hook, _ = get_webhook(session, principal, hook_id)
    of_hook = ReminderMessage.channel == f"webhook:{hook.id}"
    rows = session.exec(select(ReminderMessage).where(of_hook)
                        .order_by(ReminderMessage.id.desc()).limit(limit).offset(offset)).all()
    total = session.exec(select(func.count()).select_from(ReminderMessage).where(of_hook)).one()
    return [WebhookDeliveryPublic(
        id=r.id, webhook_id=hook.id, campaign_id=r.campaign_id, period=r.period, kind=r.kind,
        units=len(r.payload.get("units", [])), status=r.status, attempts=r.attempts,
        error=r.last_error, created_at=r.created_at, last_attempt_at=r.last_attempt_at,
        delivered_at=r.delivered_at) for r in rows], total
