"""The scenarios of Binance Pay and the Wallet API: an order refunded in parts, an unpaid
order that expires, and a withdrawal that is rejected."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from binance_sandbox.faults.scenarios_common import (
    Scenario,
    ScenarioContext,
    new_user,
)
from binance_sandbox.pay import schemas as pay_schemas
from binance_sandbox.pay.admin_schemas import MerchantCreate
from binance_sandbox.storage.models import Withdrawal
from binance_sandbox.wallet.admin_schemas import ApiKeyCreate, Credit


async def partial_refunds_until_full(ctx: ScenarioContext) -> dict[str, Any]:
    merchant = await ctx.pay_admin.create_merchant(MerchantCreate(name="Scenario: partial refunds"))
    auth = await ctx.merchants.get(merchant["apiKey"])
    assert auth is not None
    payer = await new_user(ctx, None)
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
    order = await ctx.pay_orders.create_order(
        auth,
        pay_schemas.CreateOrderV2.model_validate(raw),
        version="v2",
        raw=raw,
        base_url=ctx.base_url,
    )
    prepay_id = order["prepayId"]
    await ctx.pay_checkout.pay(prepay_id, payer)
    refunds = []
    for n, amount in enumerate(("10", "10", "10"), start=1):
        refunds.append(
            await ctx.pay_refunds.refund(
                auth,
                pay_schemas.Refund(
                    refundRequestId=f"{raw['merchantTradeNo']}-{n}",
                    prepayId=prepay_id,
                    refundAmount=Decimal(amount),
                ),
            )
        )
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


async def withdrawal_rejected(ctx: ScenarioContext) -> dict[str, Any]:
    user_id = await new_user(ctx, None)
    await ctx.users.credit(Credit(userId=user_id, asset="ETH", amount=Decimal("1")))
    key = await ctx.wapi.admin.create_key(ApiKeyCreate(userId=user_id))
    now = ctx.platform.clock.now_ms()
    withdrawals = ctx.chain_withdrawals

    def withdrawn_and_rejected(session: Session) -> Withdrawal:
        made = withdrawals.record_withdrawal(
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
        withdrawals.advance_withdrawal(session, made.id, now)
        withdrawals.resolve_withdrawal(session, made.id, "reject", now)
        return made

    await withdrawals.networks.fresh()
    made = await ctx.platform.db.run_write(withdrawn_and_rejected)
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
    order = await ctx.pay_orders.create_order(
        auth,
        pay_schemas.CreateOrderV2.model_validate(raw),
        version="v2",
        raw=raw,
        base_url=ctx.base_url,
    )
    clock = await ctx.clocks.advance(61_000)
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


PAY_WALLET_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "partial-refunds-until-full",
        "A Pay merchant, a payer and a paid 30 USDT order refunded in three parts of 10 "
        "until nothing is left.",
        partial_refunds_until_full,
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
