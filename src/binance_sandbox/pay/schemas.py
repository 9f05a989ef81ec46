"""Binance Pay request models, field for field as pay-create-order-v2.txt and NOTES.md give
them. Lengths and patterns are declared here (they map to 400101/400103); rules that join
several fields live in the service."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from binance_sandbox.pay.errors import InvalidParamIllegalChar, PayValueError

LETTERS_DIGITS = r"^[A-Za-z0-9]+$"
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U0000fe0f\U0000200d]"
)


def _goods_name(value: str) -> str:
    # pay-create-order-v2: "Special character is prohibited Example: \\ \" or emoji".
    if "\\" in value or '"' in value or _EMOJI.search(value):
        raise PayValueError(InvalidParamIllegalChar('goodsName must not contain \\, " or emoji.'))
    return value


def _decimal8(value: Decimal) -> Decimal:
    # decimal(.8), minimum 0.00000001.
    if value < Decimal("0.00000001"):
        raise ValueError("must be at least 0.00000001")
    # Before quantizing: a larger value has more digits than the decimal context holds.
    if value >= Decimal(10) ** 15:
        raise ValueError("is too large")
    if value != value.quantize(Decimal("0.00000001")):
        raise ValueError("must have at most 8 decimal places")
    return value


Amount = Annotated[Decimal, AfterValidator(_decimal8)]
TradeNo = Annotated[str, Field(min_length=1, max_length=32, pattern=LETTERS_DIGITS)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class MerchantInfo(Body):
    subMerchantId: str | None = Field(default=None, max_length=19)


class Env(Body):
    terminalType: Literal["APP", "WEB", "WAP", "MINI_PROGRAM", "OTHERS"]
    osType: Literal["IOS", "ANDROID"] | None = None
    orderClientIp: str | None = Field(default=None, max_length=64)
    cookieId: str | None = Field(default=None, max_length=256)


class GoodsUnitAmount(Body):
    currency: str = Field(min_length=1, max_length=16)
    amount: Amount


GoodsCategory = Literal[
    "0000",
    "1000",
    "2000",
    "3000",
    "4000",
    "5000",
    "6000",
    "7000",
    "8000",
    "9000",
    "A000",
    "B000",
    "C000",
    "D000",
    "E000",
    "F000",
    "Z000",
]


class Goods(Body):
    goodsType: Literal["01", "02"]
    goodsCategory: GoodsCategory
    referenceGoodsId: str = Field(min_length=1, max_length=64)
    goodsName: Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_goods_name)]
    goodsDetail: str | None = Field(default=None, max_length=256)
    goodsUnitAmount: GoodsUnitAmount | None = None
    goodsQuantity: str | None = Field(default=None, max_length=32)


class PersonName(Body):
    firstName: str = Field(min_length=1, max_length=64)
    middleName: str | None = Field(default=None, max_length=64)
    lastName: str = Field(min_length=1, max_length=64)


class ShippingAddress(Body):
    region: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")
    state: str | None = Field(default=None, max_length=128)
    city: str | None = Field(default=None, max_length=128)
    address: str | None = Field(default=None, max_length=256)
    zipCode: str | None = Field(default=None, max_length=32)
    shippingAddressType: Literal["01", "02", "03", "04"] | None = None


class Shipping(Body):
    shippingName: PersonName | None = None
    shippingAddress: ShippingAddress | None = None
    shippingPhoneNo: str | None = Field(default=None, max_length=32)


class Buyer(Body):
    referenceBuyerId: str | None = Field(default=None, max_length=64)
    buyerName: PersonName | None = None
    buyerPhoneCountryCode: str | None = Field(default=None, max_length=8)
    buyerPhoneNo: str | None = Field(default=None, max_length=32)
    buyerEmail: str | None = Field(default=None, max_length=254)
    buyerRegistrationTime: int | None = None
    buyerBrowserLanguage: str | None = Field(default=None, max_length=32)


class DirectDebitContract(Body):
    merchantContractCode: TradeNo
    serviceName: str = Field(min_length=1, max_length=32)
    scenarioCode: str = Field(min_length=1, max_length=64)
    singleUpperLimit: Amount
    periodic: bool
    cycleDebitFixed: bool | None = None
    cycleType: Literal["MONTH", "DAY"] | None = None
    cycleValue: int | None = None
    firstDeductTime: int | None = None
    merchantAccountNo: str | None = Field(default=None, max_length=64)
    contractEndTime: int | None = None


class OrderTags(Body):
    ifProfitSharing: bool | None = None


Url256 = Annotated[str, Field(max_length=256)]


class CreateOrderCommon(Body):
    merchant: MerchantInfo | None = None
    env: Env
    merchantTradeNo: TradeNo
    orderAmount: Amount | None = None
    currency: str | None = Field(default=None, max_length=16)
    fiatAmount: Amount | None = None
    fiatCurrency: str | None = Field(default=None, max_length=8)
    shipping: Shipping | None = None
    buyer: Buyer | None = None
    returnUrl: Url256 | None = None
    cancelUrl: Url256 | None = None
    orderExpireTime: int | None = None
    supportPayCurrency: str | None = Field(default=None, max_length=1024)
    appId: str | None = Field(default=None, max_length=64)
    universalUrlAttach: str | None = Field(default=None, max_length=120)
    passThroughInfo: str | None = Field(default=None, max_length=512)
    webhookUrl: Url256 | None = None
    directDebitContract: DirectDebitContract | None = None
    orderTags: OrderTags | None = None


class CreateOrderV2(CreateOrderCommon):
    goods: Goods


class CreateOrderV3(CreateOrderCommon):
    """v3 (NOTES.md): a required `description` and a `goodsDetails` list instead of `goods`."""

    description: str = Field(min_length=1, max_length=256)
    goodsDetails: list[Goods] = Field(min_length=1, max_length=100)


class CreateOrderV3Short(Body):
    """`v3/order/create` as pay-openapi.txt's OpenAPI part describes it."""

    merchantTradeNo: TradeNo
    totalFee: Amount
    currency: str = Field(min_length=1, max_length=16)
    productType: str | None = Field(default=None, max_length=64)
    productName: Annotated[str, Field(max_length=256), AfterValidator(_goods_name)] | None = None
    productDetail: str | None = Field(default=None, max_length=256)
    tradeType: Literal["WEB", "APP", "WAP", "MINI_PROGRAM", "OTHERS"] = "WEB"
    orderExpireTime: int | None = None
    returnUrl: Url256 | None = None
    cancelUrl: Url256 | None = None
    webhookUrl: Url256 | None = None


class OrderRef(Body):
    prepayId: str | None = Field(default=None, max_length=32)
    merchantTradeNo: str | None = Field(default=None, max_length=32)


class Refund(Body):
    refundRequestId: str = Field(min_length=1, max_length=64)
    prepayId: str = Field(min_length=1, max_length=32)
    refundAmount: Amount
    refundReason: str | None = Field(default=None, max_length=256)
    webhookUrl: Url256 | None = None


class RefundQuery(Body):
    refundRequestId: str = Field(min_length=1, max_length=64)


class PayoutDetail(Body):
    merchantSendId: str = Field(min_length=1, max_length=32, pattern=LETTERS_DIGITS)
    receiveType: Literal["PAY_ID", "BINANCE_ID", "EMAIL"]
    receiver: str = Field(min_length=1, max_length=254)
    transferAmount: Amount
    transferMethod: Literal["FUNDING_WALLET", "SPOT_WALLET"] = "FUNDING_WALLET"
    remark: str | None = Field(default=None, max_length=128)


class Payout(Body):
    requestId: str = Field(min_length=1, max_length=32, pattern=LETTERS_DIGITS)
    bizScene: str | None = Field(default=None, max_length=64)
    batchName: str = Field(min_length=1, max_length=32)
    currency: str = Field(min_length=1, max_length=16)
    totalAmount: Amount
    totalNumber: int = Field(ge=1, le=500)
    transferDetailList: list[PayoutDetail] = Field(min_length=1, max_length=500)
    webhookUrl: Url256 | None = None


DetailStatus = Literal["ALL", "PROCESSING", "SUCCESS", "FAIL"]


class PayoutQuery(Body):
    requestId: str = Field(min_length=1, max_length=32)
    detailStatus: list[DetailStatus] | DetailStatus | None = None


class BalanceV1(Body):
    wallet: Literal["FUNDING_WALLET", "SPOT_WALLET"]
    currency: str = Field(min_length=1, max_length=16)


class BalanceV2(Body):
    wallet: Literal["FUNDING_WALLET", "SPOT_WALLET"]
    currency: str | None = Field(default=None, max_length=16)


class WalletTransfer(Body):
    requestId: str = Field(min_length=1, max_length=32)
    currency: str = Field(min_length=1, max_length=16)
    amount: Amount
    transferType: Literal["TO_MAIN", "TO_PAY"]


class WalletTransferQuery(Body):
    tranId: str = Field(min_length=1, max_length=64)


class SubMerchantAdd(Body):
    merchantName: str = Field(min_length=1, max_length=128)
    merchantType: Literal[1, 2, 3, 4, 5]
    merchantMcc: str = Field(min_length=1, max_length=16)
    payIndustryDescription: str | None = Field(default=None, max_length=500)
    country: str = Field(min_length=2, max_length=256)
    brandLogo: str | None = Field(default=None, max_length=256)
    address: str | None = Field(default=None, max_length=1024)
    companyName: str | None = Field(default=None, max_length=64)
    registrationNumber: str | None = Field(default=None, max_length=64)
    registrationCountry: str | None = Field(default=None, max_length=8)
    registrationAddress: str | None = Field(default=None, max_length=256)
    incorporationDate: int | None = None
    storeType: int | None = None
    siteType: int | None = None
    siteUrl: str | None = Field(default=None, max_length=256)
    siteName: str | None = Field(default=None, max_length=128)
    certificateType: int | None = None
    certificateCountry: str | None = Field(default=None, max_length=8)
    certificateNumber: str | None = Field(default=None, max_length=64)
    certificateValidDate: int | None = None
    contractTimeIsv: int | None = None
