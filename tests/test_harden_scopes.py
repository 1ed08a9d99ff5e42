"""Issue 13, finding 7: a `reports:write` token reads nothing, as README says: not the
prefilled import template, not the weeks due. With `read` as well, it may."""

from __future__ import annotations

import pytest

from conftest import assert_error
from factories import integration


@pytest.mark.parametrize("url,params", [
    ("/api/v1/reports/import-template", {"campaign": "ihanoi-live", "format": "csv"}),
    ("/api/v1/reports/import-template", {"campaign": "ihanoi-live"}),
    ("/api/v1/due", {"campaign": "ihanoi-live"}),
])
def test_write_only_tokens_read_nothing(client, auth, url, params):
    write_only = integration(client, auth("admin"), "GL-X-DATON", scopes=("reports:write",))
    assert_error(client.get(url, headers=write_only, params=params), 403, "forbidden")
    both = integration(client, auth("admin"), "GL-X-DATON", scopes=("read", "reports:write"))
    assert client.get(url, headers=both, params=params).status_code == 200
    # …and writing still works with the write scope alone.
    r = client.post("/api/v1/reports/bulk", headers=write_only, json={
        "campaign": "ihanoi-live", "dry_run": True, "items": [
            {"unit": "GL-X-DATON", "period": "2024-W36", "values": {"staff_total": 1}}]})
    assert r.status_code == 200, r.text
