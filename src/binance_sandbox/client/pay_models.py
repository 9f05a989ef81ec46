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
import enum
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from binance_sandbox.client import _json
from binance_sandbox.client._calls import _amount
from binance_sandbox.client.models import Amount, _camel

# --- shared shapes -------------------------------------------------------------------------

RequestAmount = Annotated[Decimal, BeforeValidator(_amount)]
"""An amount to send: Decimal, int or decimal string; a float raises TypeError."""


def _yes_no(value: Any) -> Any:
    # `duplicateRequest`: boolean in the openapi spec, "Y"/"N" in the docs and one client.
    if value in ("Y", "N"):
        return value == "Y"
    return value


def _json_object(value: Any) -> Any:
    # `refundInfo`: an object in captured payloads, "string" in the docs.
    if isinstance(value, str | bytes):
        return _json.loads(value)
    return value


class _PayModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=_camel,
        validate_by_alias=True,
        validate_by_name=True,
        frozen=True,
        extra="ignore",
        # Ids typed as strings (prepayId, receiver, …) may come as JSON numbers.
        coerce_numbers_to_str=True,
    )


class _PayRequest(_PayModel):
    model_config = ConfigDict(extra="forbid")

    def wire(self) -> dict[str, Any]:
        """The JSON object to send: camelCase, absent fields left out, amounts as Decimal
        (written as exact JSON numbers)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class TerminalType(enum.StrEnum):
    APP = "APP"
    WEB = "WEB"
    WAP = "WAP"
    MINI_PROGRAM = "MINI_PROGRAM"
    OTHERS = "OTHERS"


class PayOrderStatus(enum.StrEnum):
    """Order states (docs/binance-pay.md, "Order lifecycle")."""

    INITIAL = "INITIAL"
    PENDING = "PENDING"
    PAID = "PAID"
    CANCELED = "CANCELED"
    ERROR = "ERROR"
    REFUNDING = "REFUNDING"
    REFUNDED = "REFUNDED"
    FULL_REFUNDED = "FULL_REFUNDED"
    EXPIRED = "EXPIRED"


class RefundStatus(enum.StrEnum):
    REFUND_SUCCESS = "REFUND_SUCCESS"
    REFUND_FAIL = "REFUND_FAIL"
    REFUND_PENDING = "REFUND_PENDING"


class PayWallet(enum.StrEnum):
    """The merchant wallets of `balance` and of payout `transferMethod`."""

    FUNDING_WALLET = "FUNDING_WALLET"
    SPOT_WALLET = "SPOT_WALLET"


class ReceiveType(enum.StrEnum):
    PAY_ID = "PAY_ID"
    BINANCE_ID = "BINANCE_ID"
    EMAIL = "EMAIL"


class PayoutBatchStatus(enum.StrEnum):
    ACCEPTED = "ACCEPTED"
    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    PART_SUCCESS = "PART_SUCCESS"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class PayoutDetailStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    PROCESSING = "PROCESSING"
    AWAITING_RECEIPT = "AWAITING_RECEIPT"
    REFUNDED = "REFUNDED"


class WalletTransferType(enum.StrEnum):
    TO_MAIN = "TO_MAIN"  # Pay (FUNDING) wallet → main (SPOT) wallet
    TO_PAY = "TO_PAY"  # SPOT → FUNDING


class WalletTransferStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    PROCESS = "PROCESS"


class PayBizType(enum.StrEnum):
    PAY = "PAY"
    PAY_REFUND = "PAY_REFUND"
    PAYOUT = "PAYOUT"


# --- order requests (`v2/order`, `v3/order`) -----------------------------------------------


class OrderMerchant(_PayRequest):
    sub_merchant_id: str


class OrderEnv(_PayRequest):
    terminal_type: str
    os_type: str | None = None
    order_client_ip: str | None = None
    cookie_id: str | None = None


class GoodsUnitAmount(_PayRequest):
    currency: str
    amount: RequestAmount


class Goods(_PayRequest):
    """One item: v2's `goods`, or an entry of v3's `goodsDetails`. `goods_type` is `01`
    tangible or `02` virtual; `goods_category` one of `0000`…`Z000`."""

    goods_type: str
    goods_category: str
    reference_goods_id: str
    goods_name: str
    goods_detail: str | None = None
    goods_unit_amount: GoodsUnitAmount | None = None
    goods_quantity: str | None = None


class PersonName(_PayRequest):
    first_name: str
    middle_name: str | None = None
    last_name: str


class ShippingAddress(_PayRequest):
    region: str
    state: str | None = None
    city: str | None = None
    address: str | None = None
    zip_code: str | None = None
    shipping_address_type: str | None = None


class Shipping(_PayRequest):
    shipping_name: PersonName | None = None
    shipping_address: ShippingAddress | None = None
    shipping_phone_no: str | None = None


class Buyer(_PayRequest):
    reference_buyer_id: str | None = None
    buyer_name: PersonName | None = None
    buyer_phone_country_code: str | None = None
    buyer_phone_no: str | None = None
    buyer_email: str | None = None
    buyer_registration_time: int | None = None
    buyer_browser_language: str | None = None


class DirectDebitContract(_PayRequest):
    merchant_contract_code: str
    service_name: str
    scenario_code: str
    single_upper_limit: RequestAmount
    periodic: bool
    cycle_debit_fixed: bool | None = None
    cycle_type: str | None = None
    cycle_value: int | None = None
    first_deduct_time: int | None = None
    merchant_account_no: str | None = None
    contract_end_time: int | None = None


class OrderTags(_PayRequest):
    if_profit_sharing: bool | None = None


class _OrderRequest(_PayRequest):
    """What `v2/order` and `v3/order` share. Give `order_amount` with `currency`, or
    `fiat_amount` with `fiat_currency`. `merchant_trade_no` is the order's idempotency key:
    retry a failed create with the same one (a second success is refused with 400201)."""

    merchant_trade_no: str
    env: OrderEnv
    merchant: OrderMerchant | None = None
    order_amount: RequestAmount | None = None
    currency: str | None = None
    fiat_amount: RequestAmount | None = None
    fiat_currency: str | None = None
    shipping: Shipping | None = None
    buyer: Buyer | None = None
    return_url: str | None = None
    cancel_url: str | None = None
    order_expire_time: int | None = None
    support_pay_currency: str | None = None
    app_id: str | None = None
    universal_url_attach: str | None = None
    pass_through_info: str | None = None
    webhook_url: str | None = None
    direct_debit_contract: DirectDebitContract | None = None
    order_tags: OrderTags | None = None


class CreateOrderRequest(_OrderRequest):
    """`v2/order`."""

    goods: Goods


class CreateOrderV3Request(_OrderRequest):
    """`v3/order`: a description and a list of goods instead of v2's one `goods`."""

    description: str
    goods_details: builtins.list[Goods]


class CreateOrderOpenApiRequest(_PayRequest):
    """`v3/order/create`, the openapi spec's flat shape; `total_fee` is sent as a decimal
    string, its documented type."""

    merchant_trade_no: str
    total_fee: RequestAmount
    currency: str
    product_type: str | None = None
    product_name: str | None = None
    product_detail: str | None = None
    trade_type: str | None = None
    order_expire_time: int | None = None
    return_url: str | None = None
    cancel_url: str | None = None
    webhook_url: str | None = None

    def wire(self) -> dict[str, Any]:
        fields = super().wire()
        fields["totalFee"] = _json.decimal_str(self.total_fee)
        return fields


class PayoutTransferDetail(_PayRequest):
    """One line of a payout batch; `receive_type` PAY_ID, BINANCE_ID or EMAIL."""

    merchant_send_id: str
    receive_type: str
    receiver: str
    transfer_amount: RequestAmount
    transfer_method: str | None = None
    remark: str | None = None


class SubMerchantRequest(_PayRequest):
    """`submerchant/add`; see the contract for which optional fields each `merchant_type`
    requires."""

    merchant_name: str
    merchant_type: int
    merchant_mcc: str
    country: str
    pay_industry_description: str | None = None
    brand_logo: str | None = None
    address: str | None = None
    company_name: str | None = None
    registration_number: str | None = None
    registration_country: str | None = None
    registration_address: str | None = None
    incorporation_date: int | None = None
    store_type: int | None = None
    site_type: int | None = None
    site_url: str | None = None
    site_name: str | None = None
    certificate_type: int | None = None
    certificate_country: str | None = None
    certificate_number: str | None = None
    certificate_valid_date: int | None = None
    contract_time_isv: int | None = None


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
    payment_instructions: builtins.list[PaymentInstruction] = []


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
    transfer_detail_list: builtins.list[PayoutDetail] = []


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
