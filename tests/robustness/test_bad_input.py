"""Hostile or broken input gets a 4xx in the one error shape and changes nothing stored;
names holding SQL or script are data: stored verbatim and returned as JSON strings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from conftest import assert_error
from factories import staff_report

TABLES = ["unit", "campaign", "metric", "target", "baseline", "report", "report_value",
          "report_revision", "user", "role_assignment", "api_token"]


def snapshot(engine) -> dict[str, object]:  # noqa: ANN001
    with engine.connect() as conn:
        out: dict[str, object] = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar()
                                  for t in TABLES}
        out["values"] = conn.execute(text(
            "SELECT COALESCE(SUM(value), 0) FROM report_value")).scalar()
        out["versions"] = conn.execute(text(
            "SELECT COALESCE(SUM(version), 0) FROM report")).scalar()
    return out


@pytest.fixture
def unchanged(own_db):  # noqa: ANN001, ANN201
    """Fails the test if anything stored changed."""
    before = snapshot(own_db.engine)
    yield
    assert snapshot(own_db.engine) == before


@pytest.fixture(scope="module")
def report_id(own_client, login) -> int:  # noqa: ANN001
    admin = login("admin")
    own_client.post("/api/v1/units", headers=admin, json={
        "code": "T-BAD", "name": "Đơn vị thử", "kind": "agency", "parent": "HN-GL",
        "opened_on": "2024-01-01"})
    r = own_client.post("/api/v1/reports", headers=admin, json=staff_report("T-BAD"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _post(client, headers, content: bytes, content_type: str = "application/json"):  # noqa: ANN001, ANN202
    return client.post("/api/v1/reports", content=content,
                       headers={**headers, "Content-Type": content_type})


def test_oversized_body_is_refused_before_reading(own_client, login, unchanged):  # noqa: ANN001
    big = b'{"campaign": "ihanoi-2024", "note": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    assert_error(_post(own_client, login("admin"), big), 413, "payload_too_large")


def test_deeply_nested_json(own_client, login, unchanged):  # noqa: ANN001
    deep = b"[" * 10_000 + b"]" * 10_000
    r = _post(own_client, login("admin"), deep)
    assert 400 <= r.status_code < 500, r.text
    assert_error(r, r.status_code)
    nested_values = b'{"values": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001
    r = _post(own_client, login("admin"), nested_values)
    assert_error(r, 422)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "application/x-www-form-urlencoded"])
def test_wrong_content_type(own_client, login, unchanged, content_type):  # noqa: ANN001
    body = b'{"campaign": "ihanoi-2024", "unit": "GL-X-DATON", "period": "2024-W31", ' \
           b'"values": {"staff_total": 30, "staff_installed": 20}}'
    r = _post(own_client, login("admin"), body, content_type)
    assert_error(r, r.status_code)
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("raw", [b'{"campaign": "\xff\xfe", "unit": "x"}', b"\xc3\x28",
                                 b'{"campaign": "ihanoi-2024", "note": "\xed\xa0\x80"}'])
def test_invalid_utf8(own_client, login, unchanged, raw):  # noqa: ANN001
    assert_error(_post(own_client, login("admin"), raw), 422)


def test_huge_integers(own_client, login, unchanged, report_id):  # noqa: ANN001
    admin = login("admin")
    huge = 10**30
    r = own_client.post("/api/v1/reports", headers=admin, json=staff_report(
        "GL-X-BATTRANG", period="2024-W31", total=huge, installed=1))
    assert_error(r, 422, field="values.staff_total")
    r = own_client.put(f"/api/v1/reports/{report_id}", headers=admin,
                       json={"values": {"staff_total": 30, "staff_installed": 20},
                             "version": huge})
    assert_error(r, 422, field="version")
    assert_error(own_client.get(f"/api/v1/reports/{huge}", headers=admin), 422)
    assert_error(own_client.get("/api/v1/reports", headers=admin,
                                params={"limit": huge}), 422)
    assert_error(own_client.put(f"/api/v1/reports/{report_id}",
                                headers={**admin, "If-Match": f'"{10**20}"'},
                                json={"values": {"staff_total": 30, "staff_installed": 20}}),
                 412)
    assert_error(own_client.get(f"/api/v1/users/{-huge}", headers=admin), 422)


HOSTILE = ["Robert'); DROP TABLE unit;--", "<script>alert('x')</script>",
           "\" OR 1=1 --", "Thôn \\u0000 ${7*7} {{7*7}}"]


@pytest.mark.parametrize("name", HOSTILE)
def test_sql_and_script_in_names_are_stored_verbatim(own_client, login, name):  # noqa: ANN001
    admin = login("admin")
    code = f"T-HOSTILE-{HOSTILE.index(name)}"
    r = own_client.post("/api/v1/units", headers=admin,
                        json={"code": code, "name": name, "kind": "agency", "parent": "HN-GL"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    got = own_client.get(f"/api/v1/units/{code}", headers=admin)
    assert got.json()["name"] == name
    found = own_client.get("/api/v1/units", headers=admin, params={"q": name}).json()
    assert [u["code"] for u in found["data"]] == [code]


@pytest.mark.parametrize("code", ["x'; DROP TABLE unit;--", "<b>", "a b", "../../etc"])
def test_hostile_codes_are_refused(own_client, login, unchanged, code):  # noqa: ANN001
    r = own_client.post("/api/v1/units", headers=login("admin"),
                        json={"code": code, "name": "x", "kind": "agency", "parent": "HN-GL"})
    assert_error(r, 422, field="code")
