"""Password hashing (argon2), access tokens (JWT) and integration token secrets."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from tiendo.config import get_settings

ALGORITHM = "HS256"
TOKEN_PREFIX = "tdk_"


@lru_cache
def _hasher() -> tuple[PasswordHash, str]:
    """The argon2id hasher, and the hash of a random password so that a log-in for an unknown
    user costs the same time as one for a real user."""
    settings = get_settings()
    hasher = PasswordHash((Argon2Hasher(memory_cost=settings.argon2_memory_kib,
                                        time_cost=settings.argon2_time_cost),))
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    hasher, dummy = _hasher()
    if password_hash is None:
        hasher.verify(password, dummy)
        return False
    return hasher.verify(password, password_hash)


def verify_and_rehash(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(valid, a new hash when the stored one uses other cost parameters)."""
    return _hasher()[0].verify_and_update(password, password_hash)


def create_access_token(user_id: int, generation: int, now: datetime) -> tuple[str, int]:
    settings = get_settings()
    ttl = timedelta(minutes=settings.access_token_minutes)
    payload = {"sub": str(user_id), "gen": generation, "iat": now, "exp": now + ttl,
               "typ": "access"}
    token = jwt.encode(payload, settings.signing_key(), algorithm=ALGORITHM)
    return token, int(ttl.total_seconds())


# Tokens whose signature has been checked, with their claims: a token's claims never change,
# so each is verified once per process instead of on every request (expiry is still checked
# every time). Bounded; emptied when full.
_VERIFIED: dict[tuple[str, str], dict] = {}  # (signing key, token) → claims
VERIFIED_MAX = 4096


def _verify(token: str) -> dict | None:
    key = get_settings().signing_key()
    payload = _VERIFIED.get((key, token))
    if payload is None:
        try:
            payload = jwt.decode(token, key, algorithms=[ALGORITHM],
                                 options={"require": ["sub", "exp", "iat"], "verify_exp": False,
                                          "verify_iat": False})
        except jwt.PyJWTError:
            return None
        if payload.get("typ") != "access" or not isinstance(payload.get("exp"), int | float):
            return None
        if len(_VERIFIED) >= VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key, token] = payload
    return payload


def decode_access_token(token: str, now: datetime) -> dict | None:
    """Checks signature and expiry against `now` (the request's clock, so tests can move it)."""
    payload = _verify(token)
    if payload is None:
        return None
    return payload if payload["exp"] > now.timestamp() else None


def new_api_token() -> tuple[str, str, str]:
    """(secret shown once, its prefix for recognition, its hash for storage)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[:12], hash_api_token(secret)


def hash_api_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
