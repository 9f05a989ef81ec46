"""Connect Prime's codes: those of the Connect family (guide §11), in `connect.errors`."""

from binance_sandbox.connect.errors import (
    ConnectError,
    CustomSpreadExceeded,
    DuplicateOrderSubmission,
    IllegalParameters,
    InvalidAmountType,
    InvalidDirection,
    InvalidOrderStatus,
    LimitCalculationFailed,
    NoPaymentMethodAvailable,
    OrderExecutionFailed,
    QuoteCacheFailed,
    QuoteExpired,
    QuoteGenerationFailed,
)

__all__ = [
    "ConnectError",
    "CustomSpreadExceeded",
    "DuplicateOrderSubmission",
    "IllegalParameters",
    "InvalidAmountType",
    "InvalidDirection",
    "InvalidOrderStatus",
    "LimitCalculationFailed",
    "NoPaymentMethodAvailable",
    "OrderExecutionFailed",
    "QuoteCacheFailed",
    "QuoteExpired",
    "QuoteGenerationFailed",
]
