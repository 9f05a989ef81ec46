"""How each kind of Wallet API error is rendered in the wapi envelope and in the api/sapi
one (docs/wallet-api.md, "Errors"), including the server errors a live server rarely
shows: an unexpected exception and a busy database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from binance_sandbox import wire
from binance_sandbox.wallet import errors
from binance_sandbox.wallet.envelope import render_api_error, render_wapi_error


def rendered(render: Any, exc: Exception) -> tuple[int, Any, dict[str, str], str | None]:
    response, code = render(exc)
    return response.status_code, wire.loads(response.body), dict(response.headers), code


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (
            errors.InvalidSignature(),
            200,
            {
                "success": False,
                "msg": '{"code":-1022,"msg":"Signature for this request is not valid."}',
            },
        ),
        (
            errors.RejectedKey(),
            200,
            {
                "success": False,
                "msg": '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}',
            },
        ),
        (errors.InvalidSymbol(), 200, {"success": False, "msg": "Invalid symbol."}),
        (errors.Maintenance(), 200, {"success": False, "msg": "System is under maintenance."}),
        (
            RuntimeError("boom"),
            500,
            {"code": -1000, "msg": "An unknown error occurred while processing the request."},
        ),
        (
            OperationalError("UPDATE", {}, Exception("database is locked")),
            503,
            {
                "code": -1001,
                "msg": "Internal error; unable to process your request. Please try again.",
            },
        ),
    ],
)
def test_wapi_envelope(exc: Exception, status: int, body: dict[str, Any]) -> None:
    got_status, got_body, _headers, _code = rendered(render_wapi_error, exc)
    assert (got_status, got_body) == (status, body)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.InvalidSignature(), 400, -1022),
        (errors.InvalidTimestamp(), 400, -1021),
        (errors.BadApiKeyFormat(), 401, -2014),
        (errors.RejectedKey(), 401, -2015),
        (errors.MandatoryParam(), 400, -1102),
        (errors.DustTooSoon(), 400, -5006),
        (errors.Maintenance(), 503, -1001),
        (RuntimeError("boom"), 500, -1000),
    ],
)
def test_api_envelope(exc: Exception, status: int, code: int) -> None:
    got_status, body, _headers, logged = rendered(render_api_error, exc)
    assert (got_status, body["code"], logged) == (status, code, str(code))
    assert set(body) == {"code", "msg"}


def test_rate_limits_answer_code_and_msg_with_retry_after_in_both() -> None:
    limited = errors.TooManyRequests("slow down", retry_after_s=7, used_weight=1201)
    banned = errors.IpBanned("banned", retry_after_s=120, used_weight=1300)
    for render in (render_wapi_error, render_api_error):
        status, body, headers, code = rendered(render, limited)
        assert (status, body, headers["retry-after"], code) == (
            429,
            {"code": -1003, "msg": "slow down"},
            "7",
            "-1003",
        )
        status, body, headers, _code = rendered(render, banned)
        assert (status, body["code"], headers["retry-after"]) == (418, -1003, "120")
