"""Connect Deposit's endpoints and every refusal, with the exact code and message
(docs/connect-deposit.md): networks, initiate, authorization, report; one partner never sees
another's sessions."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from deposit_support import PREFIX, Signed, act, authorization, envelope, initiate, session

from sandbox_harness import Sandbox

ILLEGAL = "1230303"
DROP = object()  # a field left out of the request
EXTERNAL_ORDER_ID_RULE = "externalOrderId must be 1 to 64 letters, digits, '_', '-' or '.'."
REDIRECT_RULE = (
    "redirectUrl must be an absolute URL (http(s) or the partner app's scheme) of at most 2048 "
    "characters."
)


def test_crypto_network_lists_every_coin_and_its_networks(signed: Signed) -> None:
    data = signed.ok("/crypto-network", raw=b"")
    assert [c["cryptoCurrency"] for c in data] == ["BTC", "ETH", "BNB", "USDT", "SOL", "XRP"]
    usdt = next(c for c in data if c["cryptoCurrency"] == "USDT")
    assert [n["network"] for n in usdt["networks"]] == ["ETH", "TRX", "BSC"]
    assert usdt["networks"][1] == {
        "network": "TRX",
        "addressRegex": "^T[1-9A-HJ-NP-Za-km-z]{33}$",
        "memoRegex": "",
        "withdrawFee": "1",
        "withdrawMinAmount": "10",
        "withdrawMaxAmount": "9999999",
        "contractAddress": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "withdrawEnable": True,
        "depositEnable": True,
        "depositDust": "0.01",
    }
    xrp = next(c for c in data if c["cryptoCurrency"] == "XRP")["networks"][0]
    assert xrp["memoRegex"] == r"^[0-9A-Za-z\-_]{1,120}$"
    # "takes no body": an empty JSON object is fine too.
    assert signed.ok("/crypto-network", {}) == data


def test_initiate_answers_a_link_that_expires_in_15_minutes(
    box: Sandbox, signed: Signed, user: str, order_id: str
) -> None:
    now = box.now()
    data = initiate(signed, order_id, user)
    assert set(data) == {"link", "linkExpireTime"}
    assert data["linkExpireTime"] == now + 15 * 60_000
    assert re.fullmatch(rf"{re.escape(box.url)}/connect/deposit/[A-Za-z0-9]{{40}}", data["link"])
    page = httpx.get(data["link"])
    assert page.status_code == 200 and "Trusty Wallet" in page.text


def test_authorization_before_the_user_answers(signed: Signed, user: str, order_id: str) -> None:
    link = initiate(signed, order_id, user, networks=("BSC", "TRX"))
    assert authorization(signed, order_id) == {
        "externalOrderId": order_id,
        "userId": user,
        "status": "INIT",
        "statusCode": 0,
        "cryptoCurrency": "USDT",
        "networks": ["BSC", "TRX"],
        "depositAddresses": [],
        "expireTime": link["linkExpireTime"],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"externalOrderId": ""}, EXTERNAL_ORDER_ID_RULE),
        ({"externalOrderId": "x" * 65}, EXTERNAL_ORDER_ID_RULE),
        ({"externalOrderId": "has space"}, EXTERNAL_ORDER_ID_RULE),
        ({"userId": DROP}, "Illegal parameter: userId: Field required"),
        ({"userId": None}, "Illegal parameter: userId: Input should be a valid string"),
        ({"userId": "99999999999"}, "userId 99999999999 does not exist for this client."),
        (
            {"cryptoCurrency": "DOGE"},
            "Unsupported cryptoCurrency DOGE; supported: BTC, ETH, BNB, USDT, SOL, XRP.",
        ),
        ({"networks": []}, "networks must name at least one network."),
        (
            {"networks": ["TRX", "SOL"]},
            "Network SOL is not supported for USDT; supported: ETH, TRX, BSC.",
        ),
        ({"networks": ["trx"]}, "Network trx is not supported for USDT; supported: ETH, TRX, BSC."),
        ({"networks": ["TRX", "TRX"]}, "networks names TRX more than once."),
        ({"networks": "TRX"}, "Illegal parameter: networks: Input should be a valid list"),
        ({"redirectUrl": "javascript:alert(1)"}, REDIRECT_RULE),
        ({"redirectUrl": "/relative/path"}, REDIRECT_RULE),
        ({"redirectUrl": "https://partner.example/" + "a" * 2048}, REDIRECT_RULE),
    ],
)
def test_initiate_refuses_bad_input(
    box: Sandbox,
    signed: Signed,
    partner: Any,
    user: str,
    order_id: str,
    change: dict[str, Any],
    message: str,
) -> None:
    payload = {
        "externalOrderId": order_id,
        "userId": user,
        "cryptoCurrency": "USDT",
        "networks": ["TRX"],
        **change,
    }
    payload = {k: v for k, v in payload.items() if v is not DROP}
    assert signed.fail("/deposit/initiate", payload, ILLEGAL) == message
    # Nothing was written: the id is still free.
    if payload.get("externalOrderId") == order_id:
        assert signed.fail("/deposit/authorization", {"externalOrderId": order_id}, ILLEGAL) == (
            f"Deposit session {order_id} does not exist."
        )


def test_initiate_needs_a_json_object(signed: Signed) -> None:
    response = signed.post("/deposit/initiate", raw=b"not json")
    body = envelope(response)
    assert (body["code"], body["message"]) == (ILLEGAL, "Request body is not valid JSON.")
    response = signed.post("/deposit/initiate", raw=b"[]")
    assert envelope(response)["message"] == "Request body must be a JSON object."
    missing = signed.fail("/deposit/initiate", {}, ILLEGAL)
    assert missing.startswith("Illegal parameter: externalOrderId: Field required")


def test_an_external_order_id_starts_one_session_per_partner(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user)
    body = envelope(
        signed.post(
            "/deposit/initiate",
            {
                "externalOrderId": order_id,
                "userId": user,
                "cryptoCurrency": "BTC",
                "networks": ["BTC"],
            },
        )
    )
    assert body == {
        "success": False,
        "code": "1230309",
        "data": {"externalOrderId": order_id, "status": "INIT"},
        "message": f"externalOrderId {order_id} was already used; a new session needs a new "
        "externalOrderId.",
    }
    # One-way: even a final session is not started again under its id.
    assert act(box, partner, order_id, "reject").status_code == 200
    again = envelope(
        signed.post(
            "/deposit/initiate",
            {
                "externalOrderId": order_id,
                "userId": user,
                "cryptoCurrency": "USDT",
                "networks": ["TRX"],
            },
        )
    )
    assert (again["code"], again["data"]["status"]) == ("1230309", "REJECTED")
    assert authorization(signed, order_id)["cryptoCurrency"] == "USDT"


def test_another_partner_never_sees_the_session(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user)
    other = box.create_partner(name="Other Wallet")
    with httpx.Client(base_url=box.url, timeout=30) as http:
        theirs = Signed(http, other)
        missing = f"Deposit session {order_id} does not exist."
        assert theirs.fail("/deposit/authorization", {"externalOrderId": order_id}, ILLEGAL) == (
            missing
        )
        assert (
            theirs.fail(
                "/deposit/report", {"externalOrderId": order_id, "txHash": "0xabc"}, ILLEGAL
            )
            == missing
        )
        # Nor may it name our user.
        assert theirs.fail(
            "/deposit/initiate",
            {
                "externalOrderId": "x1",
                "userId": user,
                "cryptoCurrency": "USDT",
                "networks": ["TRX"],
            },
            ILLEGAL,
        ) == (f"userId {user} does not exist for this client.")
        # The id is unique per partner: theirs is another session.
        their_user = box.create_user(other)
        initiate(theirs, order_id, their_user, coin="BTC", networks=("BTC",))
        assert act(box, other, order_id, "authorize").status_code == 200
        assert authorization(theirs, order_id)["status"] == "AUTHORIZED"
    assert authorization(signed, order_id)["status"] == "INIT"
    assert session(box, partner, order_id)["userId"] == user


def test_authorization_and_report_of_an_unknown_session(signed: Signed) -> None:
    assert signed.fail("/deposit/authorization", {"externalOrderId": "nope"}, ILLEGAL) == (
        "Deposit session nope does not exist."
    )
    assert signed.fail(
        "/deposit/report", {"externalOrderId": "nope", "txHash": "0x01"}, ILLEGAL
    ) == ("Deposit session nope does not exist.")
    assert signed.fail("/deposit/authorization", {}, ILLEGAL) == (
        "Illegal parameter: externalOrderId: Field required"
    )


def test_report_refusals(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user)
    base = {"externalOrderId": order_id, "txHash": "0x" + "ab" * 32}
    assert signed.fail("/deposit/report", base, "1230314") == (
        f"Deposit session {order_id} is INIT; only an AUTHORIZED session takes a report."
    )
    assert act(box, partner, order_id, "authorize").status_code == 200
    cases = [
        ({"txHash": ""}, "txHash must be 1 to 128 printable characters without spaces."),
        ({"txHash": "ab cd"}, "txHash must be 1 to 128 printable characters without spaces."),
        ({"txHash": "a" * 129}, "txHash must be 1 to 128 printable characters without spaces."),
        ({"amount": 0}, "amount must be greater than 0."),
        ({"amount": "-1"}, "amount must be greater than 0."),
        ({"amount": "0.000000001"}, "amount: more than 8 decimal places."),
        ({"cryptoCurrency": "BTC"}, "cryptoCurrency BTC does not match the session's USDT."),
        ({"network": "SOL"}, "network SOL is not one of the session's networks (TRX, BSC)."),
    ]
    for change, message in cases:
        assert signed.fail("/deposit/report", {**base, **change}, ILLEGAL) == message, change
    assert session(box, partner, order_id)["report"] is None
    box.audit()


@pytest.mark.parametrize(
    "path", ["/crypto-network", "/deposit/initiate", "/deposit/authorization", "/deposit/report"]
)
def test_every_endpoint_is_authenticated(signed: Signed, path: str) -> None:
    body = b'{"externalOrderId":"x"}'
    forged = signed.headers(body)
    forged["X-Tesla-Signature"] = signed.headers(b"other")["X-Tesla-Signature"]
    response = signed.http.post(PREFIX + path, content=body, headers=forged)
    assert response.status_code == 401
    assert envelope(response) == {
        "success": False,
        "code": "1230205",
        "data": None,
        "message": "Invalid X-Tesla-Signature.",
    }
    unknown = signed.post(path, {}, **{"X-Tesla-ClientId": "nobody"})
    assert unknown.status_code == 401 and envelope(unknown)["code"] == "1230201"


def test_an_unknown_deposit_path_answers_in_the_envelope(signed: Signed) -> None:
    response = signed.post("/deposit/nothing", {})
    assert response.status_code == 404
    assert envelope(response)["message"] == "Unknown endpoint."


def test_concurrent_initiates_with_one_id_start_one_session(
    box: Sandbox, partner: Any, user: str, order_id: str
) -> None:
    """Unique by constraint, not by check-then-insert: of racing requests one wins."""
    payload = {
        "externalOrderId": order_id,
        "userId": user,
        "cryptoCurrency": "USDT",
        "networks": ["TRX"],
    }

    def attempt(_: int) -> str:
        with httpx.Client(base_url=box.url, timeout=30) as http:
            return str(envelope(Signed(http, partner).post("/deposit/initiate", payload))["code"])

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(attempt, range(8)))
    assert codes == ["000000"] + ["1230309"] * 7
    listed = box.admin.get("/sandbox/v1/deposits", params={"userId": user}).json()
    assert [d["externalOrderId"] for d in listed] == [order_id]
