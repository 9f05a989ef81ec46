"""Wire models of the fault and reset calls (docs/faults.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FaultCreate(Body):
    family: Literal["connect", "pay", "wallet", "merchant", "delivery"]
    scope: dict[str, str] = Field(default_factory=dict)
    endpoint: str = Field(default="*", min_length=1, max_length=200)
    action: dict[str, Any]
    count: int | None = Field(default=None, ge=1, le=1_000_000)
    share: Decimal | None = Field(default=None, ge=0, le=1, decimal_places=6)


class Reset(Body):
    partnerClientId: str | None = None
