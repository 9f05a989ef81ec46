"""Connect Deposit's codes: those of the Connect family (guide §11), in `connect.errors`.

- 1230303 ILLEGAL_PARAMETERS: bad input, an unknown user, coin, network or session;
- 1230309 DUPLICATE_ORDER_SUBMISSION: an `externalOrderId` used before by this partner;
- 1230314 INVALID_ORDER_STATUS: a change the session's state machine refuses.
"""

from binance_sandbox.connect.errors import (
    ConnectError,
    DuplicateOrderSubmission,
    IllegalParameters,
    InvalidOrderStatus,
)

__all__ = [
    "ConnectError",
    "DuplicateOrderSubmission",
    "IllegalParameters",
    "InvalidOrderStatus",
]
