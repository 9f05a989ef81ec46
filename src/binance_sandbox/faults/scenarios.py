"""Named scenarios: one call sets up a whole situation and answers what it made.

Each scenario goes through the same services the API uses, so what it makes is exactly what
an integrator's own calls would have made. Scenarios that need time to pass move the sandbox
clock (for every caller of this sandbox: run them on a sandbox of your own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.chain.service import ChainService
from binance_sandbox.connect.admin import PartnerAdmin
from binance_sandbox.connect.admin_schemas import PartnerCreate
from binance_sandbox.connect.auth import PartnerDirectory
from binance_sandbox.deposit import schemas as deposit_schemas
from binance_sandbox.deposit.service import DepositService
from binance_sandbox.faults.rules import FaultBook
from binance_sandbox.pay import schemas as pay_schemas
from binance_sandbox.pay.admin import PayAdmin
from binance_sandbox.pay.admin_schemas import MerchantCreate
from binance_sandbox.pay.auth import MerchantDirectory
from binance_sandbox.pay.service import PayService
from binance_sandbox.platform import Platform
from binance_sandbox.prime import schemas as prime_schemas
from binance_sandbox.prime.lifecycle import FiatCheck, MerchantStep
from binance_sandbox.prime.service import PrimeService
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.rsa import private_key_to_pem
from binance_sandbox.wallet.admin_schemas import ApiKeyCreate, Credit, UserCreate
from binance_sandbox.wallet.admin_users import UserAdmin
from binance_sandbox.wallet.service import Wapi

# Where the partner's merchant API would be; the scenario's fault answers in its place.
UNREACHABLE_MERCHANT_API = "http://127.0.0.1:9/merchant-api"
# Where the partner's webhook receiver would be: port 9 (discard) refuses connections.
UNREACHABLE_WEBHOOK = "http://127.0.0.1:9/webhook"


@dataclass
class ScenarioContext:
    platform: Platform
    partners: PartnerDirectory
    partner_admin: PartnerAdmin
    users: UserAdmin
    pay_admin: PayAdmin
    prime: PrimeService
    pay: PayService
    deposit: DepositService
    merchants: MerchantDirectory
    faults: FaultBook
    chain: ChainService
    wapi: Wapi
    base_url: str


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    run: Callable[[ScenarioContext], Awaitable[dict[str, Any]]]


async def _partner(ctx: ScenarioContext, name: str, **fields: Any) -> dict[str, Any]:
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


async def _partner_auth(ctx: ScenarioContext, client_id: str) -> Any:
    auth = await ctx.partners.get(client_id)
    assert auth is not None
    return auth


async def _user(ctx: ScenarioContext, client_id: str | None) -> str:
    made = await ctx.users.create(UserCreate(partnerClientId=client_id))
    return str(made["userId"])


async def _buy_quote(ctx: ScenarioContext, client_id: str, user_id: str) -> dict[str, Any]:
    return await ctx.prime.quote(
        await _partner_auth(ctx, client_id),
        prime_schemas.QuoteRequest(
            userId=user_id,
            fiatCurrency="EUR",
            cryptoCurrency="BTC",
            direction="BUY",
            amount=Decimal("100"),
            amountType=1,
        ),
    )


async def buy_fiat_never_arrives(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await _partner(
        ctx, "Scenario: fiat never arrives", merchantApiBaseUrl=UNREACHABLE_MERCHANT_API
    )
    rule = await ctx.faults.add(
        family="merchant",
        scope={"partnerClientId": partner["clientId"]},
        endpoint="/check-transaction",
        action={"type": "status", "status": FiatCheck.PENDING.value},
        count=None,
        share=None,
        now=ctx.platform.clock.now_ms(),
    )
    user_id = await _user(ctx, partner["clientId"])
    quote = await _buy_quote(ctx, partner["clientId"], user_id)
    order = await ctx.prime.execute(
        await _partner_auth(ctx, partner["clientId"]),
        prime_schemas.ExecuteRequest(
            quoteId=quote["quoteId"], clientOrderId="scn-" + ctx.platform.ids.alnum(20)
        ),
    )
    ctx.platform.wake_worker()
    now = ctx.platform.clock.now_ms()
    return {
        "partner": partner,
        "userId": user_id,
        "quoteId": quote["quoteId"],
        "orderId": order["orderId"],
        "faultId": rule.id,
        "checkDeadlineAt": now + ctx.platform.settings.check_deadline_ms,
        "expect": "the order stays PROCESSING; past checkDeadlineAt it FAILS (FIAT_NOT_RECEIVED)",
    }


async def quote_expires_before_execute(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await _partner(ctx, "Scenario: quote expires")
    user_id = await _user(ctx, partner["clientId"])
    quote = await _buy_quote(ctx, partner["clientId"], user_id)
    clock = await ctx.platform.advance_clock(ctx.platform.settings.quote_ttl_ms + 1_000)
    return {
        "partner": partner,
        "userId": user_id,
        "quoteId": quote["quoteId"],
        "quoteExpiredAt": quote["expiredAt"],
        "nowMs": clock["nowMs"],
        "expect": "quote/execute with quoteId answers 1230310 QUOTE_EXPIRED",
    }


async def partial_refunds_until_full(ctx: ScenarioContext) -> dict[str, Any]:
    merchant = await ctx.pay_admin.create_merchant(MerchantCreate(name="Scenario: partial refunds"))
    auth = await ctx.merchants.get(merchant["apiKey"])
    assert auth is not None
    payer = await _user(ctx, None)
    await ctx.users.credit(Credit(userId=payer, asset="USDT", amount=Decimal("100")))
    raw: dict[str, Any] = {
        "env": {"terminalType": "WEB"},
        "merchantTradeNo": "scn" + ctx.platform.ids.alnum(20),
        "orderAmount": "30",
        "currency": "USDT",
        "goods": {
            "goodsType": "02",
            "goodsCategory": "Z000",
            "referenceGoodsId": "scenario",
            "goodsName": "Scenario goods",
        },
    }
    order = await ctx.pay.create_order(
        auth,
        pay_schemas.CreateOrderV2.model_validate(raw),
        version="v2",
        raw=raw,
        base_url=ctx.base_url,
    )
    prepay_id = order["prepayId"]
    await ctx.pay.pay(prepay_id, payer)
    refunds = []
    for n, amount in enumerate(("10", "10", "10"), start=1):
        refunds.append(
            await ctx.pay.refund(
                auth,
                pay_schemas.Refund(
                    refundRequestId=f"{raw['merchantTradeNo']}-{n}",
                    prepayId=prepay_id,
                    refundAmount=Decimal(amount),
                ),
            )
        )
    ctx.platform.wake_worker()
    return {
        "merchant": {
            "merchantId": merchant["merchantId"],
            "apiKey": merchant["apiKey"],
            "apiSecret": merchant["apiSecret"],
        },
        "payerUserId": payer,
        "prepayId": prepay_id,
        "merchantTradeNo": raw["merchantTradeNo"],
        "refunds": refunds,
        "expect": "three partial refunds of 10 USDT: the 30 USDT order is fully refunded",
    }


async def deposit_link_expires(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await _partner(ctx, "Scenario: deposit link expires")
    user_id = await _user(ctx, partner["clientId"])
    external_order_id = "scn-" + ctx.platform.ids.alnum(20)
    made = await ctx.deposit.initiate(
        await _partner_auth(ctx, partner["clientId"]),
        deposit_schemas.InitiateRequest(
            externalOrderId=external_order_id,
            userId=user_id,
            cryptoCurrency="USDT",
            networks=["ETH"],
        ),
        ctx.base_url,
    )
    clock = await ctx.platform.advance_clock(ctx.platform.settings.deposit_link_ttl_ms + 1_000)
    ctx.platform.wake_worker()
    return {
        "partner": partner,
        "userId": user_id,
        "externalOrderId": external_order_id,
        "deposit": made,
        "nowMs": clock["nowMs"],
        "expect": "the session's link has expired: polling answers EXPIRED",
    }


async def _rule(ctx: ScenarioContext, client_id: str, endpoint: str, **fields: Any) -> str:
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


async def sell_transfer_fails_then_succeeds(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await _partner(
        ctx, "Scenario: Transfer fails then succeeds", merchantApiBaseUrl=UNREACHABLE_MERCHANT_API
    )
    client_id = partner["clientId"]
    failing = await _rule(ctx, client_id, "/transfer", action={"type": "http500"}, count=1)
    passing = await _rule(
        ctx, client_id, "/transfer", action={"type": "status", "status": MerchantStep.SUCCESS.value}
    )
    user_id = await _user(ctx, client_id)
    await ctx.users.credit(Credit(userId=user_id, asset="ETH", amount=Decimal("1")))
    auth = await _partner_auth(ctx, client_id)
    quote = await ctx.prime.quote(
        auth,
        prime_schemas.QuoteRequest(
            userId=user_id,
            fiatCurrency="EUR",
            cryptoCurrency="ETH",
            direction="SELL",
            amount=Decimal("0.5"),
            amountType=2,
        ),
    )
    order = await ctx.prime.execute(
        auth,
        prime_schemas.ExecuteRequest(
            quoteId=quote["quoteId"], clientOrderId="scn-" + ctx.platform.ids.alnum(20)
        ),
    )
    ctx.platform.wake_worker()
    return {
        "partner": partner,
        "userId": user_id,
        "orderId": order["orderId"],
        "faultIds": [failing, passing],
        "retryAfterMs": ctx.platform.settings.merchant_poll_interval_ms,
        "expect": "the sell FILLS; its first Transfer answers HTTP 500, so transferStatus stays "
        "empty until the clock moves retryAfterMs, then SUCCESS",
    }


async def webhook_receiver_down(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await _partner(ctx, "Scenario: webhook receiver down", webhookUrl=UNREACHABLE_WEBHOOK)
    user_id = await _user(ctx, partner["clientId"])
    quote = await _buy_quote(ctx, partner["clientId"], user_id)
    order = await ctx.prime.execute(
        await _partner_auth(ctx, partner["clientId"]),
        prime_schemas.ExecuteRequest(
            quoteId=quote["quoteId"], clientOrderId="scn-" + ctx.platform.ids.alnum(20)
        ),
    )
    ctx.platform.wake_worker()
    return {
        "partner": partner,
        "userId": user_id,
        "orderId": order["orderId"],
        "webhookUrl": UNREACHABLE_WEBHOOK,
        "expect": "the order FILLS; its prime_order_event webhook fails to connect and is "
        "retried with backoff on the sandbox clock (1 s, 2 s, 4 s, …); point webhookUrl at a "
        "receiver and redeliver it (console or POST /sandbox/v1/webhooks/{id}/redeliver)",
    }


async def withdrawal_rejected(ctx: ScenarioContext) -> dict[str, Any]:
    user_id = await _user(ctx, None)
    await ctx.users.credit(Credit(userId=user_id, asset="ETH", amount=Decimal("1")))
    key = await ctx.wapi.admin.create_key(ApiKeyCreate(userId=user_id))
    now = ctx.platform.clock.now_ms()
    async with ctx.platform.db.write() as session:
        made = await ctx.chain.withdraw(
            session,
            user_id,
            asset="ETH",
            network="ETH",
            address="0x" + "d" * 40,
            tag=None,
            amount=Decimal("0.5"),
            name="scenario",
            now=now,
        )
        await ctx.chain.advance_withdrawal(session, made.id, now)
        await ctx.chain.resolve_withdrawal(session, made.id, "reject", now)
    return {
        "userId": user_id,
        "apiKey": key["apiKey"],
        "secretKey": key["secretKey"],
        "withdrawalId": made.id,
        "expect": "withdrawHistory.html shows the withdrawal with status 3 (Rejected); the "
        "0.5 ETH and its fee are back in the user's balance (1 ETH)",
    }


async def pay_order_expires(ctx: ScenarioContext) -> dict[str, Any]:
    merchant = await ctx.pay_admin.create_merchant(MerchantCreate(name="Scenario: order expires"))
    auth = await ctx.merchants.get(merchant["apiKey"])
    assert auth is not None
    raw: dict[str, Any] = {
        "env": {"terminalType": "WEB"},
        "merchantTradeNo": "scn" + ctx.platform.ids.alnum(20),
        "orderAmount": "12.5",
        "currency": "USDT",
        "orderExpireTime": 60_000,
        "goods": {
            "goodsType": "02",
            "goodsCategory": "Z000",
            "referenceGoodsId": "scenario",
            "goodsName": "Scenario goods",
        },
    }
    order = await ctx.pay.create_order(
        auth,
        pay_schemas.CreateOrderV2.model_validate(raw),
        version="v2",
        raw=raw,
        base_url=ctx.base_url,
    )
    clock = await ctx.platform.advance_clock(61_000)
    ctx.platform.wake_worker()
    return {
        "merchant": {
            "merchantId": merchant["merchantId"],
            "apiKey": merchant["apiKey"],
            "apiSecret": merchant["apiSecret"],
        },
        "prepayId": order["prepayId"],
        "merchantTradeNo": raw["merchantTradeNo"],
        "nowMs": clock["nowMs"],
        "expect": "the unpaid order has passed its orderExpireTime: v2/order/query answers "
        "EXPIRED, and paying it is refused",
    }


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "buy-fiat-never-arrives",
            "A partner whose Check Transaction keeps answering PENDING, a user, and an executed "
            "buy quote: the order stays PROCESSING until the clock passes the check deadline, "
            "then FAILS.",
            buy_fiat_never_arrives,
        ),
        Scenario(
            "quote-expires-before-execute",
            "A partner, a user and a buy quote, with the clock moved past the quote's expiry: "
            "executing it answers QUOTE_EXPIRED.",
            quote_expires_before_execute,
        ),
        Scenario(
            "partial-refunds-until-full",
            "A Pay merchant, a payer and a paid 30 USDT order refunded in three parts of 10 "
            "until nothing is left.",
            partial_refunds_until_full,
        ),
        Scenario(
            "deposit-link-expires",
            "A partner, a user and a Connect Deposit session, with the clock moved past the "
            "link's expiry: the session is EXPIRED.",
            deposit_link_expires,
        ),
        Scenario(
            "sell-transfer-fails-then-succeeds",
            "A partner whose merchant Transfer API answers HTTP 500 once and SUCCESS after, a "
            "user with 1 ETH and an executed sell of 0.5 ETH: FILLED at once, the Transfer "
            "succeeds on its retry.",
            sell_transfer_fails_then_succeeds,
        ),
        Scenario(
            "webhook-receiver-down",
            "A partner whose webhook URL refuses connections and a filled buy: the webhook is "
            "retried with backoff on the sandbox clock until it is pointed somewhere and "
            "redelivered.",
            webhook_receiver_down,
        ),
        Scenario(
            "withdrawal-rejected",
            "A user with 1 ETH and a Wallet API key whose 0.5 ETH withdrawal was rejected "
            "(status 3): the amount and the fee are back.",
            withdrawal_rejected,
        ),
        Scenario(
            "pay-order-expires",
            "A Pay merchant and an unpaid 12.5 USDT order with the clock moved past its "
            "orderExpireTime: the order is EXPIRED.",
            pay_order_expires,
        ),
    )
}


def catalogue() -> list[dict[str, str]]:
    return [{"name": s.name, "description": s.description} for s in SCENARIOS.values()]


async def run_scenario(name: str, ctx: ScenarioContext) -> dict[str, Any]:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise NotFound(f"No scenario {name}; see GET /sandbox/v1/scenarios.")
    return {"scenario": name, **await scenario.run(ctx)}
