"""Connect Prime's own codes: quotes and orders (guide §11, 12303xx), from `codes.connect`.

The platform's and authentication's codes (SYS_ERROR, SYS_BUSY, ILLEGAL_PARAMETERS, …) are
Connect's, in `connect.errors`.

    connect.errors.ConnectError
    ├── InvalidDirection           1230304 INVALID_DIRECTION
    ├── NoPaymentMethodAvailable   1230305 NO_PAYMENT_METHOD_AVAILABLE
    ├── InvalidAmountType          1230306 INVALID_AMOUNT_TYPE
    ├── QuoteGenerationFailed      1230307 QUOTE_GENERATION_FAILED
    ├── QuoteCacheFailed           1230308 QUOTE_CACHE_FAILED
    ├── DuplicateOrderSubmission   1230309 DUPLICATE_ORDER_SUBMISSION (data: the order)
    ├── QuoteExpired               1230310 QUOTE_EXPIRED
    ├── OrderExecutionFailed       1230311 ORDER_EXECUTION_FAILED
    ├── CustomSpreadExceeded       1230313 CUSTOM_SPREAD_EXCEEDED
    ├── InvalidOrderStatus         1230314 INVALID_ORDER_STATUS
    └── LimitCalculationFailed     1230315 LIMIT_CALCULATION_FAILED
"""

from __future__ import annotations

from binance_sandbox.codes import connect
from binance_sandbox.connect.errors import ConnectError


class InvalidDirection(ConnectError, row=connect.INVALID_DIRECTION):
    pass


class NoPaymentMethodAvailable(ConnectError, row=connect.NO_PAYMENT_METHOD_AVAILABLE):
    pass


class InvalidAmountType(ConnectError, row=connect.INVALID_AMOUNT_TYPE):
    pass


class QuoteGenerationFailed(ConnectError, row=connect.QUOTE_GENERATION_FAILED):
    pass


class QuoteCacheFailed(ConnectError, row=connect.QUOTE_CACHE_FAILED):
    pass


class DuplicateOrderSubmission(ConnectError, row=connect.DUPLICATE_ORDER_SUBMISSION):
    pass


class QuoteExpired(ConnectError, row=connect.QUOTE_EXPIRED):
    pass


class OrderExecutionFailed(ConnectError, row=connect.ORDER_EXECUTION_FAILED):
    pass


class CustomSpreadExceeded(ConnectError, row=connect.CUSTOM_SPREAD_EXCEEDED):
    pass


class InvalidOrderStatus(ConnectError, row=connect.INVALID_ORDER_STATUS):
    pass


class LimitCalculationFailed(ConnectError, row=connect.LIMIT_CALCULATION_FAILED):
    pass


ALL: tuple[type[ConnectError], ...] = (
    InvalidDirection,
    NoPaymentMethodAvailable,
    InvalidAmountType,
    QuoteGenerationFailed,
    QuoteCacheFailed,
    DuplicateOrderSubmission,
    QuoteExpired,
    OrderExecutionFailed,
    CustomSpreadExceeded,
    InvalidOrderStatus,
    LimitCalculationFailed,
)
