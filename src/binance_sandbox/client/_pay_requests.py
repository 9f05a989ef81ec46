"""The requests of the Binance Pay merchant API: orders, payouts, sub-merchants (see
`binance_sandbox.client.pay_models`)."""

from __future__ import annotations

import builtins
from typing import Any

from binance_sandbox.client import _json
from binance_sandbox.client._pay_shapes import (
    RequestAmount,
    _PayRequest,
)

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
