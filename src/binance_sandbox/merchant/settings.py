"""The merchant kit's one settings object, built by whoever creates the app (CLI, tests)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from binance_sandbox.signing import RsaKeyError, load_public_key

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///merchant.db"


class MerchantSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL; `sqlite://`, `postgresql://` and a bare file path are accepted too."""

    api_token: str | None = None
    """Bearer token the platform must send on callback calls; None: not required."""

    webhook_public_key: str | None = None
    """The platform's webhook public key (Base64 X.509 DER or PEM). Verifies webhooks and, when
    present, the X-BN-Connect-Signature on callback calls. None: nothing is verified."""

    client_id: str | None = None
    """The partner's client id, expected in X-BN-Connect-For. None: not checked."""

    auto_complete_transfers: bool = True
    """Refunds and sell transfers succeed on the first call; False: they stay PENDING until
    the merchant's own API completes (or fails) them."""

    check_pending_polls: int = Field(default=0, ge=0)
    """Check Transaction answers PENDING this many times before COMPLETED (to test polling)."""

    id_seed: int | None = None
    """Seed for the kit's own references (transactionId, refundReference, …), for
    reproducible runs. None: from the OS's randomness."""

    @field_validator("webhook_public_key")
    @classmethod
    def _loadable(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                load_public_key(value)
            except RsaKeyError as exc:
                raise ValueError(f"webhook_public_key: {exc}") from exc
        return value
