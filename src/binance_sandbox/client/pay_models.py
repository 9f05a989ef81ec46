"""Typed requests and results of the Binance Pay merchant API (docs/binance-pay.md).

Like the Connect models, results read the camelCase wire names and also accept the snake_case
field names, and ignore fields they do not know. Amounts are `Decimal`: the API sends some as
JSON numbers (which `_json` parses to `Decimal`) and some as strings, and
both are read exactly; a `float` is refused. Ids that Binance keeps as numbers (`merchantId`,
`subMerchantId`, payout `orderId`) are `int`; `prepayId` is a string. Times are epoch ms.

Request models refuse unknown fields, so that a misspelt keyword fails instead of vanishing,
and raise `TypeError` for a float amount, as the Connect client does.
"""

from __future__ import annotations

import builtins
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from binance_sandbox.client._pay_requests import (
    Buyer,
    CreateOrderOpenApiRequest,
    CreateOrderRequest,
    CreateOrderV3Request,
    DirectDebitContract,
    Goods,
    GoodsUnitAmount,
    OrderEnv,
    OrderMerchant,
    OrderTags,
    PayoutTransferDetail,
    PersonName,
    Shipping,
    ShippingAddress,
    SubMerchantRequest,
)
from binance_sandbox.client._pay_shapes import (
    PayBizType,
    PayOrderStatus,
    PayoutBatchStatus,
    PayoutDetailStatus,
    PayWallet,
    ReceiveType,
    RefundStatus,
    RequestAmount,
    TerminalType,
    WalletTransferStatus,
    WalletTransferType,
    _json_object,
    _PayModel,
    _yes_no,
)
from binance_sandbox.client.models import Amount

__all__ = [
    "AssetBalance",
    "Buyer",
    "CreateOrderOpenApiRequest",
    "CreateOrderRequest",
    "CreateOrderResult",
    "CreateOrderV3Request",
    "DirectDebitContract",
    "Goods",
    "GoodsUnitAmount",
    "OrderEnv",
    "OrderMerchant",
    "OrderTags",
    "PayBalance",
    "PayBizType",
    "PayCertificate",
    "PayNotification",
    "PayOrder",
    "PayOrderStatus",
    "PayWallet",
    "PayWebhookEvent",
    "PaymentInfo",
    "PaymentInstruction",
    "PayoutBatch",
    "PayoutBatchStatus",
    "PayoutDetail",
    "PayoutDetailStatus",
    "PayoutNotification",
    "PayoutResult",
    "PayoutTransferDetail",
    "PersonName",
    "ReceiveType",
    "Refund",
    "RefundNotification",
    "RefundResult",
    "RefundStatus",
    "RequestAmount",
    "Shipping",
    "ShippingAddress",
    "SubMerchant",
    "SubMerchantRequest",
    "TerminalType",
    "WalletBalance",
    "WalletTransfer",
    "WalletTransferStatus",
    "WalletTransferType",
]


# --- results -------------------------------------------------------------------------------


class CreateOrderResult(_PayModel):
    """The `data` of `v2/order`, `v3/order` and `v3/order/create`."""

    prepay_id: str
    terminal_type: str | None = None
    expire_time: int
    qrcode_link: str
    qr_content: str
    checkout_url: str
    deeplink: str
    universal_url: str
    currency: str | None = None
    total_fee: Amount | None = None
    fiat_currency: str | None = None
    fiat_amount: Amount | None = None


class PaymentInstruction(_PayModel):
    currency: str
    amount: Amount
    price: Amount


class PaymentInfo(_PayModel):
    pay_method: str | None = None
    payment_instructions: builtins.list[PaymentInstruction] = Field(default_factory=list)


class PayOrder(_PayModel):
    """The `data` of `v2/order/query`. The openapi spec's names (`orderStatus`, `totalFee`)
    stand in for the docs' (`status`, `orderAmount`) when only they are sent."""

    merchant_id: int | None = None
    prepay_id: str
    transaction_id: str | None = None
    merchant_trade_no: str
    status: PayOrderStatus
    currency: str
    order_amount: Amount
    open_user_id: str | None = None
    pass_through_info: str | None = None
    commission: Amount | None = None
    transact_time: int | None = None
    create_time: int | None = None
    payment_info: PaymentInfo | None = None
    payer_info: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _openapi_names(cls, value: Any) -> Any:
        if isinstance(value, dict):
            value = dict(value)
            if value.get("status") is None and "orderStatus" in value:
                value["status"] = value["orderStatus"]
            if value.get("orderAmount") is None and "totalFee" in value:
                value["orderAmount"] = value["totalFee"]
        return value


class RefundResult(_PayModel):
    """The `data` of `order/refund`, and `refundInfo` in a PAY_REFUND webhook."""

    refund_request_id: str
    prepay_id: str
    order_amount: Amount
    refunded_amount: Amount
    refund_amount: Amount
    remaining_attempts: int
    payer_open_id: str | None = None
    duplicate_request: Annotated[bool, BeforeValidator(_yes_no)] = False


class Refund(_PayModel):
    """The `data` of `order/refund/query`."""

    refund_request_id: str
    prepay_id: str
    order_amount: Amount
    refunded_amount: Amount
    refund_amount: Amount
    remaining_attempts: int
    payer_open_id: str | None = None
    refunded_commission: Amount | None = None
    refund_commission: Amount | None = None
    refund_status: RefundStatus


class PayoutResult(_PayModel):
    """The `data` of `payout/transfer`: the batch was accepted (status ACCEPTED)."""

    request_id: str
    status: str


class PayoutDetail(_PayModel):
    order_id: int
    merchant_send_id: str
    payer_id: int | None = None
    amount: Amount
    receive_type: ReceiveType
    receiver: str
    payee_id: int | None = None
    transfer_method: str | None = None
    status: PayoutDetailStatus
    remark: str | None = None


class PayoutBatch(_PayModel):
    """The `data` of `payout/query`; `transfer_detail_list` is filtered by `detailStatus`."""

    request_id: str
    batch_status: PayoutBatchStatus
    merchant_id: int | None = None
    currency: str
    total_amount: Amount
    total_paid_amount: Amount | None = None
    total_payout_fee: Amount | None = None
    total_number: int
    transfer_detail_list: builtins.list[PayoutDetail] = Field(default_factory=list)


class PayBalance(_PayModel):
    """The `data` of `balance` (v1): one asset in one wallet."""

    balance: Amount
    asset: str
    fiat: str | None = None
    available_fiat_valuation: Amount | None = None
    available_btc_valuation: Amount | None = None


class AssetBalance(_PayModel):
    asset: str
    available: Amount
    freeze: Amount
    available_fiat_valuation: Amount | None = None
    available_btc_valuation: Amount | None = None


class WalletBalance(_PayModel):
    """The `data` of `v2/balance`; `update_time` is ms (the wire has a decimal string)."""

    balance: builtins.list[AssetBalance]
    wallet: str
    update_time: int | None = None
    fiat: str | None = None


class WalletTransfer(_PayModel):
    """The `data` of `wallet/transfer` and `wallet/transfer/query` (`tran_id` is the
    transfer's `requestId`); the query answers only `tranId` and `status`."""

    tran_id: str
    status: WalletTransferStatus
    currency: str | None = None
    amount: Amount | None = None
    transfer_type: WalletTransferType | None = None


class SubMerchant(_PayModel):
    sub_merchant_id: int


class PayCertificate(_PayModel):
    """An entry of `certificates`: the key that signs webhooks sent with this serial."""

    cert_serial: str
    cert_public: str


# --- webhook payloads (docs/binance-pay.md, "Webhooks") ------------------------------------


class PayNotification(_PayModel):
    """`data` of a PAY webhook (PAY_SUCCESS, PAY_CLOSED; the payer's fields are absent for
    PAY_CLOSED)."""

    merchant_trade_no: str
    product_type: str | None = None
    product_name: str | None = None
    transact_time: int | None = None
    trade_type: str | None = None
    total_fee: Amount
    currency: str
    open_user_id: str | None = None
    transaction_id: str | None = None
    pass_through_info: str | None = None
    commission: Amount | None = None
    payment_info: PaymentInfo | None = None


class RefundNotification(_PayModel):
    """`data` of a PAY_REFUND webhook (REFUND_SUCCESS, REFUND_REJECTED)."""

    merchant_trade_no: str
    product_type: str | None = None
    product_name: str | None = None
    trade_type: str | None = None
    total_fee: Amount
    currency: str
    open_user_id: str | None = None
    transact_time: int | None = None
    commission: Amount | None = None
    refund_info: Annotated[RefundResult, BeforeValidator(_json_object)]


class PayoutNotification(_PayModel):
    """`data` of a PAYOUT webhook; `batch_status` repeats `bizStatus`."""

    request_id: str
    batch_status: PayoutBatchStatus
    merchant_id: int | None = None
    currency: str
    total_amount: Amount
    total_number: int


_NOTIFICATIONS: dict[str, type[_PayModel]] = {
    PayBizType.PAY: PayNotification,
    PayBizType.PAY_REFUND: RefundNotification,
    PayBizType.PAYOUT: PayoutNotification,
}


class PayWebhookEvent(_PayModel):
    """A webhook body. `biz_id` is the `prepayId` (PAY, PAY_REFUND) or the payout batch id;
    `data`, a JSON string on the wire, is read into the model its `biz_type` names.
    De-duplicate on (`biz_type`, `biz_id_str`, `biz_status`), plus
    `data.refund_info.refund_request_id` for refunds."""

    biz_type: PayBizType
    biz_id: int
    biz_id_str: str
    biz_status: str
    data: PayNotification | RefundNotification | PayoutNotification

    @model_validator(mode="before")
    @classmethod
    def _decode_data(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        value = dict(value)
        data = _json_object(value.get("data"))
        model = _NOTIFICATIONS.get(str(value.get("bizType", value.get("biz_type"))))
        if model is not None and isinstance(data, dict):
            data = model.model_validate(data)
        value["data"] = data
        return value
