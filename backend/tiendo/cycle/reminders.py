"""Reminders: the units still without a report this week are posted to the webhooks that cover
them. Planning reads the database, delivering does HTTP only, recording writes the outcomes,
so that a scheduled run holds no database transaction while it waits on the network."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlmodel import Session, select

from tiendo import __version__
from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.config import get_settings
from tiendo.core import outbound
from tiendo.cycle.completeness import completeness, top_unit
from tiendo.cycle.models import Webhook, WebhookDelivery
from tiendo.cycle.schemas import DeliveryPublic, ReminderResult
from tiendo.units.models import Unit
from tiendo.units.service import get_unit

_sleep = time.sleep  # a module attribute, so that tests can skip the waiting


@dataclass
class Outcome:
    status: str  # delivered | failed
    attempts: int
    http_status: int | None = None
    error: str | None = None


class WebhookSender:
    """POSTs JSON with a timeout; retries timeouts, refused connections, 429 and 5xx with
    exponential back-off; never raises. Public addresses only (tiendo.core.outbound), checked
    again before each delivery and at the connection itself; redirects are not followed."""

    def __init__(self, client: httpx.Client | None = None, attempts: int | None = None,
                 backoff: float | None = None, timeout: float | None = None) -> None:
        s = get_settings()
        self.attempts = attempts or s.webhook_attempts
        self.backoff = s.webhook_backoff_seconds if backoff is None else backoff
        self.client = client or httpx.Client(
            transport=outbound.transport(), timeout=timeout or s.webhook_timeout_seconds,
            follow_redirects=False,
            headers={"User-Agent": f"TienDo/{__version__}"})

    def close(self) -> None:
        self.client.close()

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        try:  # DNS may point elsewhere than when the webhook was saved
            outbound.check_public_url(url)
        except outbound.AddressNotAllowed as exc:
            return Outcome("failed", 0, None, f"{exc.code}: {exc.message}"[:1000])
        http_status: int | None = None
        error = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.post(url, content=body, headers=headers)
                http_status = response.status_code
                if response.is_success:
                    return Outcome("delivered", attempt, http_status)
                error = f"HTTP {http_status}"
                if http_status < 500 and http_status != 429:
                    return Outcome("failed", attempt, http_status, error)  # retrying won't help
            except httpx.TimeoutException:
                http_status, error = None, "timeout"
            except httpx.HTTPError as exc:
                http_status, error = None, f"{type(exc).__name__}: {exc}"[:1000]
            except Exception as exc:  # noqa: BLE001 - one bad webhook must not stop the run
                http_status, error = None, f"{type(exc).__name__}: {exc}"[:1000]
            if attempt < self.attempts:
                _sleep(self.backoff * 2 ** (attempt - 1))
        return Outcome("failed", self.attempts, http_status, error)


@dataclass
class Delivery:
    webhook_id: int
    url: str
    secret: str | None
    units: list[dict[str, str]]
    outcome: Outcome | None = None


@dataclass
class Plan:
    campaign: Campaign
    period: str
    due_at: datetime
    missing: int
    deliveries: list[Delivery] = field(default_factory=list)

    def body(self, delivery: Delivery, now: datetime) -> bytes:
        return json.dumps({
            "event": "reminder", "campaign": self.campaign.code,
            "campaign_name": self.campaign.name, "period": self.period,
            "due_at": self.due_at.isoformat(), "overdue": now >= self.due_at,
            "sent_at": now.isoformat(), "units": delivery.units,
        }, ensure_ascii=False).encode()


def plan_reminders(session: Session, principal: Principal | None, campaign_ref: str,
                   period: str | None, under: str | None, now: datetime) -> Plan:
    campaign = get_campaign(session, principal, campaign_ref)
    if principal is not None:  # a manager reminds the units of their own subtree
        root = (get_unit(session, principal, under, Action.manage, field="under") if under
                else top_unit(session, principal, Action.manage))
        under = root.code
    view = completeness(session, principal, campaign, period, under, now)
    waiting = [u for u in view.units if u.status in ("missing", "pending")]
    unit_paths = dict(session.exec(select(Unit.id, Unit.path)
                                   .where(Unit.id.in_([u.unit_id for u in waiting]))).all())
    plan = Plan(campaign, view.period, view.due_at, len(waiting))
    hooks = session.exec(select(Webhook, Unit.path).join(Unit, Unit.id == Webhook.unit_id)
                         .where(Webhook.active).order_by(Webhook.id)).all()
    for hook, hook_path in hooks:
        units = [{"code": u.unit, "name": u.unit_name, "kind": u.kind, "status": u.status}
                 for u in waiting if unit_paths[u.unit_id].startswith(hook_path)]
        if units:
            plan.deliveries.append(Delivery(hook.id, hook.url, hook.secret, units))
    return plan


def deliver(plan: Plan, sender: WebhookSender, now: datetime) -> None:
    for d in plan.deliveries:
        body = plan.body(d, now)
        headers = {"Content-Type": "application/json", "X-Tiendo-Event": "reminder"}
        if d.secret:
            digest = hmac.new(d.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Tiendo-Signature"] = f"sha256={digest}"
        d.outcome = sender.send(d.url, body, headers)


def record_deliveries(session: Session, principal: Principal | None, plan: Plan,
                      now: datetime) -> ReminderResult:
    out = []
    for d in plan.deliveries:
        o = d.outcome
        session.add(WebhookDelivery(webhook_id=d.webhook_id, campaign_id=plan.campaign.id,
                                    period=plan.period, at=now, units=len(d.units),
                                    status=o.status, attempts=o.attempts,
                                    http_status=o.http_status, error=o.error))
        out.append(DeliveryPublic(webhook_id=d.webhook_id, url=d.url, units=len(d.units),
                                  status=o.status, attempts=o.attempts, error=o.error))
    record(session, principal, "reminders.send", "campaign", plan.campaign.id,
           unit_id=plan.campaign.owner_unit_id,
           detail={"period": plan.period, "missing": plan.missing,
                   "delivered": sum(d.status == "delivered" for d in out),
                   "failed": sum(d.status == "failed" for d in out)}, at=now)
    return ReminderResult(period=plan.period, missing=plan.missing, deliveries=out)


def send_reminders(session: Session, principal: Principal | None, campaign: str,
                   period: str | None, under: str | None, now: datetime,
                   sender: WebhookSender) -> ReminderResult:
    plan = plan_reminders(session, principal, campaign, period, under, now)
    deliver(plan, sender, now)
    return record_deliveries(session, principal, plan, now)
