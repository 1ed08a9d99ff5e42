"""Webhooks: JSON over HTTP to an integrator's URL, signed with HMAC-SHA256 when it has a
secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx

from tiendo.config import Settings
from tiendo.reminders.channels import Message, Result, check_outbound_url, failure


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: Settings, client: httpx.Client) -> None:
        self.timeout = settings.webhook_timeout_seconds
        self.client = client

    def body(self, message: Message, now: datetime) -> bytes:
        p = message.payload
        due = datetime.fromisoformat(p["due_at"]) if p.get("due_at") else None
        return json.dumps({
            "event": "test" if message.kind == "test" else "reminder", "kind": message.kind,
            **p, "overdue": bool(due and now >= due), "sent_at": now.isoformat(),
        }, ensure_ascii=False).encode()

    def send(self, message: Message) -> Result:
        body = self.body(message, message.now or datetime.now(UTC))
        headers = {"Content-Type": "application/json", "X-Tiendo-Event": "reminder"}
        if message.secret:
            digest = hmac.new(message.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Tiendo-Signature"] = f"sha256={digest}"
        try:
            check_outbound_url(message.recipient)
            r = self.client.post(message.recipient, content=body, headers=headers,
                                 timeout=self.timeout)
        except httpx.TimeoutException:
            return Result(False, "timeout")
        except httpx.HTTPError as exc:
            return Result(False, failure(exc))
        if r.is_success:
            return Result(True)
        # 429 and 5xx may pass later; another 4xx will be answered the same again.
        return Result(False, f"HTTP {r.status_code}",
                      permanent=r.status_code < 500 and r.status_code != 429)
