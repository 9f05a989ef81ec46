"""Wallet API: a withdrawal goes through every status on the clock to 6 (completed)."""

from decimal import Decimal

from binance_sandbox.client.wallet_models import WithdrawStatus
from binance_sandbox.testing import TestClock, UserFactory

TWO_HOURS = 2 * 60 * 60 * 1000
EXTERNAL_ADDRESS = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"


def test_a_withdrawal_is_completed(binance_user: UserFactory, binance_clock: TestClock) -> None:
    user = binance_user(balances={"ETH": "2"})

    withdrawal = user.wallet.withdraw("ETH", EXTERNAL_ADDRESS, Decimal("0.5"))
    [pending] = user.wallet.withdraw_history(asset="ETH")
    assert (pending.id, pending.status) == (withdrawal.id, WithdrawStatus.EMAIL_SENT)

    # Approval, sending and the network's confirmations all happen within two hours.
    binance_clock.advance(TWO_HOURS)

    [done] = user.wallet.withdraw_history(asset="ETH")
    assert done.status == WithdrawStatus.COMPLETED == 6
    assert done.tx_id is not None
    assert done.amount == Decimal("0.5")
