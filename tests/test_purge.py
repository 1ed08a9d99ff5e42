"""Old idempotency keys and failed log-ins are purged; recent ones, which still answer retries
and count toward throttling, stay."""

from datetime import timedelta

from sqlmodel import func, select

from conftest import DEMO_NOW
from tiendo.auth.models import LoginFailure
from tiendo.cycle.models import IdempotencyKey
from tiendo.ops.purge import purge


def test_purge_keeps_what_still_serves(session):
    now = DEMO_NOW
    for key, age in (("old", timedelta(days=8)), ("recent", timedelta(hours=1))):
        session.add(IdempotencyKey(principal="user:purge", key=key, request_hash="x" * 64,
                                   status_code=201, response_body={}, created_at=now - age))
    for name, age in (("old", timedelta(days=2)), ("recent", timedelta(minutes=1))):
        session.add(LoginFailure(username=f"purge-{name}", address="10.0.0.1", at=now - age))
    session.flush()

    done = purge(session, now, keep_idempotency_days=7, login_window=timedelta(minutes=5))

    keys = session.exec(select(IdempotencyKey.key)
                        .where(IdempotencyKey.principal == "user:purge")).all()
    users = session.exec(select(LoginFailure.username)
                         .where(LoginFailure.username.startswith("purge-"))).all()
    assert keys == ["recent"] and users == ["purge-recent"]
    assert done.idempotency_keys >= 1 and done.login_failures >= 1
    # Nothing older than the limits is left, whoever it belonged to.
    assert session.exec(select(func.count()).select_from(IdempotencyKey).where(
        IdempotencyKey.created_at < now - timedelta(days=7))).one() == 0
    assert session.exec(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.at < now - timedelta(days=1))).one() == 0


def test_a_long_throttling_window_is_kept_whole(session):
    now = DEMO_NOW
    session.add(LoginFailure(username="purge-window", address="10.0.0.2",
                             at=now - timedelta(days=2)))
    session.flush()
    purge(session, now, login_window=timedelta(days=3))
    assert session.exec(select(LoginFailure.username)
                        .where(LoginFailure.username == "purge-window")).all() == ["purge-window"]
