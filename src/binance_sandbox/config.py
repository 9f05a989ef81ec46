"""The one typed settings object. Built by the app factory or the CLI, never at import time."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def normalize_database_url(url: str) -> str:
    """Pick the async driver for a plain URL: `sqlite:///x.db`, `postgresql://…` (asyncpg;
    a URL that names its driver, `postgresql+psycopg://…`, keeps it)."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BSX_", extra="ignore")

    database_url: str = "sqlite:///binance-sandbox.db"
    redis_url: str | None = None
    admin_token: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    public_base_url: str | None = None

    # Seeds every random id and the simulated market, so a run can be reproduced.
    seed: int = 0
    market: str = "simulated"

    # Start the delivery worker inside the API process (the embedded default). Scaled-out
    # deployments run `binance-sandbox worker` separately and set this to false.
    embedded_worker: bool = True
    worker_poll_ms: int = 200
    worker_batch: int = 20
    worker_concurrency: int = 10
    worker_lease_ms: int = 30_000
    outbound_timeout_s: float = 10.0

    # The sandbox clock starts frozen at this time (ms since the epoch) when set.
    clock_start_ms: int | None = None

    # Connect (guide §4 gives no window; this is the sandbox's, on the sandbox clock).
    connect_recv_window_ms: int = 60_000
    quote_ttl_ms: int = 60_000
    # Connect Deposit: how long a deposit session's link may be used (docs/connect-deposit.md).
    deposit_link_ttl_ms: int = 900_000

    # Binance Pay (NOTES.md: the docs say 1 s; the window here is the sandbox's choice).
    pay_recv_window_ms: int = 5_000
    pay_webhook_max_attempts: int = 7  # the first try and "up to 6" retries
    pay_max_body_bytes: int = 65_536
    check_interval_ms: int = 3_000
    check_deadline_ms: int = 300_000
    merchant_poll_interval_ms: int = 3_000
    merchant_max_attempts: int = 20
    webhook_max_attempts: int = 16
    webhook_backoff_base_ms: int = 1_000
    webhook_backoff_cap_ms: int = 600_000

    # Wallet API (wapi v3, sapi, api; docs/wallet-api.md): request weight per sandbox minute,
    # per IP and per API key; how many 429s an IP gets in one minute before a ban (418).
    wallet_ip_weight_per_minute: int = 1_200
    wallet_key_weight_per_minute: int = 1_200
    wallet_429s_before_ban: int = 5
    # Rate-limit counters live in Redis under this prefix when `redis_url` is set.
    wallet_rate_limit_prefix: str = "bsx:wapi:"
    # `/sapi/v1/asset/dust`: at most one conversion per user in this much sandbox time.
    wallet_dust_interval_ms: int = 86_400_000

    # Fault rules are rows of the database; each process reads them again at most this often
    # (and at once after changing one itself), so a rule reaches every process within it.
    fault_refresh_ms: int = 500

    # Platform liquidity minted once per asset when the database is created.
    treasury_amount: str = "1000000000"

    # PostgreSQL connections one process keeps at most (opened as needed, then kept). Every
    # API process and worker has its own pool: their sum must stay under the server's
    # `max_connections` (100 by default).
    db_pool_size: int = Field(default=20, ge=1, le=1000)

    # How long a statement waits for a lock before the request answers "busy".
    db_lock_timeout_ms: int = 10_000

    max_body_bytes: int = 1_048_576
    # One INFO log line per API request, and the request log kept for the control API.
    log_requests: bool = True
    # "json": one JSON object per log line on stderr (`serve --log-format json`).
    log_format: Literal["text", "json"] = "text"
    # `GET /metrics` (Prometheus). Open unless `metrics_token` is set; then it needs
    # `Authorization: Bearer <metrics_token>` (not the admin token: scrapers need no power).
    metrics_enabled: bool = True
    metrics_token: str | None = None

    @field_validator("database_url")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_database_url(value)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


CONFIG_ENV = "BSX_CONFIG"


class ConfigFileMissing(ValueError):
    pass


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from, lowest first: defaults, the config file (`BSX_*=value` lines, as in a
    `.env` file; `config_file`, else the file named by `BSX_CONFIG`), `BSX_*` environment
    variables, then `overrides` (command-line options). A named file must exist."""
    path = config_file or os.environ.get(CONFIG_ENV) or None
    if path is not None and not Path(path).is_file():
        raise ConfigFileMissing(f"config file {path} does not exist")
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(_env_file=path, **values)
