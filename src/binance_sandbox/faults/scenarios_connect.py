"""The scenarios of the Connect families: Prime orders whose fiat, Transfer or webhook
misbehaves, a quote that expires, and a Deposit link that expires."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_sandbox.deposit import schemas as deposit_schemas
from binance_sandbox.faults.scenarios_common import (
    UNREACHABLE_MERCHANT_API,
    UNREACHABLE_WEBHOOK,
    Scenario,
    ScenarioContext,
    add_rule,
    buy_quote,
    new_partner,
    new_user,
    partner_auth,
)
from binance_sandbox.prime import schemas as prime_schemas
from binance_sandbox.prime.lifecycle import FiatCheck, MerchantStep
from binance_sandbox.wallet.admin_schemas import Credit


async def buy_fiat_never_arrives(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await new_partner(
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
    user_id = await new_user(ctx, partner["clientId"])
    quote = await buy_quote(ctx, partner["clientId"], user_id)
    order = await ctx.prime_trading.execute(
        await partner_auth(ctx, partner["clientId"]),
        prime_schemas.ExecuteRequest(
            quoteId=quote["quoteId"], clientOrderId="scn-" + ctx.platform.ids.alnum(20)
        ),
    )
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
    partner = await new_partner(ctx, "Scenario: quote expires")
    user_id = await new_user(ctx, partner["clientId"])
    quote = await buy_quote(ctx, partner["clientId"], user_id)
    clock = await ctx.clocks.advance(ctx.platform.settings.quote_ttl_ms + 1_000)
    return {
        "partner": partner,
        "userId": user_id,
        "quoteId": quote["quoteId"],
        "quoteExpiredAt": quote["expiredAt"],
        "nowMs": clock["nowMs"],
        "expect": "quote/execute with quoteId answers 1230310 QUOTE_EXPIRED",
    }


async def deposit_link_expires(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await new_partner(ctx, "Scenario: deposit link expires")
    user_id = await new_user(ctx, partner["clientId"])
    external_order_id = "scn-" + ctx.platform.ids.alnum(20)
    made = await ctx.deposit_sessions.initiate(
        await partner_auth(ctx, partner["clientId"]),
        deposit_schemas.InitiateRequest(
            externalOrderId=external_order_id,
            userId=user_id,
            cryptoCurrency="USDT",
            networks=["ETH"],
        ),
        ctx.base_url,
    )
    clock = await ctx.clocks.advance(ctx.platform.settings.deposit_link_ttl_ms + 1_000)
    return {
        "partner": partner,
        "userId": user_id,
        "externalOrderId": external_order_id,
        "deposit": made,
        "nowMs": clock["nowMs"],
        "expect": "the session's link has expired: polling answers EXPIRED",
    }


async def sell_transfer_fails_then_succeeds(ctx: ScenarioContext) -> dict[str, Any]:
    partner = await new_partner(
        ctx, "Scenario: Transfer fails then succeeds", merchantApiBaseUrl=UNREACHABLE_MERCHANT_API
    )
    client_id = partner["clientId"]
    failing = await add_rule(ctx, client_id, "/transfer", action={"type": "http500"}, count=1)
    passing = await add_rule(
        ctx, client_id, "/transfer", action={"type": "status", "status": MerchantStep.SUCCESS.value}
    )
    user_id = await new_user(ctx, client_id)
    await ctx.users.credit(Credit(userId=user_id, asset="ETH", amount=Decimal("1")))
    auth = await partner_auth(ctx, client_id)
    quote = await ctx.prime_trading.quote(
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
    order = await ctx.prime_trading.execute(
        auth,
        prime_schemas.ExecuteRequest(
            quoteId=quote["quoteId"], clientOrderId="scn-" + ctx.platform.ids.alnum(20)
        ),
    )
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
    partner = await new_partner(
        ctx, "Scenario: webhook receiver down", webhookUrl=UNREACHABLE_WEBHOOK
    )
    user_id = await new_user(ctx, partner["clientId"])
    quote = await buy_quote(ctx, partner["clientId"], user_id)
    order = await ctx.prime_trading.execute(
        await partner_auth(ctx, partner["clientId"]),
        prime_schemas.ExecuteRequest(
            quoteId=quote["quoteId"], clientOrderId="scn-" + ctx.platform.ids.alnum(20)
        ),
    )
    return {
        "partner": partner,
        "userId": user_id,
        "orderId": order["orderId"],
        "webhookUrl": UNREACHABLE_WEBHOOK,
        "expect": "the order FILLS; its prime_order_event webhook fails to connect and is "
        "retried with backoff on the sandbox clock (1 s, 2 s, 4 s, …); point webhookUrl at a "
        "receiver and redeliver it (console or POST /sandbox/v1/webhooks/{id}/redeliver)",
    }


CONNECT_SCENARIOS: tuple[Scenario, ...] = (
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
)
