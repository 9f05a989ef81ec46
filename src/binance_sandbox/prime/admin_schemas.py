"""Connect Prime's control requests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OrderFail(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=64)
