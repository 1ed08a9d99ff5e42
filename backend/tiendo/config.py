"""Settings from the environment (prefix TIENDO_)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIENDO_", env_file=".env", extra="ignore")

    # "demo" generates a signing key into var/ on first start; "production" refuses to run without one.
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
        if not key_file.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(48))
        return key_file.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
