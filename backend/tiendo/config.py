"""Settings from the environment (prefix TIENDO_)."""

from __future__ import annotations

import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # Spreadsheet imports: what an .xlsx may unpack to (checked before it is parsed) and the
    # longest text a cell of an .xlsx or .csv may hold.
    import_max_unpacked_bytes: int = Field(default=25 * 1024 * 1024, ge=64 * 1024)
    import_max_cell_chars: int = Field(default=2000, ge=64)
    # Days `tiendo purge` keeps the record of each bulk post and import (GET /imports).
    import_ledger_days: int = Field(default=90, ge=1)
    # Failed log-ins tolerated per (user, address) inside the window before answering 429; an
    # address alone gets 4x that (tiendo.auth.login.ADDRESS_FACTOR).
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
    # --- reminders (see README "Reminders"); a channel without its settings is off ---
    # Links in messages point here (the unit's report page).
    public_url: str = "http://localhost:8000"
    # E-mail: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS at once).
    smtp_url: str = ""
    mail_from: str = "Tiến Độ <no-reply@localhost>"
    smtp_ca_file: str = ""  # a CA bundle for a mail server with an internal certificate
    # Zalo Notification Service: one approved template; its data keys are documented in README.
    zns_access_token: str = ""
    zns_template_id: str = ""
    zns_api_url: str = "https://business.openapi.zalo.me/message/template"
    # SMS through any HTTP gateway: a JSON body template whose string values may hold {phone},
    # {text} and {id}; an auth header "Name: value"; optionally a JSON field=value that an
    # accepted message answers (gateways that answer 200 with an error code in the body).
    sms_url: str = ""
    sms_method: Literal["POST", "PUT"] = "POST"
    sms_body: str = '{"to": "{phone}", "text": "{text}"}'
    sms_auth_header: str = ""
    sms_success: str = ""
    reminder_timeout_seconds: float = Field(default=10.0, gt=0, le=120)  # SMTP, ZNS, SMS
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # A failed message is tried again after retry_seconds × 2^(attempts-1), at most this often.
    reminder_max_attempts: int = Field(default=5, ge=1, le=20)
    reminder_retry_seconds: float = Field(default=300, ge=0, le=86400)
    # A schedule entry still goes out this long after its time (a scheduler that was down).
    reminder_window_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)
    # Webhooks (and other outbound senders) may target loopback/private addresses: only for a
    # closed network whose receivers live there (see tiendo.core.outbound).
    webhook_allow_private: bool = False

    # --- production: serving, observability, database pool (see README "Deployment") ---
    # Host names the app answers to ("*" = any; loopback is always allowed for health checks).
    allowed_hosts: Annotated[list[str], NoDecode] = ["*"]
    # Web origins allowed to call the API from a browser (CORS); empty = same origin only.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Send Strict-Transport-Security on every response, not only on requests that came by https.
    hsts: bool = False
    log_level: str = "INFO"
    access_log: bool = True  # one JSON line per request
    # Kept per-node, per-week subtree totals (tiendo.figures.kept); off: every read is live.
    figure_cache: bool = True
    # The chase list of a subtree expecting more units than this names its child areas, worst
    # first, instead of its units (tiendo.cycle.chase_areas).
    chase_areas_above: int = Field(default=3000, ge=0)
    # /metrics: a bearer token, and/or client networks allowed without one (e.g. 10.0.0.0/8).
    metrics_token: str = ""
    metrics_networks: Annotated[list[str], NoDecode] = []
    # Addresses of the proxies whose X-Forwarded-For/-Proto are believed ("*" = any).
    forwarded_allow_ips: str = "127.0.0.1"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout: float = Field(default=10, gt=0)  # seconds to wait for a free connection
    db_pool_recycle: int = Field(default=1800, ge=-1)  # seconds before a connection is renewed
    db_connect_timeout: int = Field(default=5, ge=1)
    # Behind PgBouncer in transaction mode: no startup options, no server-side prepared statements.
    db_pgbouncer: bool = False

    @field_validator("allowed_hosts", "cors_origins", "metrics_networks", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return f"sqlite:///{self.var_dir / 'tiendo.db'}"

    def signing_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        if self.mode == "production":
            raise RuntimeError("TIENDO_SECRET_KEY must be set in production mode")
        return _generated_key(self.var_dir)


@lru_cache(maxsize=8)
def _generated_key(var_dir: Path) -> str:
    """The demo key, created once by whichever worker comes first, read once per process
    (every request checks a token with it)."""
    key_file = var_dir / "secret_key"
    var_dir.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        # Written aside, then linked into place: of several workers starting at once,
        # exactly one key wins and nobody reads a half-written file.
        fd, tmp = tempfile.mkstemp(dir=var_dir, prefix=".secret_key.")
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
