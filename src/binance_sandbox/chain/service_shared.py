"""What every service of the simulated chains shares: the chain's accounts, a withdrawal's
timeline, transaction hashes and the shared XRP address."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from binance_sandbox.ledger.service import (
    AccountRef,
    external_account,
)
from binance_sandbox.storage.ids import IdSource
from binance_sandbox.storage.models import OrderEvent

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "023456789acdefghjklmnpqrstuvwxyz"
# Binance-style withdrawal progress on the sandbox clock.
WITHDRAW_STEP_MS = 5_000
FEES = "platform:withdraw-fees"


def chain_account(network: str, asset: str) -> AccountRef:
    return external_account(f"world:chain:{network}", asset)


def withdrawal_event(
    session: Session, withdrawal_id: str, at: int, kind: str, **detail: Any
) -> None:
    """One step of a withdrawal's timeline (the console shows it)."""
    session.add(
        OrderEvent(
            family="withdrawal",
            order_ref=withdrawal_id,
            at=at,
            kind=kind,
            detail=json.dumps(detail, default=str),
        )
    )


def _shared_xrp_address() -> str:
    digest = hashlib.sha256(b"binance-sandbox xrp deposit address").digest()
    return "r" + "".join(BASE58[b % 58] for b in digest[:33])


XRP_ADDRESS = _shared_xrp_address()


def new_tx_hash(ids: IdSource, network: str) -> str:
    if network in ("ETH", "BSC"):
        return "0x" + ids.hex(64)
    return ids.hex(64)


@dataclass(frozen=True)
class DepositAddressOut:
    coin: str
    network: str
    address: str
    tag: str | None
