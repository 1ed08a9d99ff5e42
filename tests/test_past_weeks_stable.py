"""Units over time (#12): editing the unit tree today never changes what a past week showed.
Every past week of the demo campaigns is captured for HN-GL (completeness, progress, the
weekly export as CSV bytes and as .xlsx cell values), then units are opened and existing ones
closed today, and every week is captured again and compared."""

from __future__ import annotations

import difflib
import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

V1 = "/api/v1"
UNDER = "HN-GL"


def iso_weeks(start: date, end: date) -> list[str]:
    out, day = [], start - timedelta(days=start.weekday())
    while day <= end:
        y, w, _ = day.isocalendar()
        out.append(f"{y}-W{w:02d}")
        day += timedelta(days=7)
    return out


def past_weeks(client, headers, campaign: str) -> list[str]:  # noqa: ANN001
    c = client.get(f"{V1}/campaigns/{campaign}", headers=headers).json()
    weeks = iso_weeks(date.fromisoformat(c["start_date"]), date.fromisoformat(c["end_date"]))
    y, w, _ = date(2024, 9, 5).isocalendar()  # conftest.DEMO_NOW, a Thursday in Hà Nội
    return [x for x in weeks if x < f"{y}-W{w:02d}"]


def xlsx_cells(data: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets}


def capture(client, headers, campaign: str, weeks: list[str]) -> dict[str, object]:  # noqa: ANN001
    """Everything a user can see of each week, keyed by what it is."""
    seen: dict[str, object] = {}
    for week in weeks:
        params = {"campaign": campaign, "period": week, "under": UNDER}
        for name in ("completeness", "progress"):
            r = client.get(f"{V1}/{name}", headers=headers, params=params)
            assert r.status_code == 200, r.text
            seen[f"{name} {week}"] = r.json()
        r = client.get(f"{V1}/exports/weekly-report.csv", headers=headers, params=params)
        assert r.status_code == 200, r.text
        seen[f"csv {week}"] = r.content
        r = client.get(f"{V1}/exports/weekly-report.xlsx", headers=headers, params=params)
        assert r.status_code == 200, r.text
        seen[f"xlsx {week}"] = xlsx_cells(r.content)
    return seen


def show(value: object) -> list[str]:
    if isinstance(value, bytes):
        return value.decode("utf-8-sig").splitlines()
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True,
                      default=str).splitlines()


def differences(before: dict, after: dict) -> list[str]:
    out = []
    for key in before:
        if before[key] != after[key]:
            diff = difflib.unified_diff(show(before[key]), show(after[key]), "before", "after",
                                        n=1, lineterm="")
            out.append(f"--- {key} changed:\n" + "\n".join(list(diff)[:40]))
    return out


def edit_the_tree_today(client, admin) -> None:  # noqa: ANN001
    """Opens units of every kind the targets count (no opened_on: today) and closes, today,
    units that reported in the past weeks: a commune (with its villages), an agency, a school."""
    new = [("T-PW-XA", "commune", UNDER), ("T-PW-CQ", "agency", UNDER),
           ("T-PW-TRUONG", "school", UNDER), ("T-PW-DANG", "party", UNDER),
           ("T-PW-DT", "mass_org", UNDER), ("T-PW-SN", "public_service", UNDER),
           ("T-PW-THON", "village", "T-PW-XA")]
    for code, kind, parent in new:
        r = client.post(f"{V1}/units", headers=admin,
                        json={"code": code, "name": f"Đơn vị mới {code}", "kind": kind,
                              "parent": parent})
        assert r.status_code == 201, r.text
    closed = 0
    for kind in ("commune", "agency", "school", "village"):
        units = client.get(f"{V1}/units", headers=admin,
                           params={"under": UNDER, "kind": kind, "active": True,
                                   "limit": 3}).json()["data"]
        for unit in units[:2 if kind == "commune" else 1]:
            r = client.post(f"{V1}/units/{unit['code']}/deactivate", headers=admin, json={})
            assert r.status_code == 200, r.text
            closed += 1
    assert closed >= 4


@pytest.mark.parametrize("campaign", ["ihanoi-2024", "ihanoi-live"])
def test_opening_and_closing_units_today_leaves_past_weeks_as_they_were(
        client, auth, campaign):  # noqa: ANN001
    admin = auth("admin")
    weeks = past_weeks(client, admin, campaign)
    assert len(weeks) >= 3, weeks
    before = capture(client, admin, campaign, weeks)
    edit_the_tree_today(client, admin)
    after = capture(client, admin, campaign, weeks)
    changed = differences(before, after)
    keys = [k for k in before if before[k] != after[k]]
    assert not changed, (f"{len(changed)} of {len(before)} views of past weeks changed: "
                         f"{keys}\n" + "\n".join(changed))
