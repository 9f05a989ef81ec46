"""Binance Pay merchant clients, sync and async, with the same methods (docs/binance-pay.md).

Every request is a `POST` of a JSON object under `/binancepay/openapi/`, signed with
HMAC-SHA512 over `timestamp + "\\n" + nonce + "\\n" + body + "\\n"` ("Request authentication"):
the body is compact JSON with amounts as exact JSON numbers, and the signature covers exactly
the bytes sent. Each try is signed afresh, with a new timestamp and nonce (a nonce is
refused when replayed).

Retries:
- reads (`query_order`, `query_refund`, `query_payout`, `balance`, `balance_v2`,
  `query_wallet_transfer`, `certificates`) are tried again after a timeout or network failure
  and after 400000 UNKNOWN_ERROR ("try again later"), up to `max_retries` (2) times, after
  0.5 s then 1 s;
- writes (`create_order*`, `close_order`, `refund`, `payout`, `wallet_transfer`,
  `add_sub_merchant`) never are: a request that got no clear answer may have taken effect.
  They are idempotent only by their own ids, so retry them yourself with the same id —
  the same `merchantTradeNo` (a repeat of a created order answers 400201: look it up with
  `query_order(merchant_trade_no=...)`), `refundRequestId` (answers the first result again,
  `duplicate_request` true), payout `requestId` or transfer `requestId` — or query by it first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from binance_sandbox import jsonwire
from binance_sandbox.client._base import AsyncClient, SyncClient, read_data
from binance_sandbox.client._calls import AmountLike, _amount, _without_none
from binance_sandbox.client.errors import BinanceSandboxError, TransportError
from binance_sandbox.client.pay_errors import UnknownError, pay_error_from_response
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
    SubMerchantRequest,
    WalletBalance,
    WalletTransfer,
)

T = TypeVar("T")
R = TypeVar("R", bound=pydantic.BaseModel)

PAY_PREFIX = "/binancepay/openapi/"
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_RETRIES = 2

TIMESTAMP_HEADER = "BinancePay-Timestamp"
NONCE_HEADER = "BinancePay-Nonce"
CERTIFICATE_SN_HEADER = "BinancePay-Certificate-SN"
SIGNATURE_HEADER = "BinancePay-Signature"

_NONCE = re.compile(r"[A-Za-z0-9]{32}")


def pay_signature(api_secret: str, timestamp: str, nonce: str, body: bytes | str) -> str:
    """HMAC-SHA512 of `timestamp\\nnonce\\nbody\\n` with the API secret, hex, upper case."""
    raw = body.encode() if isinstance(body, str) else body
    payload = f"{timestamp}\n{nonce}\n".encode() + raw + b"\n"
    return hmac.new(api_secret.encode(), payload, hashlib.sha512).hexdigest().upper()


def _default_nonce() -> str:
    return secrets.token_hex(16)


class RequestSigner:
    """Builds the four `BinancePay-*` headers for one try of a request."""

    def __init__(
        self, api_key: str, api_secret: str, nonce: Callable[[], str] | None = None
    ) -> None:
        self.api_key = api_key
        self._secret = api_secret
        self._nonce = nonce or _default_nonce

    def headers(self, body: bytes, timestamp_ms: int) -> dict[str, str]:
        timestamp = str(timestamp_ms)
        nonce = self._nonce()
        if not _NONCE.fullmatch(nonce):
            raise ValueError(f"a nonce is 32 letters or digits, not {nonce!r}")
        return {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            NONCE_HEADER: nonce,
            CERTIFICATE_SN_HEADER: self.api_key,
            SIGNATURE_HEADER: pay_signature(self._secret, timestamp, nonce, body),
        }


@dataclass(frozen=True, slots=True)
class PayCall(Generic[T]):
    """What one endpoint sends and how its `data` is read; `read` calls may be retried."""

    path: str
    payload: dict[str, Any]
    parse: Callable[[Any], T]
    read: bool = False

    @property
    def url(self) -> str:
        return PAY_PREFIX + self.path

    def body(self) -> bytes:
        """The exact bytes sent, and signed."""
        return jsonwire.dumps(self.payload).encode()

    def result(self, response: httpx.Response) -> T:
        return read_data(response, pay_error_from_response, self.path, self.parse)

    def retry_delay(
        self, error: BinanceSandboxError, retries_done: int, max_retries: int
    ) -> float | None:
        """`retry_delay` (below) for this call."""
        return retry_delay(self, error, retries_done, max_retries)


def retry_delay(
    call: PayCall[Any], error: BinanceSandboxError, retries_done: int, max_retries: int
) -> float | None:
    """Seconds to wait before trying a read again after `error`, or None to give up."""
    if not call.read or retries_done >= max_retries:
        return None
    retryable = isinstance(error, UnknownError) or (
        isinstance(error, TransportError) and error.transient
    )
    if not retryable:
        return None
    delay: float = 0.5 * (2 ** min(retries_done, 4))
    return delay


# --- the calls (docs/binance-pay.md, "Endpoints") -------------------------------------------


def _request(model: type[R], request: R | None, fields: Mapping[str, Any]) -> R:
    if request is None:
        return model.model_validate(dict(fields))
    if fields:
        raise TypeError("give a request model or keyword fields, not both")
    if not isinstance(request, model):
        raise TypeError(f"expected a {model.__name__}, not {type(request).__name__}")
    return request


def _closed(data: Any) -> bool:
    if data is not True:
        raise TypeError(f"expected data true, got {data!r}")
    return True


def _one_order_id(prepay_id: str | int | None, merchant_trade_no: str | None) -> dict[str, Any]:
    if prepay_id is None and merchant_trade_no is None:
        raise ValueError("give prepay_id or merchant_trade_no")
    return _without_none(
        prepayId=None if prepay_id is None else str(prepay_id),
        merchantTradeNo=merchant_trade_no,
    )


_PAYOUT_DETAILS = pydantic.TypeAdapter(list[PayoutTransferDetail])
_CERTIFICATES = pydantic.TypeAdapter(list[PayCertificate])


def create_order_call(request: CreateOrderRequest) -> PayCall[CreateOrderResult]:
    return PayCall("v2/order", request.wire(), CreateOrderResult.model_validate)


def create_order_v3_call(request: CreateOrderV3Request) -> PayCall[CreateOrderResult]:
    return PayCall("v3/order", request.wire(), CreateOrderResult.model_validate)


def create_order_openapi_call(request: CreateOrderOpenApiRequest) -> PayCall[CreateOrderResult]:
    return PayCall("v3/order/create", request.wire(), CreateOrderResult.model_validate)


def query_order_call(
    prepay_id: str | int | None, merchant_trade_no: str | None
) -> PayCall[PayOrder]:
    payload = _one_order_id(prepay_id, merchant_trade_no)
    return PayCall("v2/order/query", payload, PayOrder.model_validate, read=True)


def close_order_call(prepay_id: str | int | None, merchant_trade_no: str | None) -> PayCall[bool]:
    return PayCall("order/close", _one_order_id(prepay_id, merchant_trade_no), _closed)


def refund_call(
    refund_request_id: str,
    prepay_id: str | int,
    refund_amount: AmountLike,
    refund_reason: str | None,
    webhook_url: str | None,
) -> PayCall[RefundResult]:
    payload = _without_none(
        refundRequestId=refund_request_id,
        prepayId=str(prepay_id),
        refundAmount=_amount(refund_amount),
        refundReason=refund_reason,
        webhookUrl=webhook_url,
    )
    return PayCall("order/refund", payload, RefundResult.model_validate)


def query_refund_call(refund_request_id: str) -> PayCall[Refund]:
    return PayCall(
        "order/refund/query",
        {"refundRequestId": refund_request_id},
        Refund.model_validate,
        read=True,
    )


def payout_call(
    request_id: str,
    batch_name: str,
    currency: str,
    total_amount: AmountLike,
    total_number: int,
    transfer_detail_list: Sequence[PayoutTransferDetail | Mapping[str, Any]],
    biz_scene: str | None,
    webhook_url: str | None,
) -> PayCall[PayoutResult]:
    details = _PAYOUT_DETAILS.validate_python(
        [d if isinstance(d, PayoutTransferDetail) else dict(d) for d in transfer_detail_list]
    )
    payload = _without_none(
        requestId=request_id,
        bizScene=biz_scene,
        batchName=batch_name,
        currency=currency,
        totalAmount=_amount(total_amount),
        totalNumber=total_number,
        transferDetailList=[detail.wire() for detail in details],
        webhookUrl=webhook_url,
    )
    return PayCall("payout/transfer", payload, PayoutResult.model_validate)


def query_payout_call(
    request_id: str, detail_status: Sequence[str] | str | None
) -> PayCall[PayoutBatch]:
    statuses = [detail_status] if isinstance(detail_status, str) else detail_status
    payload = _without_none(
        requestId=request_id,
        detailStatus=None if statuses is None else [str(status) for status in statuses],
    )
    return PayCall("payout/query", payload, PayoutBatch.model_validate, read=True)


def balance_call(wallet: str, currency: str) -> PayCall[PayBalance]:
    payload = {"wallet": str(wallet), "currency": currency}
    return PayCall("balance", payload, PayBalance.model_validate, read=True)


def balance_v2_call(wallet: str, currency: str | None) -> PayCall[WalletBalance]:
    payload = _without_none(wallet=str(wallet), currency=currency)
    return PayCall("v2/balance", payload, WalletBalance.model_validate, read=True)


def wallet_transfer_call(
    request_id: str, currency: str, amount: AmountLike, transfer_type: str
) -> PayCall[WalletTransfer]:
    # `amount` is the one amount the contract types as a string (a number is accepted too).
    payload = {
        "requestId": request_id,
        "currency": currency,
        "amount": jsonwire.decimal_str(_amount(amount)),
        "transferType": str(transfer_type),
    }
    return PayCall("wallet/transfer", payload, WalletTransfer.model_validate)


def query_wallet_transfer_call(tran_id: str) -> PayCall[WalletTransfer]:
    return PayCall(
        "wallet/transfer/query", {"tranId": tran_id}, WalletTransfer.model_validate, read=True
    )


def add_sub_merchant_call(request: SubMerchantRequest) -> PayCall[SubMerchant]:
    return PayCall("submerchant/add", request.wire(), SubMerchant.model_validate)


def certificates_call() -> PayCall[list[PayCertificate]]:
    return PayCall("certificates", {}, _CERTIFICATES.validate_python, read=True)


def _sub_merchant(
    merchant_name: str, merchant_type: int, merchant_mcc: str, country: str, optional: Any
) -> SubMerchantRequest:
    return SubMerchantRequest.model_validate(
        {
            "merchant_name": merchant_name,
            "merchant_type": merchant_type,
            "merchant_mcc": merchant_mcc,
            "country": country,
            **optional,
        }
    )


# --- the clients ----------------------------------------------------------------------------


class PayClient(SyncClient):
    """Binance Pay over `httpx.Client`.

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
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], int] | None = None,
        nonce: Callable[[], str] | None = None,
        sleep: Callable[[float], None] | None = None,
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

    def close(self) -> None:
        self._http.close()

    # --- orders -------------------------------------------------------------------------

    def create_order(
        self, request: CreateOrderRequest | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        """Create an order (`v2/order`), from a `CreateOrderRequest` or its fields as keywords
        (snake_case or camelCase; nested `env`, `goods`, `shipping`, `buyer`, … as models or
        dicts). Not retried: retry with the same `merchant_trade_no`."""
        return self._send(create_order_call(_request(CreateOrderRequest, request, fields)))

    def create_order_v3(
        self, request: CreateOrderV3Request | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        """Create an order (`v3/order`): `description` and `goods_details` instead of `goods`."""
        return self._send(create_order_v3_call(_request(CreateOrderV3Request, request, fields)))

    def create_order_openapi(
        self, request: CreateOrderOpenApiRequest | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        """Create an order (`v3/order/create`, the openapi spec's flat shape)."""
        return self._send(
            create_order_openapi_call(_request(CreateOrderOpenApiRequest, request, fields))
        )

    def query_order(
        self, prepay_id: str | int | None = None, *, merchant_trade_no: str | None = None
    ) -> PayOrder:
        """One order (`v2/order/query`); `prepay_id` wins when both are given."""
        return self._send(query_order_call(prepay_id, merchant_trade_no))

    def close_order(
        self, prepay_id: str | int | None = None, *, merchant_trade_no: str | None = None
    ) -> bool:
        """Close an INITIAL or PENDING order (`order/close`); the outcome arrives as a
        PAY_CLOSED webhook. Not retried (closing twice answers 400204)."""
        return self._send(close_order_call(prepay_id, merchant_trade_no))

    # --- refunds --------------------------------------------------------------------------

    def refund(
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
        return self._send(
            refund_call(refund_request_id, prepay_id, refund_amount, refund_reason, webhook_url)
        )

    def query_refund(self, refund_request_id: str) -> Refund:
        """One refund and its `refund_status` (`order/refund/query`)."""
        return self._send(query_refund_call(refund_request_id))

    # --- payouts ----------------------------------------------------------------------------

    def payout(
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
        return self._send(
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

    def query_payout(
        self, request_id: str, *, detail_status: Sequence[str] | str | None = None
    ) -> PayoutBatch:
        """A payout batch and its details (`payout/query`), filtered by `detail_status`
        (ALL, PROCESSING, SUCCESS, FAIL)."""
        return self._send(query_payout_call(request_id, detail_status))

    # --- wallets ----------------------------------------------------------------------------

    def balance(self, wallet: str, currency: str) -> PayBalance:
        """One asset's balance in FUNDING_WALLET or SPOT_WALLET (`balance`, v1)."""
        return self._send(balance_call(wallet, currency))

    def balance_v2(self, wallet: str, *, currency: str | None = None) -> WalletBalance:
        """One asset, or every held asset, of a wallet (`v2/balance`)."""
        return self._send(balance_v2_call(wallet, currency))

    def wallet_transfer(
        self, request_id: str, currency: str, amount: AmountLike, transfer_type: str
    ) -> WalletTransfer:
        """Move funds between the Pay and main wallets (`wallet/transfer`; `transfer_type`
        TO_MAIN or TO_PAY). Not retried: retry with the same `request_id`."""
        return self._send(wallet_transfer_call(request_id, currency, amount, transfer_type))

    def query_wallet_transfer(self, tran_id: str) -> WalletTransfer:
        """A transfer by its `requestId` (`wallet/transfer/query`)."""
        return self._send(query_wallet_transfer_call(tran_id))

    # --- merchant -----------------------------------------------------------------------------

    def add_sub_merchant(
        self,
        merchant_name: str,
        merchant_type: int,
        merchant_mcc: str,
        country: str,
        **optional: Any,
    ) -> SubMerchant:
        """Create a sub-merchant (`submerchant/add`); `optional` are the other fields of
        `SubMerchantRequest`. Not retried (a repeated name answers 400205)."""
        request = _sub_merchant(merchant_name, merchant_type, merchant_mcc, country, optional)
        return self._send(add_sub_merchant_call(request))

    def certificates(self) -> list[PayCertificate]:
        """The platform's webhook public keys (`certificates`)."""
        return self._send(certificates_call())


class AsyncPayClient(AsyncClient):
    """Binance Pay over `httpx.AsyncClient`; see `PayClient`."""

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
        sleep: Callable[[float], Awaitable[Any]] | None = None,
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

    async def aclose(self) -> None:
        await self._http.aclose()

    async def create_order(
        self, request: CreateOrderRequest | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        return await self._send(create_order_call(_request(CreateOrderRequest, request, fields)))

    async def create_order_v3(
        self, request: CreateOrderV3Request | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        return await self._send(
            create_order_v3_call(_request(CreateOrderV3Request, request, fields))
        )

    async def create_order_openapi(
        self, request: CreateOrderOpenApiRequest | None = None, /, **fields: Any
    ) -> CreateOrderResult:
        return await self._send(
            create_order_openapi_call(_request(CreateOrderOpenApiRequest, request, fields))
        )

    async def query_order(
        self, prepay_id: str | int | None = None, *, merchant_trade_no: str | None = None
    ) -> PayOrder:
        return await self._send(query_order_call(prepay_id, merchant_trade_no))

    async def close_order(
        self, prepay_id: str | int | None = None, *, merchant_trade_no: str | None = None
    ) -> bool:
        return await self._send(close_order_call(prepay_id, merchant_trade_no))

    async def refund(
        self,
        refund_request_id: str,
        prepay_id: str | int,
        refund_amount: AmountLike,
        *,
        refund_reason: str | None = None,
        webhook_url: str | None = None,
    ) -> RefundResult:
        return await self._send(
            refund_call(refund_request_id, prepay_id, refund_amount, refund_reason, webhook_url)
        )

    async def query_refund(self, refund_request_id: str) -> Refund:
        return await self._send(query_refund_call(refund_request_id))

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
        return await self._send(query_payout_call(request_id, detail_status))

    async def balance(self, wallet: str, currency: str) -> PayBalance:
        return await self._send(balance_call(wallet, currency))

    async def balance_v2(self, wallet: str, *, currency: str | None = None) -> WalletBalance:
        return await self._send(balance_v2_call(wallet, currency))

    async def wallet_transfer(
        self, request_id: str, currency: str, amount: AmountLike, transfer_type: str
    ) -> WalletTransfer:
        return await self._send(wallet_transfer_call(request_id, currency, amount, transfer_type))

    async def query_wallet_transfer(self, tran_id: str) -> WalletTransfer:
        return await self._send(query_wallet_transfer_call(tran_id))

    async def add_sub_merchant(
        self,
        merchant_name: str,
        merchant_type: int,
        merchant_mcc: str,
        country: str,
        **optional: Any,
    ) -> SubMerchant:
        request = _sub_merchant(merchant_name, merchant_type, merchant_mcc, country, optional)
        return await self._send(add_sub_merchant_call(request))

    async def certificates(self) -> list[PayCertificate]:
        return await self._send(certificates_call())
