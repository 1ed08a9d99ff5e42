"""Fixtures of the reminder tests: the SMTP sink, settings from the environment, contacts."""

from __future__ import annotations

import pytest

from smtp_sink import start_sink
from tiendo import config


@pytest.fixture(scope="session")
def _sink():  # noqa: ANN202
    sink, controller = start_sink()
    yield sink
    controller.stop()


@pytest.fixture
def smtp(_sink, monkeypatch):  # noqa: ANN001, ANN201
    """The sink, emptied, with TIENDO_SMTP_URL (STARTTLS, log-in) pointing at it."""
    _sink.received.clear()
    _sink.refuse.clear()
    monkeypatch.setenv("TIENDO_SMTP_URL", _sink.url())
    monkeypatch.setenv("TIENDO_SMTP_CA_FILE", _sink.ca_file)
    monkeypatch.setenv("TIENDO_PUBLIC_URL", "https://tiendo.gialam.gov.vn")
    config.get_settings.cache_clear()
    yield _sink
    config.get_settings.cache_clear()


@pytest.fixture
def env(monkeypatch):  # noqa: ANN001, ANN201
    """env(NAME=value, …): settings for the test, the cache of settings cleared around it."""

    def set_env(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"TIENDO_{key}", value)
        config.get_settings.cache_clear()

    yield set_env
    config.get_settings.cache_clear()


def set_contact(client, admin, unit: str, **contact) -> None:  # noqa: ANN001, ANN003
    r = client.put(f"/api/v1/units/{unit}/contact", headers=admin, json=contact)
    assert r.status_code == 200, r.text


def mailbox(code: str) -> str:
    return f"{code.lower()}@gialam.gov.vn"


@pytest.fixture
def closed_network(monkeypatch):  # noqa: ANN001, ANN201
    """The reminder tests' receivers (example hosts behind pytest-httpx, local servers) are a
    closed network, not the internet: the outbound address policy is lifted for them
    (tests/test_harden_outbound.py tests the policy itself)."""
    monkeypatch.setenv("TIENDO_WEBHOOK_ALLOW_PRIVATE", "true")  # settings made anew (the CLI)
    monkeypatch.setattr(config.get_settings(), "webhook_allow_private", True)
    yield
    config.get_settings.cache_clear()  # settings made during the test must not outlive it
