"""Zalo Notification Service: one approved template, sent to the contact's Zalo phone."""

from __future__ import annotations

import re

import httpx

from tiendo.config import Settings
from tiendo.reminders import texts
from tiendo.reminders.channels import Message, Result, check_outbound_url, failure

# ZNS answers HTTP 200 with {"error": <code>, "message": …}. Codes worth trying again later:
# unknown errors and quota/limit answers (a daily quota resets, a balance is topped up).
RETRY_CODES = {-100}
QUOTA_CODES = {-115, -144, -1144}


def zalo_phone(phone: str) -> str:
    """0912 345 678 / +84 912… → 84912345678, the form ZNS expects."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits


class ZnsChannel:
    name = "zalo"

    def __init__(self, settings: Settings, client: httpx.Client) -> None:
        self.url = settings.zns_api_url
        self.token = settings.zns_access_token
        self.template_id = settings.zns_template_id
        self.timeout = settings.reminder_timeout_seconds
        self.client = client

    def send(self, message: Message) -> Result:
        body = {"phone": zalo_phone(message.recipient), "template_id": self.template_id,
                "template_data": texts.zns_data(message.kind, message.payload),
                "tracking_id": str(message.id or "test")}
        try:
            check_outbound_url(self.url)
            r = self.client.post(self.url, json=body, timeout=self.timeout,
                                 headers={"access_token": self.token})
        except httpx.TimeoutException:
            return Result(False, "timeout")
        except httpx.HTTPError as exc:
            return Result(False, failure(exc))
        if r.status_code == 429:
            return Result(False, "quota: HTTP 429")
        if not r.is_success:
            return Result(False, f"HTTP {r.status_code}", permanent=r.status_code < 500)
        try:
            answer = r.json()
            code = int(answer.get("error", -100))
        except (ValueError, AttributeError, TypeError):
            return Result(False, "ZNS: câu trả lời không phải JSON")
        if code == 0:
            return Result(True, detail={"msg_id": (answer.get("data") or {}).get("msg_id")})
        text = str(answer.get("message", ""))[:500]
        if code in QUOTA_CODES or "quota" in text.lower():
            return Result(False, f"quota: ZNS {code} {text}")
        return Result(False, f"ZNS {code}: {text}", permanent=code not in RETRY_CODES)
