"""Withdrawals that do not go out (spec statuses 1 Cancelled, 3 Rejected, 5 Failure): the
amount and the fee return to the user, and wapi withdrawHistory shows the status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_sandbox.client import WalletClient
from binance_sandbox.client.wallet_models import WithdrawStatus


@pytest.fixture
def funded(sandbox: Any) -> tuple[str, WalletClient]:
    user = sandbox.create_user()
    sandbox.credit(user, "ETH", "1")
    key = sandbox.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    return user, WalletClient(sandbox.url, key["apiKey"], key["secretKey"])


def status(wallet: WalletClient, withdrawal_id: str) -> WithdrawStatus:
    return next(w.status for w in wallet.withdraw_history(asset="ETH") if w.id == withdrawal_id)


@pytest.mark.parametrize(
    ("steps", "outcome", "expected"),
    [
        (0, "cancel", WithdrawStatus.CANCELLED),
        (1, "reject", WithdrawStatus.REJECTED),
        (2, "fail", WithdrawStatus.FAILURE),
    ],
)
def test_an_unsent_withdrawal_gives_everything_back(
    sandbox: Any,
    funded: tuple[str, WalletClient],
    steps: int,
    outcome: str,
    expected: WithdrawStatus,
) -> None:
    user, wallet = funded
    friend = sandbox.create_user()
    to = sandbox.admin.get(
        f"/sandbox/v1/users/{friend}/deposit-address", params={"coin": "ETH"}
    ).json()
    with wallet:
        withdrawal = wallet.withdraw("ETH", to["address"], Decimal("0.5")).id
        assert sandbox.balance(user, "ETH") == Decimal("0.4988")  # 0.5 and the 0.0012 fee
        for reached in (WithdrawStatus.AWAITING_APPROVAL, WithdrawStatus.PROCESSING)[:steps]:
            sandbox.advance(5_000)
            assert status(wallet, withdrawal) == reached
        r = sandbox.admin.post(f"/sandbox/v1/withdrawals/{withdrawal}/{outcome}")
        assert r.status_code == 200 and r.json() == {"id": withdrawal, "status": int(expected)}
        assert status(wallet, withdrawal) == expected
        assert sandbox.balance(user, "ETH") == 1
        again = sandbox.admin.post(f"/sandbox/v1/withdrawals/{withdrawal}/{outcome}")
        assert again.status_code == 409
        # Nothing arrives at the friend, even once the chain would have confirmed it.
        sandbox.advance(10 * 60_000)
        assert sandbox.balance(friend, "ETH") == 0
    sandbox.audit()


def test_withdrawal_outcomes_refused(sandbox: Any, funded: tuple[str, WalletClient]) -> None:
    _user, wallet = funded
    with wallet:
        withdrawal = wallet.withdraw("ETH", "0x" + "b" * 40, Decimal("0.1")).id
    assert sandbox.admin.post(f"/sandbox/v1/withdrawals/{withdrawal}/fail").json()["error"][
        "message"
    ] == (f"Withdrawal {withdrawal} has status 0; cannot fail it.")
    assert sandbox.admin.post(f"/sandbox/v1/withdrawals/{withdrawal}/undo").status_code == 400
    assert sandbox.admin.post("/sandbox/v1/withdrawals/nope/cancel").status_code == 404
