"""A unit's choice of channels (its admin's), and the "send a test message to me" check."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tiendo.audit.service import record
from tiendo.auth.models import User
from tiendo.auth.principal import Action, Principal
from tiendo.config import get_settings
from tiendo.errors import Invalid
from tiendo.reminders.channels import Message
from tiendo.reminders.models import UnitReminderChannels
from tiendo.reminders.schemas import TestMessage, UnitChannels, UnitChannelsPublic
from tiendo.reminders.webhooks import get_webhook
from tiendo.units.service import get_unit


def unit_channels(session: Session, principal: Principal, ref: str, configured: list[str],
                  action: Action = Action.manage) -> UnitChannelsPublic:
    unit = get_unit(session, principal, ref, action)
    prefs = session.get(UnitReminderChannels, unit.id) or UnitReminderChannels(unit_id=unit.id)
    return UnitChannelsPublic(unit=unit.code, email=prefs.email, zalo=prefs.zalo, sms=prefs.sms,
                              configured=configured)


def set_unit_channels(session: Session, principal: Principal, ref: str, data: UnitChannels,
                      now: datetime, configured: list[str]) -> UnitChannelsPublic:
    unit = get_unit(session, principal, ref, Action.admin)
    prefs = session.get(UnitReminderChannels, unit.id) or UnitReminderChannels(unit_id=unit.id)
    prefs.email, prefs.zalo, prefs.sms = data.email, data.zalo, data.sms
    session.add(prefs)
    session.flush()
    record(session, principal, "unit.reminder_channels", "unit", unit.id, unit_id=unit.id,
           detail=data.model_dump(), at=now)
    return unit_channels(session, principal, ref, configured, Action.admin)


def build_test_message(session: Session, principal: Principal, data: TestMessage, now: datetime,
                 configured: list[str]) -> Message:
    """The message a test sends, to the caller (or to the address they give)."""
    payload = {"link": get_settings().public_url.rstrip("/") + "/"}
    if data.channel == "webhook":
        if data.webhook_id is None:
            raise Invalid("Chọn webhook để gửi thử.", field="webhook_id",
                          code="webhook_required")
        hook, _ = get_webhook(session, principal, data.webhook_id)
        return Message(None, f"webhook:{hook.id}", hook.url, "test", payload,
                       secret=hook.secret, now=now)
    if data.channel not in configured:
        raise Invalid(f"Kênh {data.channel} chưa được cấu hình trên máy chủ.", field="channel",
                      code="channel_not_configured")
    to = data.to
    if to is None and data.channel == "email" and principal.user_id is not None:
        to = session.get(User, principal.user_id).email
    if not to:
        raise Invalid("Cần địa chỉ nhận tin thử.", field="to", code="recipient_required")
    if data.channel == "email" and "@" not in to:
        raise Invalid("Địa chỉ e-mail không hợp lệ.", field="to", code="invalid_email")
    if data.channel != "email" and not to.replace(" ", "").lstrip("+").isdigit():
        raise Invalid("Số điện thoại không hợp lệ.", field="to", code="invalid_phone")
    return Message(None, data.channel, to, "test", payload, now=now)
