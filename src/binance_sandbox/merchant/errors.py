"""The merchant kit's error codes.

Domain errors carry a stable code and message and know nothing of HTTP except the status they
are answered with; `envelope.py` turns them into the `{success, code, data, message}` envelope
that the Connect guide (§9, "General API Convention for Merchant APIs") asks merchant APIs to
answer with. The guide publishes no codes for merchant APIs; these are the kit's own:

    MerchantError
    ├── InvalidRequest          400001  body not JSON / not an object / missing or bad field
    ├── InsufficientBalance     400002  a fiat account would go negative
    ├── InvalidStatus           400003  an action its record's state does not allow
    ├── DuplicateClientOrderId  400004  clientOrderId already used with other details
    ├── InvalidBearerToken      401001  (HTTP 401)
    ├── InvalidSignature        401002  (HTTP 401) X-BN-Connect-Signature does not verify
    ├── InvalidClientId         401003  (HTTP 401) X-BN-Connect-For is not our client id
    ├── NotFound                404001  unknown refundId / transferId / clientOrderId
    └── InternalError           500001  (HTTP 500) anything unexpected; safe to retry
"""

from __future__ import annotations


class MerchantError(Exception):
    code = "500001"
    http_status = 200

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(MerchantError):
    code = "400001"


class InsufficientBalance(MerchantError):
    code = "400002"


class InvalidStatus(MerchantError):
    code = "400003"


class DuplicateClientOrderId(MerchantError):
    code = "400004"


class InvalidBearerToken(MerchantError):
    code = "401001"
    http_status = 401

    def __init__(self) -> None:
        super().__init__("Invalid bearer token.")


class InvalidSignature(MerchantError):
    code = "401002"
    http_status = 401

    def __init__(self) -> None:
        super().__init__("Invalid X-BN-Connect-Signature.")


class InvalidClientId(MerchantError):
    code = "401003"
    http_status = 401

    def __init__(self) -> None:
        super().__init__("Invalid X-BN-Connect-For.")


class NotFound(MerchantError):
    code = "404001"


class InternalError(MerchantError):
    code = "500001"
    http_status = 500

    def __init__(self) -> None:
        super().__init__("Internal error; the request can be retried.")
