"""A read after a deadline shows the deadline's state, whether or not the worker has run: a
Pay order still unpaid past its `expireTime` is `EXPIRED` to a query at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from pay_support import PaySigned, create_merchant, order_body, trade_no


def test_a_query_after_expire_time_answers_expired_before_any_worker_ran(
    make_sandbox: Callable[..., Any],
) -> None:
    # No worker in this server: nothing but the read itself can show the expiry.
    box = make_sandbox("pay-deadline", embedded_worker=False)
    with httpx.Client(base_url=box.url, timeout=30) as http:
        pay = PaySigned(http, create_merchant(box))
        prepay_id = pay.ok("/v2/order", order_body(trade_no(), orderExpireTime=120_000))["prepayId"]
        box.advance(119_999, settle=False)
        before = pay.ok("/v2/order/query", {"prepayId": prepay_id})
        assert (before["status"], before["orderStatus"]) == ("INITIAL", "INITIAL")
        box.advance(1, settle=False)
        after = pay.ok("/v2/order/query", {"prepayId": prepay_id})
        assert (after["status"], after["orderStatus"]) == ("EXPIRED", "EXPIRED")
