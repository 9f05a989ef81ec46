"""Connect's codes, shared by Connect Prime and Connect Deposit (guide §11 "Error Code Quick
Reference"; the 12302xx authentication codes are the sandbox's own, docs/connect-prime.md).

Every code is answered with HTTP 200 but the authentication ones, which carry the status a
web server gives the failure. `retryable` follows the guide's "Recommended Action": SYS_ERROR
and QUOTE_CACHE_FAILED are retried with exponential backoff, SYS_BUSY after 1–2 seconds.
"""

from __future__ import annotations

from binance_sandbox.codes import Code

SUCCESS = "000000"

# --- the platform (any endpoint) ------------------------------------------------------------
SYS_ERROR = Code("1230101", "SYS_ERROR", "System error.", retryable=True)
SYS_BUSY = Code("1230102", "SYS_BUSY", "System busy, please retry in 1-2 seconds.", retryable=True)
ILLEGAL_PARAMETERS = Code("1230303", "ILLEGAL_PARAMETERS", "Invalid parameter.")
MERCHANT_NOT_EXIST = Code(
    "1230312", "MERCHANT_NOT_EXIST", "Merchant does not exist or is inactive."
)

# --- authentication (the sandbox's codes: the guide publishes none) -----------------------
INVALID_CLIENT_ID = Code("1230201", "INVALID_CLIENT_ID", "Invalid X-Tesla-ClientId.", 401)
INVALID_ACCESS_TOKEN = Code(
    "1230202", "INVALID_ACCESS_TOKEN", "Invalid X-Tesla-SignAccessToken.", 401
)
INVALID_TIMESTAMP = Code(
    "1230203", "INVALID_TIMESTAMP", "X-Tesla-Timestamp is outside the allowed window.", 400
)
IP_NOT_WHITELISTED = Code("1230204", "IP_NOT_WHITELISTED", "IP is not whitelisted.", 403)
INVALID_SIGNATURE = Code("1230205", "INVALID_SIGNATURE", "Invalid X-Tesla-Signature.", 401)

# --- quotes and orders (Prime), sessions (Deposit) ----------------------------------------
INVALID_DIRECTION = Code("1230304", "INVALID_DIRECTION", 'direction must be "BUY" or "SELL".')
NO_PAYMENT_METHOD_AVAILABLE = Code(
    "1230305", "NO_PAYMENT_METHOD_AVAILABLE", "No payment method for this pair."
)
INVALID_AMOUNT_TYPE = Code(
    "1230306", "INVALID_AMOUNT_TYPE", "amountType must be 1 (fiat) or 2 (crypto)."
)
QUOTE_GENERATION_FAILED = Code("1230307", "QUOTE_GENERATION_FAILED", "Failed to generate quote.")
QUOTE_CACHE_FAILED = Code(
    "1230308", "QUOTE_CACHE_FAILED", "The quote could not be stored; retry.", retryable=True
)
DUPLICATE_ORDER_SUBMISSION = Code("1230309", "DUPLICATE_ORDER_SUBMISSION", "Duplicate order.")
QUOTE_EXPIRED = Code("1230310", "QUOTE_EXPIRED", "Quote expired; get a new quote.")
ORDER_EXECUTION_FAILED = Code("1230311", "ORDER_EXECUTION_FAILED", "Execution failed.")
CUSTOM_SPREAD_EXCEEDED = Code("1230313", "CUSTOM_SPREAD_EXCEEDED", "Spread out of bounds.")
INVALID_ORDER_STATUS = Code("1230314", "INVALID_ORDER_STATUS", "Invalid order status.")
LIMIT_CALCULATION_FAILED = Code("1230315", "LIMIT_CALCULATION_FAILED", "Limit calculation error.")

AUTHENTICATION: tuple[Code[str], ...] = (
    INVALID_CLIENT_ID,
    INVALID_ACCESS_TOKEN,
    INVALID_TIMESTAMP,
    IP_NOT_WHITELISTED,
    INVALID_SIGNATURE,
)
"""The codes of a request refused before it was processed."""

ALL: tuple[Code[str], ...] = (
    SYS_ERROR,
    SYS_BUSY,
    ILLEGAL_PARAMETERS,
    INVALID_DIRECTION,
    NO_PAYMENT_METHOD_AVAILABLE,
    INVALID_AMOUNT_TYPE,
    QUOTE_GENERATION_FAILED,
    QUOTE_CACHE_FAILED,
    DUPLICATE_ORDER_SUBMISSION,
    QUOTE_EXPIRED,
    ORDER_EXECUTION_FAILED,
    MERCHANT_NOT_EXIST,
    CUSTOM_SPREAD_EXCEEDED,
    INVALID_ORDER_STATUS,
    LIMIT_CALCULATION_FAILED,
    *AUTHENTICATION,
)
