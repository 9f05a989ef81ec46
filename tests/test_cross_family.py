"""One user's value seen through every family (issue 4): a deposit that arrives through the
Connect Deposit flow shows in wapi depositHistory and in the Connect Prime balance, and a
Connect Prime buy can be withdrawn through wapi, arriving at another sandbox user."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_sandbox.client import ConnectDepositClient, ConnectPrimeClient, WalletClient
from binance_sandbox.client.wallet_models import WithdrawStatus


def test_deposit_buy_and_withdraw_across_families(sandbox: Any) -> None:
    partner = sandbox.create_partner()
    user = sandbox.create_user(partner)
    key = sandbox.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    creds = (sandbox.url, partner.client_id, partner.access_token, partner.private_key)
    with (
        ConnectDepositClient(*creds) as deposit,
        ConnectPrimeClient(*creds) as prime,
        WalletClient(sandbox.url, key["apiKey"], key["secretKey"]) as wallet,
    ):
        deposit.initiate_deposit(
            external_order_id="x-family-1", user_id=user, crypto_currency="ETH", networks=["ETH"]
        )
        sandbox.admin.post(
            "/sandbox/v1/deposits/x-family-1/authorize", json={"partnerClientId": partner.client_id}
        )
        [address] = deposit.authorization("x-family-1").deposit_addresses
        # The wapi deposit address is the same address.
        assert wallet.deposit_address("ETH").address == address.deposit_address
        sent = sandbox.admin.post(
            "/sandbox/v1/chain/transfers",
            json={
                "network": "ETH",
                "address": address.deposit_address,
                "asset": "ETH",
                "amount": "0.8",
            },
        ).json()
        assert wallet.deposit_history()[0].status == 0  # pending until confirmed
        sandbox.advance(12 * 12_000)
        assert wallet.deposit_history()[0].status == 1  # credited
        assert wallet.deposit_history()[0].tx_id == sent["txHash"]
        assert [(a.asset, a.free) for a in prime.user_assets(user)] == [("ETH", Decimal("0.8"))]

        quote = prime.quote(
            user,
            fiat_currency="USD",
            crypto_currency="BTC",
            direction="BUY",
            amount=500,
            amount_type=1,
        )
        order_id = prime.execute_quote(quote.quote_id, "x-family-buy").order_id
        sandbox.settle()
        bought = prime.transaction(order_id)
        assert bought.status == "FILLED"

        friend = sandbox.create_user()
        to = sandbox.admin.get(
            f"/sandbox/v1/users/{friend}/deposit-address", params={"coin": "BTC"}
        ).json()
        result = wallet.withdraw("BTC", to["address"], Decimal("0.002"), name="to a friend")
        [pending] = wallet.withdraw_history(asset="BTC")
        assert (pending.id, pending.status, pending.amount) == (
            result.id,
            WithdrawStatus.EMAIL_SENT,
            Decimal("0.002"),
        )

        # One move: approval and sending (5 s each), then the BTC network's two confirmations.
        sandbox.advance(10_000 + 2 * 600_000)
        [done] = wallet.withdraw_history(asset="BTC")
        assert done.status == WithdrawStatus.COMPLETED and done.tx_id
        # 0.0002 BTC fee; the friend receives the amount on chain.
        assert sandbox.balance(user, "BTC") == bought.crypto_amount - Decimal("0.0022")
        assert sandbox.balance(friend, "BTC") == Decimal("0.002")
    sandbox.audit()
