"""SMS through an HTTP gateway described by configuration, so that any brandname provider
fits: URL, method, a JSON body template with placeholders, an auth header."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tiendo.config import Settings
from tiendo.reminders import texts
from tiendo.reminders.channels import Message, Result, check_outbound_url, failure


def fill(template: Any, values: dict[str, str]) -> Any:  # noqa: ANN401
    """Placeholders are replaced inside the template's string values, after parsing: a text
    with quotes or newlines cannot break the JSON."""
    if isinstance(template, str):
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    return template


DEFAULT_BODY = '{"to": "{phone}", "text": "{text}"}'


class SmsChannel:
    name = "sms"

    def __init__(self, settings: Settings, client: httpx.Client) -> None:
        self.url = settings.sms_url
        self.method = settings.sms_method
        self.template = json.loads(settings.sms_body or DEFAULT_BODY)
        self.headers: dict[str, str] = {}
        if settings.sms_auth_header:
            name, _, value = settings.sms_auth_header.partition(":")
            self.headers[name.strip()] = value.strip()
        self.success = settings.sms_success.partition("=") if settings.sms_success else None
        self.timeout = settings.reminder_timeout_seconds
        self.client = client

    def send(self, message: Message) -> Result:
        body = fill(self.template, {"phone": message.recipient, "id": str(message.id or "test"),
                                    "text": texts.sms_text(message.kind, message.payload)})
        try:
            check_outbound_url(self.url)
            r = self.client.request(self.method, self.url, json=body, headers=self.headers,
                                    timeout=self.timeout)
        except httpx.TimeoutException:
            return Result(False, "timeout")
        except httpx.HTTPError as exc:
            return Result(False, failure(exc))
        if r.status_code == 429:
            return Result(False, "quota: HTTP 429")
        if not r.is_success:
            return Result(False, f"HTTP {r.status_code}: {r.text[:200]}",
                          permanent=r.status_code < 500 and r.status_code != 408)
        if self.success is not None:
            field, _, expected = self.success
            try:
                got = r.json().get(field)
            except (ValueError, AttributeError):
                got = None
            if str(got) != expected:
                return Result(False, f"gateway: {field}={got} ({r.text[:200]})")
        return Result(True)
