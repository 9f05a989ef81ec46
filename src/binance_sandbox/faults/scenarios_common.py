"""What the named scenarios share: what they run with, and the partners, users, quotes
and fault rules they set up through the families' `admin.py`, as the control API does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from binance_sandbox.chain.service_withdrawals import WithdrawalService
from binance_sandbox.connect.admin import PartnerAdmin
from binance_sandbox.connect.admin_schemas import PartnerCreate
from binance_sandbox.connect.auth import PartnerDirectory
from binance_sandbox.delivery.clocks import ClockAdmin
from binance_sandbox.deposit.service_sessions import SessionService
from binance_sandbox.faults.rules import FaultBook
from binance_sandbox.pay.admin import PayAdmin
from binance_sandbox.pay.auth import MerchantDirectory
from binance_sandbox.pay.service_checkout import CheckoutService
from binance_sandbox.pay.service_orders import OrderService
from binance_sandbox.pay.service_refunds import RefundService
from binance_sandbox.platform import Platform
from binance_sandbox.prime import schemas as prime_schemas
from binance_sandbox.prime.service_trading import TradeService
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.rsa import private_key_to_pem
from binance_sandbox.wallet.admin_schemas import UserCreate
from binance_sandbox.wallet.admin_users import UserAdmin
from binance_sandbox.wallet.service import Wapi

# Where the partner's merchant API would be; the scenario's fault answers in its place.
UNREACHABLE_MERCHANT_API = "http://127.0.0.1:9/merchant-api"
# Where the partner's webhook receiver would be: port 9 (discard) refuses connections.
UNREACHABLE_WEBHOOK = "http://127.0.0.1:9/webhook"


@dataclass
class ScenarioContext:
    platform: Platform
    clocks: ClockAdmin
    partners: PartnerDirectory
    partner_admin: PartnerAdmin
    users: UserAdmin
    pay_admin: PayAdmin
    prime_trading: TradeService
    pay_orders: OrderService
    pay_checkout: CheckoutService
    pay_refunds: RefundService
    deposit_sessions: SessionService
    merchants: MerchantDirectory
    faults: FaultBook
    chain_withdrawals: WithdrawalService
    wapi: Wapi
    base_url: str


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    run: Callable[[ScenarioContext], Awaitable[dict[str, Any]]]


async def new_partner(ctx: ScenarioContext, name: str, **fields: Any) -> dict[str, Any]:
    key = await asyncio.to_thread(generate_private_key, 1024)
    made = await ctx.partner_admin.create(
        PartnerCreate(
            name=name,
            rsaPublicKey=public_key_to_der_b64(key.public_key()),
            customSpreadMax=Decimal("0.02"),
            **fields,
        )
    )
    return {
        "clientId": made["clientId"],
        "signAccessToken": made["signAccessToken"],
        "privateKeyPem": private_key_to_pem(key),
        "webhookPublicKey": made["webhookPublicKey"],
    }


async def partner_auth(ctx: ScenarioContext, client_id: str) -> Any:
    auth = await ctx.partners.get(client_id)
    assert auth is not None
    return auth


async def new_user(ctx: ScenarioContext, client_id: str | None) -> str:
    made = await ctx.users.create(UserCreate(partnerClientId=client_id))
    return str(made["userId"])


async def buy_quote(ctx: ScenarioContext, client_id: str, user_id: str) -> dict[str, Any]:
    return await ctx.prime_trading.quote(
        await partner_auth(ctx, client_id),
        prime_schemas.QuoteRequest(
            userId=user_id,
            fiatCurrency="EUR",
            cryptoCurrency="BTC",
            direction="BUY",
            amount=Decimal("100"),
            amountType=1,
        ),
    )


async def add_rule(ctx: ScenarioContext, client_id: str, endpoint: str, **fields: Any) -> str:
    rule = await ctx.faults.add(
        family="merchant",
        scope={"partnerClientId": client_id},
        endpoint=endpoint,
        action=fields.pop("action"),
        count=fields.pop("count", None),
        share=None,
        now=ctx.platform.clock.now_ms(),
    )
    return rule.id
