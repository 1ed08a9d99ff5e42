"""The report list's `count` is the number of reports its pages hold, also when it comes from
the kept reporting counts (a campaign, a week, a subtree: tiendo.reports.counting) and some
reports are of units the weeks do not expect: a unit closed before them, a kind no target
covers, a week after an end date moved earlier, a unit outside the campaign's owner."""

from __future__ import annotations

import pytest

from tiendo.reports import counting

LIVE = "ihanoi-live"


def listed(client, headers, **params) -> tuple[int, int]:  # noqa: ANN001
    """(count, the reports actually on its pages), paging through them all."""
    seen, offset, count = set(), 0, None
    while True:
        r = client.get("/api/v1/reports", headers=headers,
                       params={"campaign": LIVE, **params, "limit": 500, "offset": offset})
        assert r.status_code == 200, r.text
        body = r.json()
        count = body["count"] if count is None else count
        assert body["count"] == count
        seen |= {row["id"] for row in body["data"]}
        if not body["data"]:
            return count, len(seen)
        offset += 500


def assert_counts(client, headers, monkeypatch, **params) -> int:  # noqa: ANN001
    """The kept count, the plain count and the pages agree."""
    kept, rows = listed(client, headers, **params)
    with monkeypatch.context() as m:
        m.setattr(counting, "enabled", lambda session: False)
        plain, _ = listed(client, headers, **params)
    assert kept == plain == rows, params
    return kept


FILTERS = [{}, {"period": "2024-W35"}, {"period": "2024-W36"}, {"under": "GL-X-DATON"},
           {"under": "GL-X-DATON", "period": "2024-W35"}]


@pytest.mark.parametrize("params", FILTERS)
def test_the_count_is_the_number_of_reports_listed(client, auth, monkeypatch, params) -> None:  # noqa: ANN001
    assert assert_counts(client, auth("vanphong"), monkeypatch, **params) > 0


def test_reports_of_units_a_week_does_not_expect_are_counted(client, auth, monkeypatch) -> None:  # noqa: ANN001
    admin, manager = auth("admin"), auth("vanphong")
    before = assert_counts(client, manager, monkeypatch)
    ids = {}
    for status in ("late", "on_time"):
        r = client.get("/api/v1/completeness", headers=manager, params={
            "campaign": LIVE, "period": "2024-W35", "status": status, "kind": "school"})
        ids[status] = [u["unit"] for u in r.json()["data"]]
    # A school closed before W35 was due keeps its reports of W35 and W36 (now unexpected);
    # another one becomes a village of Đa Tốn, a kind no target covers.
    closed, moved = ids["late"][0], ids["on_time"][0]
    r = client.post(f"/api/v1/units/{closed}/deactivate", headers=admin,
                    json={"closed_on": "2024-08-26"})
    assert r.status_code == 200, r.text
    r = client.patch(f"/api/v1/units/{moved}", headers=admin,
                     json={"kind": "village", "parent": "GL-X-DATON"})
    assert r.status_code == 200, r.text
    assert assert_counts(client, manager, monkeypatch) == before
    for params in FILTERS:
        assert_counts(client, manager, monkeypatch, **params)
    # Above the campaign's owner: Hà Nội's admin sees the same reports.
    assert assert_counts(client, admin, monkeypatch) == before
    # The campaign now ends with W35: W36's reports stay, after its last week.
    r = client.patch(f"/api/v1/campaigns/{LIVE}", headers=admin, json={"end_date": "2024-09-01"})
    assert r.status_code == 200, r.text
    assert assert_counts(client, manager, monkeypatch) == before


@pytest.mark.parametrize("params", [{}, {"period": "2024-W35"}, {"under": "GL-X-DATON"}])
def test_pages_run_newest_week_first_then_down_the_tree(client, auth, session, params) -> None:  # noqa: ANN001
    """Pages of 7 in one order on both databases: newest week first, then each unit before its
    subtree, paths compared byte by byte (on PostgreSQL the path index's own order, whatever
    the database's collation); no report twice, none left out."""
    from sqlmodel import select

    from tiendo.units.models import Unit

    path = dict(session.exec(select(Unit.code, Unit.path)).all())
    rows, offset = [], 0
    while True:
        r = client.get("/api/v1/reports", headers=auth("vanphong"),
                       params={"campaign": LIVE, **params, "limit": 7, "offset": offset})
        assert r.status_code == 200, r.text
        page = r.json()["data"]
        if not page:
            break
        rows += page
        offset += 7
    keys = [(row["period"], path[row["unit"]].encode()) for row in rows]
    assert len(rows) == r.json()["count"] == len({row["id"] for row in rows}) > 0
    assert len(rows) > 7 or "under" in params  # several pages (Đa Tốn has 3 reports)
    assert keys == sorted(keys, key=lambda k: (_descending(k[0]), k[1]))
    if "under" in params:
        assert all(p.startswith(path["GL-X-DATON"].encode()) for _, p in keys)


def _descending(period: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in period)
