"""Wallet error answers to exceptions (spec/NOTES.md "Wallet"), and which failures are tried
again: wapi `{"success": false, "msg"}` with HTTP 200, api/sapi `{"code", "msg"}` with an HTTP
error status, 429/418 with `Retry-After`, 504."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sdk_connect_fakes import FakeClock, FakeSleep

from binance_sandbox.client import (
    AsyncWalletClient,
    IpBanned,
    RateLimited,
    TransportError,
    UnexpectedResponse,
    WalletClient,
    WalletError,
    wallet_error_from_response,
    wallet_errors,
)

BASE_URL = "https://wallet.test"
Answer = httpx.Response | Exception


class Script:
    """Answers requests with the given responses in turn (the last one repeats)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def wapi_error(msg: str) -> httpx.Response:
    return httpx.Response(200, json={"success": False, "msg": msg})


def api_error(status: int, code: int, msg: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "msg": msg}, headers=headers)


def embedded(code: int, msg: str) -> str:
    return json.dumps({"code": code, "msg": msg}, separators=(",", ":"))


@pytest.fixture
def make_client(clock: FakeClock, sleep: FakeSleep) -> Iterator[Callable[[Script], WalletClient]]:
    clients: list[WalletClient] = []

    def make(script: Script) -> WalletClient:
        client = WalletClient(
            BASE_URL,
            "key",
            "secret",
            transport=httpx.MockTransport(script),
            clock=clock,
            sleep=sleep,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# --- one class per code ------------------------------------------------------------------------

CODES: list[tuple[int, type[WalletError], str]] = [
    (-1000, wallet_errors.UnknownError, "An unknown error occured while processing the request."),
    (-1001, wallet_errors.Disconnected, "Internal error; unable to process your request."),
    (-1002, wallet_errors.Unauthorized, "You are not authorized to execute this request."),
    (-1003, wallet_errors.TooManyRequests, "Too many requests."),
    (
        -1021,
        wallet_errors.InvalidTimestamp,
        "Timestamp for this request is outside of the recvWindow.",
    ),
    (-1022, wallet_errors.InvalidSignature, "Signature for this request is not valid."),
    (-1100, wallet_errors.IllegalChars, "Illegal characters found in parameter 'asset'."),
    (
        -1102,
        wallet_errors.MandatoryParamEmptyOrMalformed,
        "Mandatory parameter 'asset' was not sent.",
    ),
    (-1103, wallet_errors.UnknownParam, "An unknown parameter was sent."),
    (-1130, wallet_errors.InvalidParameter, "Data sent for parameter 'limit' is not valid."),
    (-1131, wallet_errors.BadRecvWindow, "recvWindow must be less than 60000"),
    (-2014, wallet_errors.BadApiKeyFmt, "API-key format invalid."),
    (-2015, wallet_errors.RejectedMbxKey, "Invalid API-key, IP, or permissions for action."),
]


@pytest.mark.parametrize(("code", "cls", "msg"), CODES)
def test_an_api_error_is_the_class_of_its_code(
    code: int, cls: type[WalletError], msg: str, make_client: Callable[[Script], WalletClient]
) -> None:
    status = 401 if code == -2015 else 400
    client = make_client(Script(api_error(status, code, msg)))
    with pytest.raises(cls) as caught:
        client.asset_dividend()
    error = caught.value
    assert type(error) is cls
    assert (error.code, error.message, error.http_status) == (code, msg, status)
    assert error.body == {"code": code, "msg": msg}
    assert str(error) == f"{code} {cls.NAME}: {msg}"


@pytest.mark.parametrize(("code", "cls", "msg"), CODES)
def test_a_wapi_error_embedding_an_api_error_is_the_class_of_its_code(
    code: int, cls: type[WalletError], msg: str, make_client: Callable[[Script], WalletClient]
) -> None:
    client = make_client(Script(wapi_error(embedded(code, msg))))
    with pytest.raises(cls) as caught:
        client.deposit_history()
    error = caught.value
    assert type(error) is cls
    assert (error.code, error.message, error.http_status) == (code, msg, 200)
    assert error.body == {"success": False, "msg": embedded(code, msg)}


def test_a_wapi_error_with_a_plain_message_has_no_code(
    make_client: Callable[[Script], WalletClient],
) -> None:
    client = make_client(Script(wapi_error("Insufficient balance.")))
    with pytest.raises(WalletError) as caught:
        client.withdraw("BTC", "addr", "1")
    error = caught.value
    assert type(error) is WalletError
    assert (error.code, error.message, error.http_status) == (None, "Insufficient balance.", 200)
    assert str(error) == "Insufficient balance."


def test_an_unknown_code_is_a_wallet_error(make_client: Callable[[Script], WalletClient]) -> None:
    client = make_client(Script(api_error(400, -4026, "Not support asset.")))
    with pytest.raises(WalletError) as caught:
        client.dust("XYZ")
    assert type(caught.value) is WalletError
    assert caught.value.code == -4026


def test_the_families_of_errors_can_be_caught_together() -> None:
    assert issubclass(wallet_errors.InvalidTimestamp, wallet_errors.AuthenticationError)
    assert issubclass(wallet_errors.RejectedMbxKey, wallet_errors.AuthenticationError)
    assert issubclass(wallet_errors.UnknownParam, wallet_errors.ParameterError)
    assert issubclass(wallet_errors.BadRecvWindow, wallet_errors.ParameterError)
    assert issubclass(RateLimited, wallet_errors.TooManyRequests)
    assert issubclass(IpBanned, wallet_errors.TooManyRequests)
    assert issubclass(WalletError, wallet_errors.BinanceSandboxError)


# --- 429, 418, 504 and answers that are not the family's ---------------------------------------


def test_429_is_rate_limited_with_retry_after() -> None:
    response = api_error(429, -1003, "Too many requests.", **{"Retry-After": "7"})
    error = wallet_error_from_response(response)
    assert isinstance(error, RateLimited)
    assert (error.code, error.retry_after, error.http_status) == (-1003, 7.0, 429)


def test_418_is_ip_banned_even_without_a_body() -> None:
    error = wallet_error_from_response(httpx.Response(418, headers={"Retry-After": "120"}))
    assert isinstance(error, IpBanned)
    assert (error.code, error.retry_after) == (None, 120.0)


def test_504_is_an_unknown_outcome() -> None:
    error = wallet_error_from_response(httpx.Response(504, text="Gateway Timeout"))
    assert isinstance(error, wallet_errors.ExecutionStatusUnknown)
    assert (error.body, error.message) == ("Gateway Timeout", "Gateway Timeout")


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(500, text="<html>oops</html>"), "answer is not JSON"),
        (httpx.Response(200, text="not json"), "answer is not JSON"),
        (httpx.Response(404, json={"detail": "Not Found"}), "without a Wallet error body"),
    ],
)
def test_other_answers_are_unexpected(response: httpx.Response, reason: str) -> None:
    error = wallet_error_from_response(response)
    assert isinstance(error, UnexpectedResponse)
    assert reason in error.reason
    assert error.http_status == response.status_code


def test_a_success_is_no_error() -> None:
    assert wallet_error_from_response(httpx.Response(200, json={"success": True})) is None
    assert wallet_error_from_response(httpx.Response(200, json={"status": 0})) is None
    assert wallet_error_from_response(httpx.Response(200, json=[])) is None


def test_a_success_of_the_wrong_shape_is_unexpected(
    make_client: Callable[[Script], WalletClient],
) -> None:
    answer = {"success": True, "depositList": [{"amount": "x"}]}
    client = make_client(Script(httpx.Response(200, json=answer)))
    with pytest.raises(UnexpectedResponse, match=r"depositHistory\.html has an unexpected shape"):
        client.deposit_history()


def test_a_float_amount_in_an_answer_is_refused() -> None:
    # wire never makes floats; a model given one (from another parser) refuses it.
    from binance_sandbox.client.wallet_models import TradeFee

    with pytest.raises(ValueError, match="floats"):
        TradeFee.model_validate({"symbol": "X", "maker": 0.1, "taker": "0.1"})


# --- retries -----------------------------------------------------------------------------------

OK_TIME = httpx.Response(200, json={"serverTime": 1})
ACCOUNT_OK = httpx.Response(200, json={"success": True, "msg": "Normal"})


def test_a_read_waits_retry_after_then_succeeds_signed_afresh(
    make_client: Callable[[Script], WalletClient], sleep: FakeSleep
) -> None:
    script = Script(api_error(429, -1003, "Too many requests.", **{"Retry-After": "3"}), ACCOUNT_OK)
    client = make_client(script)
    assert client.account_status().msg == "Normal"
    assert sleep.slept == [3.0]
    first, second = (dict(httpx.QueryParams(r.url.query.decode())) for r in script.requests)
    assert int(second["timestamp"]) == int(first["timestamp"]) + 3000
    assert first["signature"] != second["signature"]


@pytest.mark.parametrize("retry_after", [None, "11"])
def test_a_429_without_a_usable_retry_after_is_raised(
    retry_after: str | None, make_client: Callable[[Script], WalletClient], sleep: FakeSleep
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    client = make_client(Script(api_error(429, -1003, "Too many requests.", **headers)))
    with pytest.raises(RateLimited):
        client.account_status()
    assert sleep.slept == []


def test_an_ip_ban_is_never_retried(
    make_client: Callable[[Script], WalletClient], sleep: FakeSleep
) -> None:
    script = Script(
        api_error(418, -1003, "Way too many requests; IP banned.", **{"Retry-After": "1"})
    )
    with pytest.raises(IpBanned):
        make_client(script).account_status()
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "server_error",
    [
        wapi_error(embedded(-1000, "An unknown error occured while processing the request.")),
        api_error(503, -1001, "Internal error; unable to process your request."),
    ],
)
def test_reads_retry_network_failures_and_server_errors_with_backoff(
    server_error: httpx.Response,
    make_client: Callable[[Script], WalletClient],
    sleep: FakeSleep,
) -> None:
    script = Script(httpx.ConnectError("refused"), server_error, ACCOUNT_OK)
    assert make_client(script).account_status().msg == "Normal"
    assert sleep.slept == [0.5, 1.0]


def test_reads_give_up_after_max_retries(
    make_client: Callable[[Script], WalletClient], sleep: FakeSleep
) -> None:
    script = Script(httpx.ReadTimeout("slow"))
    with pytest.raises(TransportError) as caught:
        make_client(script).account_status()
    assert caught.value.transient
    assert len(script.requests) == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.withdraw("BTC", "addr", "1"),
        lambda c: c.sub_account_transfer("a@x.com", "b@x.com", "BTC", "1"),
        lambda c: c.dust("ETH"),
    ],
)
def test_writes_are_never_retried(
    call: Callable[[WalletClient], Any], make_client: Callable[[Script], WalletClient]
) -> None:
    script = Script(
        api_error(429, -1003, "Too many requests.", **{"Retry-After": "1"}),
        httpx.Response(200, json={"success": True, "id": "x"}),
    )
    with pytest.raises(RateLimited):
        call(make_client(script))
    assert len(script.requests) == 1


def test_a_withdraw_with_no_clear_answer_is_not_repeated(
    make_client: Callable[[Script], WalletClient],
) -> None:
    script = Script(httpx.Response(504, text="Gateway Timeout"))
    with pytest.raises(wallet_errors.ExecutionStatusUnknown):
        make_client(script).withdraw("BTC", "addr", "1")
    assert len(script.requests) == 1


async def test_the_async_client_maps_and_retries_the_same_way(
    clock: FakeClock, sleep: FakeSleep
) -> None:
    script = Script(
        api_error(429, -1003, "Too many requests.", **{"Retry-After": "2"}),
        wapi_error(embedded(-1022, "Signature for this request is not valid.")),
    )
    async with AsyncWalletClient(
        BASE_URL,
        "key",
        "secret",
        transport=httpx.MockTransport(script),
        clock=clock,
        sleep=sleep.asleep,
    ) as client:
        with pytest.raises(wallet_errors.InvalidSignature) as caught:
            await client.account_status()
    assert caught.value.code == -1022
    assert sleep.slept == [2.0]
