"""System status (with the control API's maintenance switch), account status and API
trading status (`systemStatus.html`, `accountStatus.html`, `apiTradingStatus.html`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from binance_sandbox.platform import Platform
from binance_sandbox.storage import meta
from binance_sandbox.storage.models import WalletAccountStatus
from binance_sandbox.storage.snapshot import Snapshot

SYSTEM_STATUS_KEY = "wallet:system_status"
NORMAL, MAINTENANCE = 0, 1
DEFAULT_MSG = {NORMAL: "normal", MAINTENANCE: "system maintenance"}
# apiTradingStatus.html: the thresholds the spec's sample shows.
TRIGGER_CONDITION = {"GCR": 150, "IFER": 150, "UFR": 300}


@dataclass(frozen=True)
class SystemStatus:
    status: int
    msg: str

    def out(self) -> dict[str, Any]:
        return {"status": self.status, "msg": self.msg}


NORMAL_STATUS = SystemStatus(NORMAL, DEFAULT_MSG[NORMAL])


class StatusService:
    """The system status is kept in `sandbox_meta` so every process sees the switch; each
    process looks again at most every `max_age_s`, and at once after its own change."""

    def __init__(self, platform: Platform, *, max_age_s: float = 0.5) -> None:
        self.p = platform
        self._stored = Snapshot(self._load, NORMAL_STATUS, max_age_s=max_age_s)

    async def _load(self) -> SystemStatus:
        async with self.p.db.read() as session:
            raw = await meta.get(session, SYSTEM_STATUS_KEY)
        if not raw:
            return NORMAL_STATUS
        data: dict[str, Any] = json.loads(raw)
        return SystemStatus(int(data["status"]), str(data["msg"]))

    async def system(self) -> SystemStatus:
        return await self._stored.get()

    async def set_system(self, status: int, msg: str | None) -> SystemStatus:
        value = SystemStatus(status, msg or DEFAULT_MSG[status])
        async with self.p.db.write() as session:
            await meta.put(session, SYSTEM_STATUS_KEY, json.dumps(value.out()))
        self._stored.put(value)
        return value

    async def _row(self, user_id: str) -> WalletAccountStatus | None:
        async with self.p.db.read() as session:
            row = (
                await session.execute(
                    select(WalletAccountStatus).where(WalletAccountStatus.user_id == user_id)
                )
            ).scalar_one_or_none()
        return row

    async def account(self, user_id: str) -> dict[str, Any]:
        row = await self._row(user_id)
        out: dict[str, Any] = {"msg": row.msg if row else "Normal", "success": True}
        objs = json.loads(row.objs) if row else []
        if objs:
            out["objs"] = objs
        return out

    async def api_trading(self, user_id: str) -> dict[str, Any]:
        row = await self._row(user_id)
        locked = bool(row and row.api_locked)
        return {
            "success": True,
            "status": {
                "isLocked": locked,
                "plannedRecoverTime": row.planned_recover_time if row and locked else 0,
                "triggerCondition": dict(TRIGGER_CONDITION),
                # The sandbox has no order book: no symbol has indicators.
                "indicators": {},
                "updateTime": self.p.clock.now_ms(),
            },
        }
