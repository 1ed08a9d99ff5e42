"""Log-in and password change, with brute-force throttling.

Failed attempts are rows in the request's own transaction: the route *returns* the refusal
instead of raising it, so the session commits the failure record (one transaction owner, and
it works the same with every worker and database)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.models import LoginFailure, User
from tiendo.auth.principal import Principal
from tiendo.auth.schemas import PasswordChange
from tiendo.auth.security import (
    create_access_token,
    hash_password,
    verify_and_rehash,
    verify_password,
)
from tiendo.auth.service import audit_unit_of
from tiendo.config import get_settings
from tiendo.errors import DomainError, Invalid, TooManyRequests, Unauthorized

# Failures are counted per (user, address) and per address, never per user alone: otherwise
# anyone who knows a username could keep its owner locked out from anywhere. An address may
# try several accounts (a shared office connection), so it gets more room. Slow guessing
# spread over many addresses is bounded by the per-address limit of each and by argon2's cost.
ADDRESS_FACTOR = 4


class FailedAttempt(Exception):  # noqa: N818 - a carrier, not an error of its own
    """Carries the refusal of a failed attempt whose record must be committed: the route
    returns `error` as its answer instead of raising it."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


def _window(now: datetime) -> datetime:
    return now - timedelta(seconds=get_settings().login_window_seconds)


def check_throttle(session: Session, username: str, address: str, now: datetime) -> None:
    """429 while this user from this address, or this address, has too many recent failures.
    Failures from other addresses never hold a user up."""
    settings = get_settings()
    limit = settings.login_max_failures
    since = _window(now)
    blocked_since: list[datetime] = []
    for where, allowed in (((LoginFailure.username == username,
                             LoginFailure.address == address), limit),
                           ((LoginFailure.address == address,), limit * ADDRESS_FACTOR)):
        count, oldest = session.exec(
            select(func.count(), func.min(LoginFailure.at))
            .where(*where, LoginFailure.at > since)).one()
        if count >= allowed:
            blocked_since.append(oldest)
    if blocked_since:
        free_at = max(blocked_since) + timedelta(seconds=settings.login_window_seconds)
        wait = max(1, math.ceil((free_at - now).total_seconds()))
        raise TooManyRequests("Đăng nhập sai quá nhiều lần; vui lòng thử lại sau vài phút.",
                              headers={"Retry-After": str(wait)})


def record_failure(session: Session, username: str, address: str, now: datetime,
                   user: User | None, action: str = "auth.login_failed") -> None:
    session.add(LoginFailure(username=username[:64], address=address[:64], at=now))
    unit_id = audit_unit_of(session, user.id) if user is not None else None
    record(session, None, action, "user", user.id if user else None, unit_id=unit_id,
           detail={"username": username[:64]}, at=now, actor_name=username[:64],
           address=address)


def login(session: Session, username: str, password: str, address: str | None,
          now: datetime) -> tuple[str, int]:
    """Raises TooManyRequests, or FailedAttempt once the failure is added to the session."""
    address = address or "unknown"
    username = username.strip().lower()
    check_throttle(session, username, address, now)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(password, None)  # same cost as for a real user
        ok, new_hash = False, None
    else:
        ok, new_hash = verify_and_rehash(password, user.password_hash)
    if not ok or user is None or not user.active:
        record_failure(session, username, address, now, user)
        raise FailedAttempt(Unauthorized("Sai tên đăng nhập hoặc mật khẩu.",
                                         code="invalid_credentials"))
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
    session.exec(delete(LoginFailure).where(LoginFailure.username == username,
                                            LoginFailure.address == address))
    actor = Principal(name=user.full_name, grants=[], user_id=user.id, address=address)
    record(session, actor, "auth.login", "user", user.id, unit_id=audit_unit_of(session, user.id),
           at=now)
    return create_access_token(user.id, user.token_generation, now)


def change_password(session: Session, principal: Principal, user: User, data: PasswordChange,
                    now: datetime) -> None:
    """Needs the current password, throttled like log-in; every older session ends."""
    address = principal.address or "unknown"
    check_throttle(session, user.username, address, now)
    if not verify_password(data.current_password, user.password_hash):
        record_failure(session, user.username, address, now, user, "user.password_failed")
        raise FailedAttempt(Invalid("Mật khẩu hiện tại không đúng.", field="current_password",
                                    code="wrong_password"))
    if data.new_password == data.current_password:
        raise Invalid("Mật khẩu mới phải khác mật khẩu hiện tại.", field="new_password",
                      code="same_password")
    user.password_hash = hash_password(data.new_password)
    user.token_generation += 1
    session.add(user)
    record(session, principal, "user.password_change", "user", user.id,
           unit_id=audit_unit_of(session, user.id), at=now)
