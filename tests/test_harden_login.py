"""Issue 13, finding 4: failures from one address never lock a user out from another."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import PASSWORD, assert_error
from tiendo.auth.login import ADDRESS_FACTOR
from tiendo.config import get_settings

API = "/api/v1"


@pytest.fixture
def elsewhere(client, app):  # noqa: ANN001, ANN201
    """The same app (same database, same clock) reached from another address."""
    return TestClient(app, client=("203.0.113.7", 50000))


def login(c, username: str, password: str = PASSWORD):  # noqa: ANN001, ANN201
    return c.post(f"{API}/auth/token", data={"username": username, "password": password})


def test_an_attacker_cannot_lock_a_user_out(client, elsewhere):
    limit = get_settings().login_max_failures
    for _ in range(limit * 3):  # the attacker keeps trying from their own address
        r = login(elsewhere, "daton", "wrong-password")
        assert r.status_code in (401, 429), r.text
    assert_error(login(elsewhere, "daton"), 429)  # the attacker is held up…
    assert login(client, "daton").status_code == 200  # …the user, elsewhere, is not


def test_the_users_own_address_is_throttled_per_user(client, elsewhere):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert_error(login(client, "lanhdao", "wrong-password"), 401)
    assert_error(login(client, "lanhdao"), 429)
    assert login(client, "vanphong").status_code == 200  # the address may log in others
    assert login(elsewhere, "lanhdao").status_code == 200


def test_an_address_trying_many_names_is_held_up_for_all(client, elsewhere):
    tries = get_settings().login_max_failures * ADDRESS_FACTOR
    for i in range(tries):
        assert_error(login(elsewhere, f"ghost-{i}", "wrong-password"), 401)
    assert_error(login(elsewhere, "vanphong"), 429)
    assert login(client, "vanphong").status_code == 200


def test_password_change_guesses_do_not_lock_the_user_elsewhere(client, elsewhere, auth):
    daton = auth("daton")
    body = {"current_password": "guess-1234", "new_password": "new-password-1"}
    for _ in range(get_settings().login_max_failures):
        assert_error(elsewhere.post(f"{API}/auth/password", headers=daton, json=body), 422)
    assert_error(elsewhere.post(f"{API}/auth/password", headers=daton, json=body), 429)
    assert login(client, "daton").status_code == 200
