"""The I/O-free half of the Binance Pay clients: the signer, what each call sends, how its
answer is read and when a failed one is tried again (see `binance_sandbox.client.pay`)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from binance_sandbox.client import _json
from binance_sandbox.client._calls import AmountLike, _amount, _without_none
from binance_sandbox.client._request import PreparedRequest, read_data
from binance_sandbox.client.errors import BinanceSandboxError, TransportError
from binance_sandbox.client.pay_errors import PayError, pay_error_from_response
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
        return _json.dumps(self.payload).encode()

    def prepare(self, signer: RequestSigner, timestamp_ms: int) -> PreparedRequest:
        body = self.body()
        return PreparedRequest("POST", self.url, body, signer.headers(body, timestamp_ms))

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
    retryable = (isinstance(error, PayError) and error.RETRYABLE) or (
        isinstance(error, TransportError) and error.transient
    )
    if not retryable:
        return None
    delay: float = 0.5 * (2 ** min(retries_done, 4))
    return delay


# --- the calls (docs/binance-pay.md, "Endpoints") -------------------------------------------


def request_model(model: type[R], request: R | None, fields: Mapping[str, Any]) -> R:
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
        "amount": _json.decimal_str(_amount(amount)),
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


def sub_merchant_request(
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
