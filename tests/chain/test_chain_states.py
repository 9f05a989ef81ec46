"""Withdrawals and transfers move only along the chain's machines: a withdrawal goes 0 Email
Sent → 2 Awaiting Approval → 4 Processing → 6 Completed (wallet-wapi-v3.txt), and once it is
processing or completed the operator's outcomes that no longer apply are refused; the transfer
it sends is pending, then credited (deposit status 0, then 1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_sandbox.chain.lifecycle import TRANSFER, WITHDRAWAL, WithdrawalStatus
from binance_sandbox.chain.networks import network_for
from binance_sandbox.client import WalletClient
from binance_sandbox.client.wallet_models import DepositStatus, WithdrawStatus


def test_the_withdrawal_machine_carries_the_specs_integers() -> None:
    assert {int(s) for s in WithdrawalStatus} == {int(s) for s in WithdrawStatus}
    assert {int(s) for s in WITHDRAWAL.terminal} == {1, 3, 5, 6}
    assert {str(s) for s in TRANSFER.terminal} == {"CREDITED", "DUST", "UNCLAIMED"}


def wallet_of(sandbox: Any, user: str) -> WalletClient:
    key = sandbox.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    return WalletClient(sandbox.url, key["apiKey"], key["secretKey"])


def test_a_withdrawal_walks_to_completed_and_then_stays(sandbox: Any) -> None:
    user, friend = sandbox.create_user(), sandbox.create_user()
    sandbox.credit(user, "ETH", "1")
    to = sandbox.admin.get(
        f"/sandbox/v1/users/{friend}/deposit-address", params={"coin": "ETH"}
    ).json()
    confirm_ms = network_for("ETH", "ETH").confirm_ms
    with wallet_of(sandbox, user) as wallet, wallet_of(sandbox, friend) as friends:

        def status() -> WithdrawStatus:
            return next(w.status for w in wallet.withdraw_history(asset="ETH") if w.id == sent)

        def refused(outcome: str, at: int) -> None:
            r = sandbox.admin.post(f"/sandbox/v1/withdrawals/{sent}/{outcome}")
            assert (r.status_code, r.json()["error"]["message"]) == (
                409,
                f"Withdrawal {sent} has status {at}; cannot {outcome} it.",
            )

        sent = wallet.withdraw("ETH", to["address"], Decimal("0.5")).id
        assert status() == WithdrawStatus.EMAIL_SENT
        for reached in (WithdrawStatus.AWAITING_APPROVAL, WithdrawStatus.PROCESSING):
            sandbox.advance(5_000)
            assert status() == reached
        refused("cancel", 4)
        refused("reject", 4)
        [pending] = friends.deposit_history(asset="ETH")
        assert pending.status == DepositStatus.PENDING

        sandbox.advance(confirm_ms)
        assert status() == WithdrawStatus.COMPLETED
        for outcome in ("cancel", "reject", "fail"):
            refused(outcome, 6)
        assert friends.deposit_history(asset="ETH")[0].status == DepositStatus.SUCCESS
        assert sandbox.balance(friend, "ETH") == Decimal("0.5")
    sandbox.audit()
