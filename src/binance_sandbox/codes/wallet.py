"""The Wallet API's codes (spec/NOTES.md "Wallet"; Binance's public error-code list).

api/sapi answer `{"code", "msg"}` with `http_status`; wapi answers its filter and business
errors with HTTP 200 `{"success": false, "msg"}` (the server's `wallet/errors.py` says which).
Some codes have several rows: Binance gives one code different texts (-4019, -4001) or
statuses (-1001 while busy or under maintenance, -1003 at 429 or 418). -1000 and -1001 say
"try again": a read may be repeated after them, and after a 429 once `Retry-After` passed.
"""

from __future__ import annotations

from binance_sandbox.codes import Code

# --- the platform -------------------------------------------------------------------------
UNKNOWN = Code(
    -1000, "UNKNOWN", "An unknown error occurred while processing the request.", 500, True
)
DISCONNECTED = Code(
    -1001,
    "DISCONNECTED",
    "Internal error; unable to process your request. Please try again.",
    503,
    True,
)
MAINTENANCE = Code(-1001, "DISCONNECTED", "System is under maintenance.", 503)
TOO_MANY_REQUESTS = Code(-1003, "TOO_MANY_REQUESTS", "Too many requests.", 429, True)
IP_BANNED = Code(-1003, "TOO_MANY_REQUESTS", "Way too many requests; IP banned.", 418)

# --- request filters: key, signature, timestamp, parameters ------------------------------
UNAUTHORIZED = Code(-1002, "UNAUTHORIZED", "You are not authorized to execute this request.", 401)
INVALID_TIMESTAMP = Code(
    -1021, "INVALID_TIMESTAMP", "Timestamp for this request is outside of the recvWindow.", 400
)
INVALID_SIGNATURE = Code(
    -1022, "INVALID_SIGNATURE", "Signature for this request is not valid.", 400
)
BAD_API_KEY_FMT = Code(-2014, "BAD_API_KEY_FMT", "API-key format invalid.", 401)
REJECTED_MBX_KEY = Code(
    -2015, "REJECTED_MBX_KEY", "Invalid API-key, IP, or permissions for action.", 401
)
ILLEGAL_CHARS = Code(-1100, "ILLEGAL_CHARS", "Illegal characters found in a parameter.", 400)
# Binance's code for too many parameters; the sandbox answers it, with 413, for a body too large.
TOO_MANY_PARAMETERS = Code(
    -1101, "TOO_MANY_PARAMETERS", "Too many parameters sent for this endpoint.", 413
)
MANDATORY_PARAM_EMPTY_OR_MALFORMED = Code(
    -1102,
    "MANDATORY_PARAM_EMPTY_OR_MALFORMED",
    "A mandatory parameter was not sent, was empty/null, or malformed.",
    400,
)
UNKNOWN_PARAM = Code(-1103, "UNKNOWN_PARAM", "An unknown parameter was sent.", 400)
INVALID_PARAMETER = Code(-1130, "INVALID_PARAMETER", "Data sent for parameter is not valid.", 400)
BAD_RECV_WINDOW = Code(-1131, "BAD_RECV_WINDOW", "recvWindow must be less than 60000", 400)

# --- business rules -----------------------------------------------------------------------
BAD_PRECISION = Code(
    -1111, "BAD_PRECISION", "Precision is over the maximum defined for this asset.", 400
)
BAD_SYMBOL = Code(-1121, "BAD_SYMBOL", "Invalid symbol.", 400)
INVALID_OPERATION = Code(-4001, "INVALID_OPERATION", "Invalid operation.", 400)
UNKNOWN_ASSET = Code(-4018, "UNKNOWN_ASSET", "We don't have this asset.", 400)
WITHDRAW_DISABLED = Code(-4019, "ASSET_NOT_OPEN", "Current asset is not open for withdrawal.", 400)
DEPOSIT_DISABLED = Code(-4019, "ASSET_NOT_OPEN", "Current asset is not open for deposit.", 400)
AMOUNT_TOO_SMALL = Code(
    -4022, "AMOUNT_TOO_SMALL", "Not less than the minimum pick-up quantity.", 400
)
AMOUNT_TOO_LARGE = Code(
    -4023, "AMOUNT_TOO_LARGE", "Within 24 hours, the withdrawal exceeds the maximum amount.", 400
)
INSUFFICIENT_BALANCE = Code(-4026, "INSUFFICIENT_BALANCE", "You have insufficient balance.", 400)
ILLEGAL_ADDRESS = Code(-4033, "ILLEGAL_ADDRESS", "Illegal address.", 400)
DUST_NOT_ALLOWED = Code(-5001, "DUST_NOT_ALLOWED", "Don't allow transfer to micro assets.", 400)
DUST_INSUFFICIENT = Code(-5002, "DUST_INSUFFICIENT", "You have insufficient balance.", 400)
DUST_NO_ASSET = Code(-5003, "DUST_NO_ASSET", "You don't have this asset.", 400)
DUST_TOO_MUCH = Code(
    -5004,
    "DUST_TOO_MUCH",
    "The residual balances have exceeded 0.001BTC, Please re-choose.",
    400,
)
DUST_TOO_LOW = Code(-5005, "DUST_TOO_LOW", "The residual balances of the BTC is too low", 400)
DUST_TOO_SOON = Code(-5006, "DUST_TOO_SOON", "Only transfer once in 24 hours.", 400)
NOT_RELATED = Code(-5021, "NOT_RELATED", "This parent sub have no relation", 400)

AUTHENTICATION: tuple[Code[int], ...] = (
    UNAUTHORIZED,
    INVALID_TIMESTAMP,
    INVALID_SIGNATURE,
    BAD_API_KEY_FMT,
    REJECTED_MBX_KEY,
)
"""The codes of a request whose key, timestamp or signature was refused."""

PARAMETER: tuple[Code[int], ...] = (
    ILLEGAL_CHARS,
    MANDATORY_PARAM_EMPTY_OR_MALFORMED,
    UNKNOWN_PARAM,
    INVALID_PARAMETER,
    BAD_RECV_WINDOW,
)
"""The codes of a parameter the endpoint refuses."""

ALL: tuple[Code[int], ...] = (
    UNKNOWN,
    DISCONNECTED,
    MAINTENANCE,
    TOO_MANY_REQUESTS,
    IP_BANNED,
    *AUTHENTICATION,
    *PARAMETER,
    TOO_MANY_PARAMETERS,
    BAD_PRECISION,
    BAD_SYMBOL,
    INVALID_OPERATION,
    UNKNOWN_ASSET,
    WITHDRAW_DISABLED,
    DEPOSIT_DISABLED,
    AMOUNT_TOO_SMALL,
    AMOUNT_TOO_LARGE,
    INSUFFICIENT_BALANCE,
    ILLEGAL_ADDRESS,
    DUST_NOT_ALLOWED,
    DUST_INSUFFICIENT,
    DUST_NO_ASSET,
    DUST_TOO_MUCH,
    DUST_TOO_LOW,
    DUST_TOO_SOON,
    NOT_RELATED,
)
