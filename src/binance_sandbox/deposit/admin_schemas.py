"""Connect Deposit's control requests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DepositDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # externalOrderId is unique per partner (NOTES.md "Deposit").
    partnerClientId: str = Field(min_length=1)
