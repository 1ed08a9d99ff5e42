"""Settings from the environment (prefix TIENDO_)."""

from __future__ import annotations

import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIENDO_", env_file=".env", extra="ignore")

    # "demo" generates a signing key into var/ on first start; "production" refuses to run
    # without one.
    mode: Literal["demo", "production"] = "demo"
    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""
    secret_key: str = ""
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    static_dir: Path = REPO_ROOT / "frontend" / "dist"
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # Failed log-ins tolerated per user or address inside the window before answering 429.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    # Where `tiendo sync-official` pulls official counts from (JSON, shape in tiendo.official.sync).
    official_counts_url: str = ""
    official_counts_timeout: float = Field(default=10.0, gt=0, le=300)
    # argon2id cost. The defaults are the recommended ones; tests lower them to run fast, and
    # production mode refuses anything weaker than the defaults.
    argon2_memory_kib: int = Field(default=65536, ge=1024)
    argon2_time_cost: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _no_weak_hashing_in_production(self) -> Settings:
        if self.mode == "production" and (self.argon2_memory_kib < 65536
                                          or self.argon2_time_cost < 3):
            raise ValueError("argon2 cost below the recommended one is refused in production")
        return self
    # Reminder webhooks: per-attempt timeout, attempts, and the first back-off (doubled each time).
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_attempts: int = Field(default=3, ge=1, le=10)
    webhook_backoff_seconds: float = Field(default=0.5, ge=0, le=60)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.var_dir / 'tiendo.db'}"

    def signing_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        if self.mode == "production":
            raise RuntimeError("TIENDO_SECRET_KEY must be set in production mode")
        key_file = self.var_dir / "secret_key"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            # Written aside, then linked into place: of several workers starting at once,
            # exactly one key wins and nobody reads a half-written file.
            fd, tmp = tempfile.mkstemp(dir=self.var_dir, prefix=".secret_key.")
            with os.fdopen(fd, "w") as f:  # mkstemp creates it with mode 0600
                f.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, key_file)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        key = key_file.read_text().strip()
        if len(key) < 32:
            raise RuntimeError(f"{key_file} holds no usable signing key")
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
