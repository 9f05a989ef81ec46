"""The Binance Pay client (docs/binance-pay.md); see `binance_sandbox.client.pay`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from binance_sandbox.client._async.base import AsyncClient
from binance_sandbox.client._calls import AmountLike
from binance_sandbox.client._pay_calls import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    RequestSigner,
    add_sub_merchant_call,
    balance_call,
    balance_v2_call,
    certificates_call,
    close_order_call,
    create_order_call,
    create_order_openapi_call,
    create_order_v3_call,
    payout_call,
    query_order_call,
    query_payout_call,
    query_refund_call,
    query_wallet_transfer_call,
    refund_call,
    request_model,
    sub_merchant_request,
    wallet_transfer_call,
)
from binance_sandbox.client.pay_models import (
    CreateOrderOpenApiRequest,
    CreateOrderRequest,
    CreateOrderResult,
    CreateOrderV3Request,
    PayBalance,
    PayCertificate,
    PayOrder,
    PayoutBatch,
    PayoutResult,
    PayoutTransferDetail,
    Refund,
    RefundResult,
    SubMerchant,
    WalletBalance,
    WalletTransfer,
)


class AsyncPayClient(AsyncClient):
    """Binance Pay over `httpx.AsyncClient`.

    `clock` returns epoch milliseconds, `nonce` 32 letters or digits (default: 32 lower-case
    hex), `sleep` waits seconds; all three are there to be replaced in tests.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], int] | None = None,
        nonce: Callable[[], str] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        super().__init__(
            RequestSigner(api_key, api_secret, nonce),
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            clock=clock,
            sleep=sleep,
        )

    # --- orders -------------------------------------------------------------------------

    async def create_order(
        self, request: CreateOrderRequest | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        """Create an order (`v2/order`), from a `CreateOrderRequest` or its fields as keywords
        (snake_case or camelCase; nested `env`, `goods`, `shipping`, `buyer`, … as models or
        dicts). Not retried: retry with the same `merchant_trade_no`."""
        return await self._send(
            create_order_call(request_model(CreateOrderRequest, request, fields))
        )

    async def create_order_v3(
        self, request: CreateOrderV3Request | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        """Create an order (`v3/order`): `description` and `goods_details` instead of `goods`."""
        return await self._send(
            create_order_v3_call(request_model(CreateOrderV3Request, request, fields))
        )

    async def create_order_openapi(
        self, request: CreateOrderOpenApiRequest | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        """Create an order (`v3/order/create`, the openapi spec's flat shape)."""
        return await self._send(
            create_order_openapi_call(request_model(CreateOrderOpenApiRequest, request, fields))
        )

    async def query_order(
        self, prepay_id: str | int | None = None, *, merchant_trade_no: str | None = None
    ) -> PayOrder:
        """One order (`v2/order/query`); `prepay_id` wins when both are given."""
        return await self._send(query_order_call(prepay_id, merchant_trade_no))

    async def close_order(
        self, prepay_id: str | int | None = None, *, merchant_trade_no: str | None = None
    ) -> bool:
        """Close an INITIAL or PENDING order (`order/close`); the outcome arrives as a
        PAY_CLOSED webhook. Not retried (closing twice answers 400204)."""
        return await self._send(close_order_call(prepay_id, merchant_trade_no))

    # --- refunds --------------------------------------------------------------------------

    async def refund(
        self,
        refund_request_id: str,
        prepay_id: str | int,
        refund_amount: AmountLike,
        *,
        refund_reason: str | None = None,
        webhook_url: str | None = None,
    ) -> RefundResult:
        """Refund part or all of a paid order (`order/refund`). Not retried: retry with the
        same `refund_request_id`, which answers the first result again."""
        return await self._send(
            refund_call(refund_request_id, prepay_id, refund_amount, refund_reason, webhook_url)
        )

    async def query_refund(self, refund_request_id: str) -> Refund:
        """One refund and its `refund_status` (`order/refund/query`)."""
        return await self._send(query_refund_call(refund_request_id))

    # --- payouts ----------------------------------------------------------------------------

    async def payout(
        self,
        request_id: str,
        batch_name: str,
        currency: str,
        total_amount: AmountLike,
        total_number: int,
        transfer_detail_list: Sequence[PayoutTransferDetail | Mapping[str, Any]],
        *,
        biz_scene: str | None = None,
        webhook_url: str | None = None,
    ) -> PayoutResult:
        """Send a batch payout (`payout/transfer`). Not retried: retry with the same
        `request_id`, or look the batch up with `query_payout` first."""
        return await self._send(
            payout_call(
                request_id,
                batch_name,
                currency,
                total_amount,
                total_number,
                transfer_detail_list,
                biz_scene,
                webhook_url,
            )
        )

    async def query_payout(
        self, request_id: str, *, detail_status: Sequence[str] | str | None = None
    ) -> PayoutBatch:
        """A payout batch and its details (`payout/query`), filtered by `detail_status`
        (ALL, PROCESSING, SUCCESS, FAIL)."""
        return await self._send(query_payout_call(request_id, detail_status))

    # --- wallets ----------------------------------------------------------------------------

    async def balance(self, wallet: str, currency: str) -> PayBalance:
        """One asset's balance in FUNDING_WALLET or SPOT_WALLET (`balance`, v1)."""
        return await self._send(balance_call(wallet, currency))

    async def balance_v2(self, wallet: str, *, currency: str | None = None) -> WalletBalance:
        """One asset, or every held asset, of a wallet (`v2/balance`)."""
        return await self._send(balance_v2_call(wallet, currency))

    async def wallet_transfer(
        self, request_id: str, currency: str, amount: AmountLike, transfer_type: str
    ) -> WalletTransfer:
        """Move funds between the Pay and main wallets (`wallet/transfer`; `transfer_type`
        TO_MAIN or TO_PAY). Not retried: retry with the same `request_id`."""
        return await self._send(wallet_transfer_call(request_id, currency, amount, transfer_type))

    async def query_wallet_transfer(self, tran_id: str) -> WalletTransfer:
        """A transfer by its `requestId` (`wallet/transfer/query`)."""
        return await self._send(query_wallet_transfer_call(tran_id))

    # --- merchant -----------------------------------------------------------------------------

    async def add_sub_merchant(
        self,
        merchant_name: str,
        merchant_type: int,
        merchant_mcc: str,
        country: str,
        **optional: Any,
    ) -> SubMerchant:
        """Create a sub-merchant (`submerchant/add`); `optional` are the other fields of
        `SubMerchantRequest`. Not retried (a repeated name answers 400205)."""
        request = sub_merchant_request(
            merchant_name, merchant_type, merchant_mcc, country, optional
        )
        return await self._send(add_sub_merchant_call(request))

    async def certificates(self) -> list[PayCertificate]:
        """The platform's webhook public keys (`certificates`)."""
        return await self._send(certificates_call())
