"""Connect's errors shared by Prime and Deposit: the platform's, and authentication's (guide
§11; the sandbox's 12302xx codes). Each family's own codes are in `prime.errors` and
`deposit.errors`; codes, names, default messages and statuses come from `codes.connect`.

Domain errors know nothing of HTTP except the status an authentication failure carries;
`binance_sandbox.connect.envelope` turns them into the envelope.

    ConnectError                   `{"success": false, "code", "data", "message"}`
    ├── SysError                   1230101 SYS_ERROR
    ├── SysBusy                    1230102 SYS_BUSY
    ├── IllegalParameters          1230303 ILLEGAL_PARAMETERS
    ├── MerchantNotExist           1230312 MERCHANT_NOT_EXIST   (an inactive partner)
    ├── InvalidClientId            1230201 (401)
    ├── InvalidAccessToken         1230202 (401)
    ├── InvalidTimestamp           1230203 (400)
    ├── IpNotWhitelisted           1230204 (403)
    ├── InvalidSignature           1230205 (401)
    ├── prime.errors.*             quotes and orders (12303xx)
    └── deposit.errors.*           deposit sessions

Every class derives from `ConnectError` directly, so that `ConnectError.__subclasses__()`
finds a class for each code.
"""

from __future__ import annotations

from typing import Any

from binance_sandbox.codes import Code, connect


class ConnectError(Exception):
    """A Connect error: `code`, `name`, `http_status` and the default `message` of its row."""

    code: str = connect.SYS_ERROR.code
    name: str = connect.SYS_ERROR.name
    http_status: int = connect.SYS_ERROR.http_status
    default_message: str = connect.SYS_ERROR.message

    def __init_subclass__(cls, row: Code[str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if row is not None:
            cls.code, cls.name = row.code, row.name
            cls.http_status, cls.default_message = row.http_status, row.message

    def __init__(self, message: str | None = None, *, data: Any = None) -> None:
        self.message = self.default_message if message is None else message
        super().__init__(self.message)
        self.data = data


class SysError(ConnectError, row=connect.SYS_ERROR):
    pass


class SysBusy(ConnectError, row=connect.SYS_BUSY):
    pass


class IllegalParameters(ConnectError, row=connect.ILLEGAL_PARAMETERS):
    pass


class MerchantNotExist(ConnectError, row=connect.MERCHANT_NOT_EXIST):
    pass


class InvalidClientId(ConnectError, row=connect.INVALID_CLIENT_ID):
    pass


class InvalidAccessToken(ConnectError, row=connect.INVALID_ACCESS_TOKEN):
    pass


class InvalidTimestamp(ConnectError, row=connect.INVALID_TIMESTAMP):
    pass


class IpNotWhitelisted(ConnectError, row=connect.IP_NOT_WHITELISTED):
    pass


class InvalidSignature(ConnectError, row=connect.INVALID_SIGNATURE):
    pass


ALL: tuple[type[ConnectError], ...] = (
    SysError,
    SysBusy,
    IllegalParameters,
    MerchantNotExist,
    InvalidClientId,
    InvalidAccessToken,
    InvalidTimestamp,
    IpNotWhitelisted,
    InvalidSignature,
)
