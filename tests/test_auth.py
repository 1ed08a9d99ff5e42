"""Log-in, sessions and tokens over time, passwords, and the limits of what an admin may grant."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import DEMO_NOW, PASSWORD, assert_error
from factories import staff_report
from tiendo.config import get_settings

API = "/api/v1"


def login(client, username: str, password: str = PASSWORD):  # noqa: ANN001, ANN201
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def headers_of(client, username: str, password: str = PASSWORD) -> dict[str, str]:  # noqa: ANN001
    r = login(client, username, password)
    assert r.status_code == 200, r.text
    return bearer(r.json()["access_token"])


def new_user(client, admin, username: str, role: str, *units: str) -> dict:  # noqa: ANN001
    r = client.post(f"{API}/users", headers=admin, json={
        "username": username, "full_name": f"Người {username}", "password": PASSWORD,
        "roles": [{"role": role, "unit": u} for u in units]})
    assert r.status_code == 201, r.text
    return r.json()


def new_token(client, admin, scopes: list[str], unit: str = "GL-X-DATON", days: int = 90):  # noqa: ANN001, ANN201
    r = client.post(f"{API}/tokens", headers=admin, json={
        "name": "thử", "unit": unit, "scopes": scopes, "expires_in_days": days})
    assert r.status_code == 201, r.text
    return r.json()


def test_login_and_me(client):
    r = login(client, "daton")
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    assert r.json()["expires_in"] == get_settings().access_token_minutes * 60
    me = client.get(f"{API}/auth/me", headers=bearer(r.json()["access_token"])).json()
    assert me["username"] == "daton"
    assert [(x["role"], x["unit"]) for x in me["roles"]] == [("reporter", "GL-X-DATON")]


def test_access_token_expires_after_its_lifetime(client, clock):
    headers = headers_of(client, "lanhdao")
    minutes = get_settings().access_token_minutes
    clock.set(DEMO_NOW + timedelta(minutes=minutes) - timedelta(seconds=1))
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 200
    clock.set(DEMO_NOW + timedelta(minutes=minutes))
    assert_error(client.get(f"{API}/auth/me", headers=headers), 401, "invalid_token")


@pytest.mark.parametrize("token", ["", "garbage", "tdk_unknown", "a.b.c"])
def test_bad_bearer_tokens_are_401(client, token):
    r = client.get(f"{API}/units", headers=bearer(token))
    assert_error(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_integration_token_expiry_revocation_and_last_use(client, clock, auth):
    admin = auth("admin")
    token = new_token(client, admin, ["read"], days=1)
    assert token["token"].startswith("tdk_") and token["last_used_at"] is None
    assert client.get(f"{API}/units/GL-X-DATON", headers=bearer(token["token"])).status_code == 200
    listed = {t["id"]: t for t in client.get(f"{API}/tokens", headers=admin).json()["data"]}
    assert listed[token["id"]]["last_used_at"] is not None
    assert "token" not in listed[token["id"]]  # the secret is shown once only
    clock.set(DEMO_NOW + timedelta(days=1))
    assert_error(client.get(f"{API}/units/GL-X-DATON", headers=bearer(token["token"])), 401,
                 "token_expired")
    clock.set(DEMO_NOW)
    r = client.post(f"{API}/tokens/{token['id']}/revoke", headers=admin)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert_error(client.get(f"{API}/units/GL-X-DATON", headers=bearer(token["token"])), 401,
                 "token_revoked")


def test_write_only_token_posts_reports_but_reads_nothing(client, auth):
    """Decision: reading needs the `read` scope, even of what the token itself wrote."""
    token = bearer(new_token(client, auth("admin"), ["reports:write"])["token"])

    def report(unit: str) -> dict:
        body = staff_report(unit, period="2024-W36", campaign="ihanoi-live", total=40,
                            installed=40)
        body["values"]["residents_accounts"] = 9000
        return body

    r = client.post(f"{API}/reports", headers=token, json=report("GL-X-DATON"))
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "api"
    for url in ("/reports", f"/reports/{r.json()['id']}", "/units", "/campaigns"):
        assert_error(client.get(API + url, headers=token), 403)
    r = client.post(f"{API}/reports", headers=token, json=report("GL-X-BATTRANG"))
    assert_error(r, 404, "unit_not_found", "unit")


def test_tokens_are_not_people(client, auth):
    token = bearer(new_token(client, auth("admin"), ["read", "reports:write"])["token"])
    assert_error(client.get(f"{API}/auth/me", headers=token), 403, "user_required")
    r = client.post(f"{API}/auth/password", headers=token,
                    json={"current_password": "x", "new_password": "new-password-1"})
    assert_error(r, 403, "user_required")
    assert_error(client.get(f"{API}/users", headers=token), 403)
    assert_error(client.post(f"{API}/tokens", headers=token, json={
        "name": "x", "unit": "GL-X-DATON", "scopes": ["read"]}), 403)


def test_deactivated_user_is_locked_out_at_once(client, auth):
    admin = auth("admin")
    user = new_user(client, admin, "tam-nghi", "reporter", "GL-X-DATON")
    headers = headers_of(client, "tam-nghi")
    r = client.patch(f"{API}/users/{user['id']}", headers=admin, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert_error(client.get(f"{API}/auth/me", headers=headers), 401, "invalid_token")
    assert_error(login(client, "tam-nghi"), 401, "invalid_credentials")
    client.patch(f"{API}/users/{user['id']}", headers=admin, json={"active": True})
    assert login(client, "tam-nghi").status_code == 200
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 401  # old one stays dead


def test_password_change_ends_every_older_session(client, auth):
    new_user(client, auth("admin"), "doi-mk", "viewer", "GL-X-DATON")
    first, second = headers_of(client, "doi-mk"), headers_of(client, "doi-mk")
    r = client.post(f"{API}/auth/password", headers=first,
                    json={"current_password": "wrong-one", "new_password": "new-password-1"})
    assert_error(r, 422, "wrong_password", "current_password")
    r = client.post(f"{API}/auth/password", headers=first,
                    json={"current_password": PASSWORD, "new_password": "new-password-1"})
    assert r.status_code == 204, r.text
    for old in (first, second):
        assert_error(client.get(f"{API}/auth/me", headers=old), 401)
    assert_error(login(client, "doi-mk"), 401)
    assert login(client, "doi-mk", "new-password-1").status_code == 200


def test_admin_reset_ends_the_users_sessions(client, auth):
    admin = auth("admin")
    user = new_user(client, admin, "quen-mk", "reporter", "GL-X-DATON")
    old = headers_of(client, "quen-mk")
    r = client.post(f"{API}/users/{user['id']}/password", headers=admin,
                    json={"new_password": "reset-password-1"})
    assert r.status_code == 204
    assert_error(client.get(f"{API}/auth/me", headers=old), 401)
    assert login(client, "quen-mk", "reset-password-1").status_code == 200


def test_commune_admin_grants_only_inside_the_commune(client, auth):
    new_user(client, auth("admin"), "xa-admin", "admin", "GL-X-DATON")
    commune_admin = headers_of(client, "xa-admin")
    for unit in ("HN-GL", "GL-X-BATTRANG", "HN"):
        r = client.post(f"{API}/users", headers=commune_admin, json={
            "username": "leo-thang", "full_name": "Leo thang", "password": PASSWORD,
            "roles": [{"role": "admin", "unit": unit}]})
        assert_error(r, 404, "unit_not_found", "roles.0.unit")
    r = client.post(f"{API}/tokens", headers=commune_admin,
                    json={"name": "x", "unit": "HN-GL", "scopes": ["read"]})
    assert_error(r, 404, "unit_not_found", "unit")
    user = new_user(client, commune_admin, "thon-1", "reporter", "GL-X-DATON-T1")
    r = client.put(f"{API}/users/{user['id']}/roles", headers=commune_admin,
                   json={"roles": [{"role": "admin", "unit": "HN-GL"}]})
    assert_error(r, 404, "unit_not_found", "roles.0.unit")


def test_admin_cannot_change_own_roles_or_reset_own_password(client, auth):
    admin = auth("admin")
    me = client.get(f"{API}/auth/me", headers=admin).json()
    r = client.put(f"{API}/users/{me['id']}/roles", headers=admin,
                   json={"roles": [{"role": "admin", "unit": "HN-GL"}]})
    assert_error(r, 403, "self_grant")
    r = client.post(f"{API}/users/{me['id']}/password", headers=admin,
                    json={"new_password": "no-current-needed"})
    assert_error(r, 403, "self_reset")
    assert_error(client.patch(f"{API}/users/{me['id']}", headers=admin, json={"active": False}),
                 422, field="active")


def test_reporter_cannot_touch_users_or_tokens(client, auth):
    daton = auth("daton")
    me = client.get(f"{API}/auth/me", headers=daton).json()
    for method, url, body in [
        ("GET", "/users", None), ("GET", f"/users/{me['id']}", None),
        ("PUT", f"/users/{me['id']}/roles", {"roles": [{"role": "admin", "unit": "GL-X-DATON"}]}),
        ("PATCH", f"/users/{me['id']}", {"full_name": "x"}),
        ("POST", "/tokens", {"name": "x", "unit": "GL-X-DATON", "scopes": ["read"]}),
        ("GET", "/tokens", None), ("GET", "/audit", None),
    ]:
        assert_error(client.request(method, API + url, headers=daton, json=body), 403)
    assert client.get(f"{API}/auth/me", headers=daton).json()["roles"] == me["roles"]


@pytest.mark.parametrize(("url", "body"), [
    ("/users", {"username": "x-user", "full_name": "x", "password": PASSWORD,
                "roles": [{"role": "viewer", "unit": "GL-X-DATON"}], "password_hash": "h"}),
    ("/users", {"username": "x-user", "full_name": "x", "password": PASSWORD,
                "roles": [{"role": "viewer", "unit": "GL-X-DATON"}], "token_generation": 0}),
    ("/users", {"username": "x-user", "full_name": "x", "password": PASSWORD,
                "roles": [{"role": "owner", "unit": "GL-X-DATON"}]}),
    ("/tokens", {"name": "x", "unit": "GL-X-DATON", "scopes": ["admin"]}),
    ("/tokens", {"name": "x", "unit": "GL-X-DATON", "scopes": ["read"], "token_hash": "h"}),
    ("/tokens", {"name": "x", "unit": "GL-X-DATON", "scopes": ["read"], "expires_in_days": 0}),
])
def test_no_mass_assignment(client, auth, url, body):
    assert_error(client.post(API + url, headers=auth("admin"), json=body), 422)


@pytest.mark.parametrize("body", [{"roles": []}, {"username": "new"}, {"password": "x" * 10},
                                  {"full_name": None}, {"active": None}])
def test_user_update_takes_only_profile_fields(client, auth, body):
    admin = auth("admin")
    user = new_user(client, admin, "sua-thu", "viewer", "GL-X-DATON")
    assert_error(client.patch(f"{API}/users/{user['id']}", headers=admin, json=body), 422)


def test_admins_see_only_roles_inside_their_subtree(client, auth):
    admin = auth("admin")
    both = new_user(client, admin, "hai-xa", "reporter", "GL-X-DATON", "GL-X-BATTRANG")
    new_user(client, admin, "bt-admin", "admin", "GL-X-BATTRANG")
    bt_admin = headers_of(client, "bt-admin")
    seen = client.get(f"{API}/users/{both['id']}", headers=bt_admin).json()
    assert [r["unit"] for r in seen["roles"]] == ["GL-X-BATTRANG"]
    assert "GL-X-DATON" not in client.get(f"{API}/users", headers=bt_admin).text
    # ...and cannot change someone whose roles reach beyond their subtree.
    r = client.patch(f"{API}/users/{both['id']}", headers=bt_admin, json={"full_name": "x"})
    assert_error(r, 403)
