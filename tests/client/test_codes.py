"""The table of codes is the one source: the server's exception classes and the SDK's mapping
agree with it, and so with each other, for every code."""

from __future__ import annotations

import httpx
import pytest

from binance_sandbox.client import errors as sdk_connect
from binance_sandbox.client import pay_errors as sdk_pay
from binance_sandbox.client import wallet_errors as sdk_wallet
from binance_sandbox.codes import Code, connect, pay, wallet
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.deposit import errors as deposit_errors
from binance_sandbox.pay import errors as pay_errors
from binance_sandbox.prime import errors as prime_errors
from binance_sandbox.wallet import errors as wallet_errors

CONNECT_CLASSES = (*connect_errors.ALL, *prime_errors.ALL, *deposit_errors.ALL)


def _wallet_classes() -> list[type[wallet_errors.WalletError]]:
    found: list[type[wallet_errors.WalletError]] = []
    pending = [wallet_errors.WalletError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("row", connect.ALL, ids=lambda row: row.name)
def test_every_connect_code_has_a_server_class_and_an_sdk_class(row: Code[str]) -> None:
    server = [cls for cls in CONNECT_CLASSES if cls.code == row.code]
    assert server, row.name
    for cls in server:
        assert (cls.name, cls.http_status, cls.default_message) == (
            row.name,
            row.http_status,
            row.message,
        )
        assert cls().message == row.message
    sdk = sdk_connect.ERRORS_BY_CODE[row.code]
    assert (row.code, row.name, row.retryable) == (sdk.CODE, sdk.TYPE, sdk.RETRYABLE)


@pytest.mark.parametrize("row", connect.ALL, ids=lambda row: row.name)
def test_a_connect_error_the_server_renders_is_the_sdks_class_of_its_code(row: Code[str]) -> None:
    server = next(cls for cls in CONNECT_CLASSES if cls.code == row.code)()
    body = {"success": False, "code": server.code, "data": None, "message": server.message}
    error = sdk_connect.error_from_response(httpx.Response(server.http_status, json=body))
    assert type(error) is sdk_connect.ERRORS_BY_CODE[row.code]
    assert isinstance(error, sdk_connect.ConnectError)
    assert (error.code, error.message, error.http_status) == (
        row.code,
        row.message,
        row.http_status,
    )


@pytest.mark.parametrize("row", pay.ALL, ids=lambda row: row.name)
def test_every_pay_code_has_a_server_class_and_an_sdk_class(row: Code[str]) -> None:
    (server,) = [cls for cls in pay_errors.ALL if cls.code == row.code]
    assert (server.name, server.http_status, server.default_message) == (
        row.name,
        row.http_status,
        row.message,
    )
    sdk = sdk_pay.ERRORS_BY_CODE[row.code]
    assert (row.code, row.name, row.retryable) == (sdk.CODE, sdk.NAME, sdk.RETRYABLE)
    rendered = server()
    body = {"status": "FAIL", "code": rendered.code, "data": None, "errorMessage": rendered.message}
    error = sdk_pay.pay_error_from_response(httpx.Response(server.http_status, json=body))
    assert type(error) is sdk
    assert (error.code, error.message, error.http_status) == (
        row.code,
        row.message,
        row.http_status,
    )


def test_every_pay_server_class_is_a_row_of_the_table() -> None:
    assert {cls.code for cls in pay_errors.ALL} == {row.code for row in pay.ALL}


@pytest.mark.parametrize("row", wallet.ALL, ids=lambda row: f"{row.code}-{row.message}")
def test_every_wallet_code_the_server_answers_is_a_row_of_the_table(row: Code[int]) -> None:
    server = [
        cls
        for cls in _wallet_classes()
        if (cls.code, cls.http_status, cls.default_message)
        == (row.code, row.http_status, row.message)
    ]
    # -1002 and -1103 are Binance's, which the sandbox never answers; the SDK knows them.
    if row.code not in (-1002, -1103):
        assert server, row
    sdk = sdk_wallet.ERRORS_BY_CODE.get(row.code)
    if sdk is not None:
        assert (row.code, row.name) == (sdk.CODE, sdk.NAME)


def test_every_wallet_server_class_with_a_code_of_its_own_is_in_the_table() -> None:
    rows = {(row.code, row.http_status, row.message) for row in wallet.ALL}
    abstract = {
        wallet_errors.WalletError,
        wallet_errors.FilterError,
        wallet_errors.ServerError,
        wallet_errors.Refused,
    }
    for cls in _wallet_classes():
        if cls not in abstract:
            assert (cls.code, cls.http_status, cls.default_message) in rows, cls


@pytest.mark.parametrize(
    ("row", "sdk_class"),
    [
        (wallet.UNKNOWN, sdk_wallet.UnknownError),
        (wallet.DISCONNECTED, sdk_wallet.Disconnected),
        (wallet.INVALID_SIGNATURE, sdk_wallet.InvalidSignature),
        (wallet.REJECTED_MBX_KEY, sdk_wallet.RejectedMbxKey),
        (wallet.BAD_RECV_WINDOW, sdk_wallet.BadRecvWindow),
        (wallet.INSUFFICIENT_BALANCE, sdk_wallet.WalletError),
        (wallet.TOO_MANY_REQUESTS, sdk_wallet.RateLimited),
        (wallet.IP_BANNED, sdk_wallet.IpBanned),
    ],
    ids=lambda value: getattr(value, "name", None) or getattr(value, "__name__", ""),
)
def test_a_wallet_error_the_server_renders_is_the_sdks_class_of_its_code(
    row: Code[int], sdk_class: type[sdk_wallet.WalletError]
) -> None:
    response = httpx.Response(row.http_status, json={"code": row.code, "msg": row.message})
    error = sdk_wallet.wallet_error_from_response(response)
    assert type(error) is sdk_class
    assert (error.code, error.message, error.http_status) == (
        row.code,
        row.message,
        row.http_status,
    )


def test_what_the_sdk_retries_is_what_the_table_says() -> None:
    retried = {cls.CODE for cls in sdk_connect.ERRORS_BY_CODE.values() if cls.RETRYABLE}
    assert retried == {row.code for row in connect.ALL if row.retryable}
    assert {cls.CODE for cls in sdk_pay.ERRORS_BY_CODE.values() if cls.RETRYABLE} == {"400000"}
    assert not sdk_wallet.IpBanned.RETRYABLE
