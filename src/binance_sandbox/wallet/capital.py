"""Withdrawals, deposit and withdraw history, deposit addresses: the chain core seen through
wapi (`binance_sandbox.chain`). A withdrawal takes amount + fee at once and then moves
0 Email Sent → 2 Awaiting Approval → 4 Processing (txId) → 6 Completed on the sandbox clock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from binance_sandbox.chain import errors as chain_errors
from binance_sandbox.chain.lifecycle import deposit_status
from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.chain.service_transfers import TransferService
from binance_sandbox.chain.service_withdrawals import WithdrawalService
from binance_sandbox.ledger import money
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import ChainTransfer, Withdrawal
from binance_sandbox.wallet import errors

_CHAIN_ERRORS: dict[type[chain_errors.ChainError], type[errors.Refused]] = {
    chain_errors.UnknownNetwork: errors.UnknownAsset,
    chain_errors.InvalidAddress: errors.IllegalAddress,
    chain_errors.AmountTooSmall: errors.AmountTooSmall,
    chain_errors.AmountTooLarge: errors.AmountTooLarge,
    chain_errors.WithdrawDisabled: errors.WithdrawDisabled,
    chain_errors.DepositDisabled: errors.DepositDisabled,
    chain_errors.InsufficientBalance: errors.InsufficientBalance,
}


def refused(exc: chain_errors.ChainError) -> errors.Refused:
    """The chain's refusal with its Binance code; the chain's message says what to fix."""
    for kind, error in _CHAIN_ERRORS.items():
        if isinstance(exc, kind):
            return error(exc.message)
    return errors.Refused(exc.message)


def _number(units: int) -> Decimal:
    return money.from_units(units).normalize()


def deposit_out(t: ChainTransfer | Row[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "insertTime": t.created_at,
        "amount": _number(t.amount),
        "asset": t.asset,
        "address": t.address,
    }
    if t.tag:
        out["addressTag"] = t.tag
    out["txId"] = t.tx_hash
    out["status"] = deposit_status(t.status).value
    return out


def withdrawal_out(w: Withdrawal) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": w.id,
        "amount": _number(w.amount),
        "transactionFee": _number(w.fee),
        "address": w.address,
    }
    if w.tag:
        out["addressTag"] = w.tag
    if w.tx_id:
        out["txId"] = w.tx_id
    out.update({"asset": w.asset, "applyTime": w.apply_time, "status": w.status})
    return out


class CapitalService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    async def withdraw(
        self,
        withdrawals: WithdrawalService,
        user_id: str,
        *,
        asset: str,
        network: str | None,
        address: str,
        tag: str | None,
        amount: Decimal,
        name: str | None,
    ) -> dict[str, Any]:
        if amount <= 0:
            raise errors.AmountTooSmall("The withdrawal amount must be greater than 0.")
        if money.places_of(amount) > money.SCALE:
            raise errors.BadPrecision()
        now = self.p.clock.now_ms()
        try:
            record = await withdrawals.withdraw(
                user_id,
                asset=asset,
                network=network,
                address=address,
                tag=tag,
                amount=amount,
                name=name,
                now=now,
            )
        except chain_errors.ChainError as exc:
            raise refused(exc) from exc
        return {"msg": "success", "success": True, "id": record.id}

    async def withdraw_history(
        self,
        withdrawals: WithdrawalService,
        user_id: str,
        *,
        asset: str | None,
        status: int | None,
        start: int | None,
        end: int | None,
    ) -> dict[str, Any]:
        async with self.p.db.read() as session:
            rows = await withdrawals.withdrawals(
                session, user_id, asset=asset, status=status, start=start, end=end
            )
            listed = [withdrawal_out(w) for w in rows]
        return {"withdrawList": listed, "success": True}

    async def deposit_history(
        self,
        transfers: TransferService,
        user_id: str,
        *,
        asset: str | None,
        status: int | None,
        start: int | None,
        end: int | None,
    ) -> dict[str, Any]:
        rows = await transfers.deposit_rows(
            user_id, asset=asset, status=status, start=start, end=end
        )
        return {"depositList": [deposit_out(t) for t in rows], "success": True}

    async def deposit_address(
        self, addresses: AddressService, user_id: str, asset: str
    ) -> dict[str, Any]:
        try:
            async with self.p.db.write() as session:
                found = await addresses.deposit_address(session, user_id, asset, None)
        except chain_errors.ChainError as exc:
            raise refused(exc) from exc
        return {
            "address": found.address,
            "success": True,
            "addressTag": found.tag or "",
            "asset": asset,
        }
