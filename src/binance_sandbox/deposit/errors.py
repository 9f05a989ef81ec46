"""Connect Deposit's own codes (connect-deposit-flow.txt; guide §11), from `codes.connect`.

Bad input, an unknown user, coin, network or session is Connect's 1230303
ILLEGAL_PARAMETERS (`connect.errors.IllegalParameters`); the platform's and authentication's
codes are Connect's too.

    connect.errors.ConnectError
    ├── DuplicateOrderSubmission   1230309 an `externalOrderId` used before by this partner
    └── InvalidOrderStatus         1230314 a change the session's state machine refuses
"""

from __future__ import annotations

from binance_sandbox.codes import connect
from binance_sandbox.connect.errors import ConnectError


class DuplicateOrderSubmission(ConnectError, row=connect.DUPLICATE_ORDER_SUBMISSION):
    pass


class InvalidOrderStatus(ConnectError, row=connect.INVALID_ORDER_STATUS):
    pass


ALL: tuple[type[ConnectError], ...] = (DuplicateOrderSubmission, InvalidOrderStatus)
