"""Brute-force throttling of log-ins and password changes, and the audit trail of who did what."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from conftest import DEMO_NOW, PASSWORD, assert_error
from tiendo.auth.login import ADDRESS_FACTOR
from tiendo.auth.models import LoginFailure
from tiendo.auth.schemas import RoleGrant, UserCreate
from tiendo.auth.service import create_user
from tiendo.config import get_settings

API = "/api/v1"


def login(client, username: str, password: str = PASSWORD):  # noqa: ANN001, ANN201
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def audit(client, headers, **params) -> list[dict]:  # noqa: ANN001, ANN003
    r = client.get(f"{API}/audit", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_repeated_failures_for_a_user_are_refused_for_a_while(client, clock, session):
    limit, window = get_settings().login_max_failures, get_settings().login_window_seconds
    for _ in range(limit):
        assert_error(login(client, "daton", "wrong-password"), 401, "invalid_credentials")
    # Each failed request answered 401, yet its failure record was kept.
    rows = session.exec(select(LoginFailure).where(LoginFailure.username == "daton")).all()
    assert len(rows) == limit and {r.address for r in rows} == {"testclient"}
    r = login(client, "daton")  # even the right password, for now
    assert_error(r, 429, "too_many_requests")
    assert r.headers["Retry-After"] == str(window)
    clock.set(DEMO_NOW + timedelta(seconds=window // 2))
    assert int(login(client, "daton").headers["Retry-After"]) == window - window // 2
    assert login(client, "battrang").status_code == 200  # other users are not held up
    clock.set(DEMO_NOW + timedelta(seconds=window + 1))
    assert login(client, "daton").status_code == 200


def test_a_successful_login_clears_the_count(client):
    limit = get_settings().login_max_failures
    for _ in range(2):
        for _ in range(limit - 1):
            assert_error(login(client, "lanhdao", "wrong-password"), 401)
        assert login(client, "lanhdao").status_code == 200


def test_one_address_trying_many_names_is_refused(client):
    tries = get_settings().login_max_failures * ADDRESS_FACTOR
    for i in range(tries):
        assert_error(login(client, f"ghost-{i}", "wrong-password"), 401)
    assert_error(login(client, "vanphong"), 429)


def test_guessing_the_current_password_is_throttled_too(client, auth):
    daton = auth("daton")
    body = {"current_password": "guess-1234", "new_password": "new-password-1"}
    for _ in range(get_settings().login_max_failures):
        assert_error(client.post(f"{API}/auth/password", headers=daton, json=body), 422,
                     "wrong_password")
    body["current_password"] = PASSWORD
    assert_error(client.post(f"{API}/auth/password", headers=daton, json=body), 429)


def test_failed_logins_are_in_the_audit_trail(client, auth, session):
    admin = auth("admin")
    daton_id = client.get(f"{API}/auth/me", headers=auth("daton")).json()["id"]
    assert_error(login(client, "daton", "wrong-password"), 401)
    assert_error(login(client, "nobody-here", "wrong-password"), 401)
    rows = audit(client, admin, action="auth.login_failed")
    assert [(r["actor_name"], r["object_id"], r["address"]) for r in rows] == [
        ("daton", str(daton_id), "testclient")]
    assert rows[0]["at"] == "2024-09-05T03:00:00Z"
    # Unknown names belong to no unit: only an admin of the root unit sees them.
    create_user(session, None, UserCreate(username="city-admin", full_name="Thành phố",
                                          password=PASSWORD,
                                          roles=[RoleGrant(role="admin", unit="HN")]), DEMO_NOW)
    session.commit()
    city = {"Authorization": "Bearer " + login(client, "city-admin").json()["access_token"]}
    names = [r["actor_name"] for r in audit(client, city, action="auth.login_failed")]
    assert names == ["nobody-here", "daton"]
    assert [r["action"] for r in audit(client, admin, object_id=str(daton_id),
                                       object_type="user")][:1] == ["auth.login_failed"]


def test_audit_row_says_who_what_when_where_and_to_which_object(client, auth, clock):
    daton = auth("daton")
    clock.set(DEMO_NOW + timedelta(minutes=5))
    body = {"campaign": "ihanoi-live", "unit": "GL-X-DATON", "period": "2024-W36",
            "values": {"staff_total": 40, "staff_installed": 40, "residents_accounts": 9000}}
    report = client.post(f"{API}/reports", headers=daton, json=body).json()
    row = audit(client, auth("admin"), action="report.create", limit=1)[0]
    assert row["actor_name"] == "Cán bộ UBND xã Đa Tốn (demo)"
    assert row["actor_user_id"] == client.get(f"{API}/auth/me", headers=daton).json()["id"]
    assert (row["object_type"], row["object_id"]) == ("report", str(report["id"]))
    assert (row["unit_id"], row["address"]) == (report["unit_id"], "testclient")
    assert row["at"] == "2024-09-05T03:05:00Z"
    assert row["detail"]["values"] == body["values"]


def test_commune_admin_reads_only_the_communes_audit(client, auth):
    admin = auth("admin")
    client.post(f"{API}/users", headers=admin, json={
        "username": "bt-admin", "full_name": "Bát Tràng", "password": PASSWORD,
        "roles": [{"role": "admin", "unit": "GL-X-BATTRANG"}]})
    client.patch(f"{API}/units/GL-X-DATON-T1", headers=admin, json={"head_name": "A"})
    client.patch(f"{API}/units/GL-X-BATTRANG-T1", headers=admin, json={"head_name": "B"})
    bt = {"Authorization": "Bearer " + login(client, "bt-admin").json()["access_token"]}
    rows = audit(client, bt, action="unit.update")
    assert len(rows) == 1 and rows[0]["detail"] == {"head_name": "B"}
    assert_error(client.get(f"{API}/audit", headers=bt, params={"under": "GL-X-DATON"}), 404)
    assert len(audit(client, admin, action="unit.update")) == 2
