"""One-line builders for the data a test needs, through the API as a user would."""

from __future__ import annotations

import itertools

_seq = itertools.count(1)


def new_unit(client, headers, kind: str = "agency", parent: str = "HN-GL",  # noqa: ANN001
             opened_on: str | None = "2024-01-01") -> dict:
    """A unit open since before the demo's campaigns (opened_on=None: from today, the default)."""
    code = f"T-{kind.upper()}-{next(_seq)}"
    body = {"code": code, "name": f"Đơn vị thử {code}", "kind": kind, "parent": parent}
    if opened_on is not None:
        body["opened_on"] = opened_on
    r = client.post("/api/v1/units", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def staff_report(unit: str, period: str = "2024-W30", total: int = 40, installed: int = 30,
                 campaign: str = "ihanoi-2024", **extra) -> dict:  # noqa: ANN003
    body = {"campaign": campaign, "unit": unit, "period": period,
            "values": {"staff_total": total, "staff_installed": installed}}
    body.update(extra)
    return body


def login(client, username: str, password: str = "demo-password-2024") -> dict:  # noqa: ANN001
    """Headers of a session opened at the app clock's current time (sessions last an hour),
    for tests that move the clock further than that."""
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def integration(client, admin_headers, unit: str = "HN-GL",  # noqa: ANN001
                scopes: tuple[str, ...] = ("read", "reports:write")) -> dict:
    """Headers of a new integration token (valid 90 days, so the clock can move freely)."""
    r = client.post("/api/v1/tokens", headers=admin_headers,
                    json={"name": f"Tích hợp thử {next(_seq)}", "unit": unit,
                          "scopes": list(scopes)})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
