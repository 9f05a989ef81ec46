"""A deposit session moves once, from INIT to AUTHORIZED, REJECTED or EXPIRED
(connect-deposit-flow.txt, step 4), and every other move is 1230314 INVALID_ORDER_STATUS."""

from __future__ import annotations

from typing import Any

from deposit_support import Signed, act, authorization, control_error, initiate

from binance_sandbox.deposit.lifecycle import SESSION, STATUS_CODES, SessionStatus
from sandbox_harness import Sandbox


def test_the_session_machine_is_one_way() -> None:
    init = SessionStatus.INIT
    assert SESSION.next_states(init) == SESSION.terminal == set(SessionStatus) - {init}
    assert [STATUS_CODES[s] for s in SessionStatus] == [0, 1, 2, 3]


def test_a_session_walks_init_to_authorized_and_no_further(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user)
    polled = authorization(signed, order_id)
    assert (polled["status"], polled["statusCode"]) == ("INIT", 0)
    assert signed.fail(
        "/deposit/report", {"externalOrderId": order_id, "txHash": "0x01"}, "1230314"
    ) == (f"Deposit session {order_id} is INIT; only an AUTHORIZED session takes a report.")

    assert act(box, partner, order_id, "authorize").status_code == 200
    polled = authorization(signed, order_id)
    assert (polled["status"], polled["statusCode"]) == ("AUTHORIZED", 1)
    assert control_error(act(box, partner, order_id, "reject")) == (
        409,
        "1230314",
        f"Deposit session {order_id} is AUTHORIZED and cannot become REJECTED.",
    )
    assert authorization(signed, order_id) == polled
