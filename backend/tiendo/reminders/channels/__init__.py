"""Channels: one small adapter per way of reaching a person, all behind `Channel.send`, which
never raises: it answers a `Result` that the ledger records (and retries when it may help)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tiendo.config import Settings, get_settings
from tiendo.core import outbound

CHANNELS = ("email", "zalo", "sms")  # a unit's own channels; webhooks are configured apart


@dataclass
class Message:
    id: int | None
    channel: str  # email | zalo | sms | webhook:<id>
    recipient: str
    kind: str
    payload: dict[str, Any]
    secret: str | None = None  # a webhook's signing key, read at send time, never stored here
    now: datetime | None = None  # the run's clock (webhook bodies say when they were sent)


@dataclass
class Result:
    ok: bool
    error: str | None = None
    permanent: bool = False  # retrying cannot help (bad address, rejected template …)
    detail: dict[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> Result: ...


def configured_channels(settings: Settings | None = None) -> list[str]:
    """The unit channels this server has settings for (a channel without them is off)."""
    s = settings or get_settings()
    on = {"email": bool(s.smtp_url), "zalo": bool(s.zns_access_token and s.zns_template_id),
          "sms": bool(s.sms_url)}
    return [c for c in CHANNELS if on[c]]


def check_outbound_url(url: str) -> None:
    """The outbound address policy (tiendo.core.outbound): a URL that resolves to a loopback,
    private, link-local or reserved address is refused unless TIENDO_WEBHOOK_ALLOW_PRIVATE.
    Every HTTP adapter calls it before sending (DNS may have changed since the URL was saved);
    the client's transport checks again at connect time."""
    outbound.check_public_url(url)


def failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


class Channels:
    """The configured channels of one run, and their HTTP client (closed at the end)."""

    def __init__(self, settings: Settings | None = None) -> None:
        import httpx

        from tiendo import __version__
        from tiendo.reminders.channels.email import EmailChannel
        from tiendo.reminders.channels.sms import SmsChannel
        from tiendo.reminders.channels.webhook import WebhookChannel
        from tiendo.reminders.channels.zns import ZnsChannel

        s = settings or get_settings()
        self.client = httpx.Client(transport=outbound.transport(), follow_redirects=False,
                                   headers={"User-Agent": f"TienDo/{__version__}"})
        self.by_name: dict[str, Channel] = {}
        on = configured_channels(s)
        if "email" in on:
            self.by_name["email"] = EmailChannel(s)
        if "zalo" in on:
            self.by_name["zalo"] = ZnsChannel(s, self.client)
        if "sms" in on:
            self.by_name["sms"] = SmsChannel(s, self.client)
        self.webhook = WebhookChannel(s, self.client)

    def configured(self) -> list[str]:
        return [c for c in CHANNELS if c in self.by_name]

    def get(self, channel: str) -> Channel | None:
        return self.webhook if channel.startswith("webhook:") else self.by_name.get(channel)

    def send(self, message: Message) -> Result:
        channel = self.get(message.channel)
        if channel is None:
            return Result(False, f"Kênh {message.channel} chưa được cấu hình.")
        try:
            return channel.send(message)
        except outbound.AddressNotAllowed as exc:  # resending will not change the address
            return Result(False, f"{exc.code}: {exc.message}"[:1000], permanent=True)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the run
            return Result(False, failure(exc))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Channels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
