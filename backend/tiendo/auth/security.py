"""Password hashing (argon2), access tokens (JWT) and integration token secrets."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import jwt
from pwdlib import PasswordHash

from tiendo.config import get_settings

_hasher = PasswordHash.recommended()
# A hash of a random password, so that a log-in for an unknown user costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
ALGORITHM = "HS256"
TOKEN_PREFIX = "tdk_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def verify_and_rehash(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(valid, a new hash when the stored one uses outdated parameters)."""
    return _hasher.verify_and_update(password, password_hash)


def create_access_token(user_id: int, generation: int, now: datetime) -> tuple[str, int]:
    settings = get_settings()
    ttl = timedelta(minutes=settings.access_token_minutes)
    payload = {"sub": str(user_id), "gen": generation, "iat": now, "exp": now + ttl,
               "typ": "access"}
    token = jwt.encode(payload, settings.signing_key(), algorithm=ALGORITHM)
    return token, int(ttl.total_seconds())


def decode_access_token(token: str, now: datetime) -> dict | None:
    """Checks signature and expiry against `now` (the request's clock, so tests can move it)."""
    try:
        payload = jwt.decode(token, get_settings().signing_key(), algorithms=[ALGORITHM],
                             options={"require": ["sub", "exp", "iat"], "verify_exp": False,
                                      "verify_iat": False})
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != "access" or not isinstance(payload.get("exp"), int | float):
        return None
    return payload if payload["exp"] > now.timestamp() else None


def new_api_token() -> tuple[str, str, str]:
    """(secret shown once, its prefix for recognition, its hash for storage)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[:12], hash_api_token(secret)


def hash_api_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
