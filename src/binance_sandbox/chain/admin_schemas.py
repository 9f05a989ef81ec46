"""The simulated chain's control requests."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class ChainTransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    network: str
    address: str = Field(min_length=1, max_length=128)
    addressTag: str | None = Field(default=None, max_length=64)
    asset: str
    amount: Decimal
