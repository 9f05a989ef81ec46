"""Attacks on every family, each refused with the family's documented code and changing
nothing (docs/testing.md, "Security and fuzzing").

For Connect Prime, Connect Deposit, Binance Pay and the Wallet API, where each applies:
tampered bodies and signatures, replays, stale and future timestamps, another partner's,
merchant's or user's ids (which must look exactly like ids that do not exist), callers off
the IP whitelist, revoked and rotated credentials, oversized and deeply nested bodies, SQL and
header injection; and the control API and the console without the admin token.

Every refusal is checked inside `changes_nothing`: the control API's picture of the sandbox
(ledger audit and totals, orders, sessions, partners, merchants, keys, the users' balances) is
the same after as before. The server runs without the delivery worker, so nothing else moves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from deposit_support import Signed as DepositSigned
from pay_support import BASE as PAY
from pay_support import PayMerchant, PaySigned, create_merchant, order_body, pay_sign
from prime_support import PREFIX as PRIME
from prime_support import Signed as PrimeSigned
from security_support import (
    api_error,
    connect_error,
    control_error,
    diff,
    pay_error,
    raw_request,
    snapshot,
    wapi_error,
)
from wallet_support import Key, create_key, create_sub_account, hmac_hex
from wallet_support import Signed as WalletSigned

from binance_sandbox import wire
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.connect import sign_connect
from sandbox_harness import ADMIN, PartnerCreds, Sandbox

DEPOSIT = "/papi/v1/ramp/connect"
PAY_LATE = (
    "Timestamp for this request is outside of the time window. "
    "BinancePay-Timestamp must be within 5000 ms of the server time."
)
REJECTED_KEY = (-2015, "Invalid API-key, IP, or permissions for action.")
WITHDRAW = {"asset": "USDT", "address": "T" + "1" * 33, "amount": "20", "network": "TRX"}
SQL = ("' OR '1'='1", "1; DROP TABLE prime_orders; --", '" OR ""="', "1 UNION SELECT * FROM users")


def wall_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Side:
    """One partner/merchant/wallet user and what it owns, signed for."""

    partner: PartnerCreds
    user: str
    prime: PrimeSigned
    deposit: DepositSigned
    merchant: PayMerchant
    pay: PaySigned
    master: str
    sub_email: str
    wallet: WalletSigned
    order_id: str
    client_order_id: str
    quote_id: str
    external_order_id: str
    prepay_id: str
    trade_no: str


@dataclass
class World:
    box: Sandbox
    http: httpx.Client
    a: Side
    b: Side

    @property
    def users(self) -> list[str]:
        return [self.a.user, self.b.user, self.a.master, self.b.master]


def _quote(prime: PrimeSigned, user: str, amount: str = "50") -> str:
    body = connect_ok(
        prime.post(
            "/quote",
            {
                "userId": user,
                "fiatCurrency": "EUR",
                "cryptoCurrency": "BTC",
                "direction": "BUY",
                "amount": amount,
                "amountType": 1,
            },
        )
    )
    return str(body["quoteId"])


def connect_ok(response: httpx.Response) -> Any:
    body = wire.loads(response.content)
    assert body["success"] is True, body
    return body["data"]


def _side(box: Sandbox, http: httpx.Client, name: str) -> Side:
    partner = box.create_partner(name=f"Bank {name}", customSpreadMax="0.02")
    user = box.create_user(partner)
    box.credit(user, "USDT", "500")
    prime, deposit = PrimeSigned(http, partner), DepositSigned(http, partner)
    quote_id = _quote(prime, user)
    client_order_id = f"order-{name}"
    order = connect_ok(
        prime.post(
            "/quote/execute", {"quoteId": _quote(prime, user), "clientOrderId": client_order_id}
        )
    )
    external_order_id = f"deposit-{name}"
    connect_ok(
        deposit.post(
            "/deposit/initiate",
            {
                "externalOrderId": external_order_id,
                "userId": user,
                "cryptoCurrency": "USDT",
                "networks": ["TRX"],
            },
        )
    )
    merchant = create_merchant(box, name=f"Shop {name}")
    pay = PaySigned(http, merchant)
    trade_no = f"trade{name}"
    prepay_id = str(pay.ok("/v2/order", order_body(trade_no, "20"))["prepayId"])
    master = box.create_user()
    box.credit(master, "USDT", "100")
    sub_email = f"sub-{name.lower()}@sandbox.test"
    create_sub_account(box, master, sub_email)
    wallet = WalletSigned(http, box, create_key(box, master))
    return Side(
        partner=partner,
        user=user,
        prime=prime,
        deposit=deposit,
        merchant=merchant,
        pay=pay,
        master=master,
        sub_email=sub_email,
        wallet=wallet,
        order_id=str(order["orderId"]),
        client_order_id=client_order_id,
        quote_id=quote_id,
        external_order_id=external_order_id,
        prepay_id=prepay_id,
        trade_no=trade_no,
    )


@pytest.fixture(scope="module")
def world(make_sandbox: Callable[..., Sandbox]) -> Iterator[World]:
    # No worker, and clock moves that do not settle: nothing happens unless a test does it.
    box = make_sandbox("security", embedded_worker=False)
    with httpx.Client(base_url=box.url, timeout=30) as http:
        yield World(box, http, _side(box, http, "A"), _side(box, http, "B"))


@contextmanager
def changes_nothing(world: World) -> Iterator[None]:
    before = snapshot(world.box, world.users)
    yield
    changed = diff(before, snapshot(world.box, world.users))
    assert not changed, changed


def same_refusal(theirs: httpx.Response, none: httpx.Response, their_id: str, fake: str) -> None:
    """Another owner's id is answered exactly as an id that does not exist."""
    assert theirs.status_code == none.status_code
    assert theirs.content.replace(their_id.encode(), fake.encode()) == none.content


# -- tampering -----------------------------------------------------------------------------------


def test_connect_tampered_body_and_signature(world: World) -> None:
    a = world.a
    for prime_path, signed in (
        (PRIME + "/quote/execute", a.prime),
        (DEPOSIT + "/deposit/initiate", a.deposit),
    ):
        body = b'{"quoteId":"q","clientOrderId":"tamper"}'
        tampered = b'{"quoteId":"q","clientOrderId":"tamper2"}'
        other_key = sign_connect(generate_private_key(1024), body, "1")
        with changes_nothing(world):
            headers = signed.headers(body)
            r = world.http.post(prime_path, content=tampered, headers=headers)
            assert connect_error(r) == (401, "1230205", "Invalid X-Tesla-Signature.")
            sig = headers["X-Tesla-Signature"]
            flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
            r = world.http.post(
                prime_path, content=body, headers={**headers, "X-Tesla-Signature": flipped}
            )
            assert connect_error(r) == (401, "1230205", "Invalid X-Tesla-Signature.")
            ts = headers["X-Tesla-Timestamp"]
            for wrong in (other_key, sign_connect(generate_private_key(1024), body, ts)):
                r = world.http.post(
                    prime_path, content=body, headers={**headers, "X-Tesla-Signature": wrong}
                )
                assert connect_error(r)[1] == "1230205"


def test_pay_tampered_body_and_signature(world: World) -> None:
    pay = world.a.pay
    body = wire.dumps(order_body("tampered1", "5")).encode()
    with changes_nothing(world):
        headers = pay.headers(body)
        tampered = body.replace(b'"5"', b'"500"')
        r = pay.http.post(PAY + "/v2/order", content=tampered, headers=headers)
        assert pay_error(r) == (406, "400002", "Incorrect signature result.")
        headers = pay.headers(body)
        headers["BinancePay-Signature"] = "0" * 128
        r = pay.http.post(PAY + "/v2/order", content=body, headers=headers)
        assert pay_error(r) == (406, "400002", "Incorrect signature result.")
        # Signed with the other merchant's secret.
        ts, nonce = str(wall_ms()), "b" * 32
        headers = pay.headers(body, timestamp=ts, nonce=nonce)
        headers["BinancePay-Signature"] = pay_sign(world.b.merchant.api_secret, ts, nonce, body)
        r = pay.http.post(PAY + "/v2/order", content=body, headers=headers)
        assert pay_error(r)[:2] == (406, "400002")


def test_wallet_tampered_params_and_signature(world: World) -> None:
    w = world.a.wallet
    ts = world.box.now()
    signed_query = urlencode([*WITHDRAW.items(), ("timestamp", str(ts))])
    signature = hmac_hex(w.key.secret_key, signed_query)
    invalid = {"code": -1022, "msg": "Signature for this request is not valid."}
    with changes_nothing(world):
        # That signature over other bytes: another amount, another address.
        for changed in ({**WITHDRAW, "amount": "21"}, {**WITHDRAW, "address": "T" + "2" * 33}):
            r = w.request(
                "POST", "/wapi/v3/withdraw.html", changed, timestamp=ts, signature=signature
            )
            assert json.loads(wapi_error(r)[1]) == invalid
        r = w.request("POST", "/sapi/v1/asset/dust", {"asset": "BNB"}, signature="0" * 64)
        assert api_error(r) == (400, *invalid.values())
        # Signed with the other user's secret.
        theirs = hmac_hex(world.b.wallet.key.secret_key, signed_query)
        r = w.request("POST", "/wapi/v3/withdraw.html", WITHDRAW, timestamp=ts, signature=theirs)
        assert json.loads(wapi_error(r)[1]) == invalid


# -- replays and timestamps ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_clock_far_from_wall(world: World) -> None:
    """The sandbox clock a day behind the wall clock, so that signing with it and then moving
    it makes a request stale (the families also accept a timestamp near the wall clock)."""
    target = wall_ms() - 86_400_000
    if world.box.now() < target:
        r = world.box.admin.post(
            "/sandbox/v1/clock", json={"nowMs": target, "frozen": True, "settle": False}
        )
        assert r.status_code == 200, r.text
    assert wall_ms() - world.box.now() > 3_600_000


def test_connect_replays(world: World, sandbox_clock_far_from_wall: None) -> None:
    a = world.a
    quote_id = _quote(a.prime, a.user, "30")
    body = wire.dumps({"quoteId": quote_id, "clientOrderId": "replayed-once"}).encode()
    headers = a.prime.headers(body, timestamp=str(world.box.now()))
    first = world.http.post(PRIME + "/quote/execute", content=body, headers=headers)
    assert connect_ok(first)["status"] == "PROCESSING"
    # Connect has no nonce: the same signed request again is refused by the order's business
    # key, within the window, and by the window after it.
    with changes_nothing(world):
        again = world.http.post(PRIME + "/quote/execute", content=body, headers=headers)
        assert connect_error(again)[:2] == (200, "1230309")
        world.box.advance(61_000, settle=False)
        late = world.http.post(PRIME + "/quote/execute", content=body, headers=headers)
        assert connect_error(late) == (
            400,
            "1230203",
            "X-Tesla-Timestamp is outside the allowed window.",
        )
    initiate = wire.dumps(
        {
            "externalOrderId": "replayed-dep",
            "userId": a.user,
            "cryptoCurrency": "USDT",
            "networks": ["TRX"],
        }
    ).encode()
    headers = a.deposit.headers(initiate, timestamp=str(world.box.now()))
    connect_ok(world.http.post(DEPOSIT + "/deposit/initiate", content=initiate, headers=headers))
    with changes_nothing(world):
        again = world.http.post(DEPOSIT + "/deposit/initiate", content=initiate, headers=headers)
        assert connect_error(again)[:2] == (200, "1230309")
        world.box.advance(61_000, settle=False)
        late = world.http.post(DEPOSIT + "/deposit/initiate", content=initiate, headers=headers)
        assert connect_error(late)[:2] == (400, "1230203")


def test_pay_replays(world: World, sandbox_clock_far_from_wall: None) -> None:
    pay = world.a.pay
    body = wire.dumps(order_body("replayed1", "7")).encode()
    headers = pay.headers(body, timestamp=str(world.box.now()))
    assert (
        wire.loads(pay.http.post(PAY + "/v2/order", content=body, headers=headers).content)[
            "status"
        ]
        == "SUCCESS"
    )
    with changes_nothing(world):
        again = pay.http.post(PAY + "/v2/order", content=body, headers=headers)
        assert pay_error(again) == (
            200,
            "400001",
            "Parameter format is wrong or parameter transferring doesn't follow the rules. "
            "BinancePay-Nonce was already used: the request is a replay.",
        )
        # A fresh nonce on the same timestamp and body is a new request: refused by the
        # merchantTradeNo, which is taken.
        fresh = pay.headers(body, timestamp=str(world.box.now()))
        assert pay_error(pay.http.post(PAY + "/v2/order", content=body, headers=fresh))[1] == (
            "400201"
        )
        world.box.advance(10_000, settle=False)
        late = pay.http.post(PAY + "/v2/order", content=body, headers=headers)
        assert pay_error(late) == (
            406,
            "400003",
            PAY_LATE,
        )


def test_wallet_replay_after_the_recv_window(
    world: World, sandbox_clock_far_from_wall: None
) -> None:
    w = world.a.wallet
    params = WITHDRAW
    first = w.request("POST", "/wapi/v3/withdraw.html", params)
    assert first.status_code == 200 and first.json()["success"] is True, first.text
    # The Wallet API has no nonce (spec "Timing security"): a signed request can be replayed
    # only while its recvWindow lasts.
    with changes_nothing(world):
        world.box.advance(5_001, settle=False)
        late = w.http.post(str(first.request.url), headers={"X-MBX-APIKEY": w.key.api_key})
        assert json.loads(wapi_error(late)[1]) == {
            "code": -1021,
            "msg": "Timestamp for this request is outside of the recvWindow.",
        }


@pytest.mark.parametrize("when", ["stale", "future"])
def test_stale_and_future_timestamps(world: World, when: str) -> None:
    a = world.a
    # Far from both clocks a family accepts: the sandbox's and the wall's.
    ts = 1_000_000_000_000 if when == "stale" else max(wall_ms(), world.box.now()) + 600_000
    with changes_nothing(world):
        r = a.prime.post(
            "/quote/execute", {"quoteId": a.quote_id, "clientOrderId": "late"}, timestamp=str(ts)
        )
        assert connect_error(r) == (
            400,
            "1230203",
            "X-Tesla-Timestamp is outside the allowed window.",
        )
        r = a.deposit.post(
            "/deposit/report",
            {"externalOrderId": a.external_order_id, "txHash": "0xabc"},
            timestamp=str(ts),
        )
        assert connect_error(r)[:2] == (400, "1230203")
        r = a.pay.post("/v2/order", order_body(f"ts{when}", "3"), timestamp=str(ts))
        assert pay_error(r) == (
            406,
            "400003",
            PAY_LATE,
        )
        params = WITHDRAW
        r = a.wallet.request("POST", "/wapi/v3/withdraw.html", params, timestamp=ts)
        expected = (
            "Timestamp for this request is outside of the recvWindow."
            if when == "stale"
            else "Timestamp for this request was 1000ms ahead of the server's time."
        )
        assert json.loads(wapi_error(r)[1]) == {"code": -1021, "msg": expected}
        r = a.wallet.request("POST", "/sapi/v1/asset/dust", {"asset": "BNB"}, timestamp=ts)
        assert api_error(r) == (400, -1021, expected)


# -- another owner's ids --------------------------------------------------------------------------


def test_connect_prime_never_shows_another_partners_ids(world: World) -> None:
    a, b = world.a, world.b
    with changes_nothing(world):
        for field, theirs in (("orderId", b.order_id), ("clientOrderId", b.client_order_id)):
            same_refusal(
                a.prime.post("/transaction", {field: theirs}),
                a.prime.post("/transaction", {field: "no-such-order"}),
                theirs,
                "no-such-order",
            )
        fake_user = "99999999999"
        for path, extra in (
            ("/buy/fiat-list", {}),
            ("/wallet/asset/user-assets", {}),
            (
                "/quote",
                {
                    "fiatCurrency": "EUR",
                    "cryptoCurrency": "BTC",
                    "direction": "BUY",
                    "amount": "50",
                    "amountType": 1,
                },
            ),
        ):
            same_refusal(
                a.prime.post(path, {"userId": b.user, **extra}),
                a.prime.post(path, {"userId": fake_user, **extra}),
                b.user,
                fake_user,
            )
        same_refusal(
            a.prime.post("/quote/execute", {"quoteId": b.quote_id, "clientOrderId": "steal"}),
            a.prime.post("/quote/execute", {"quoteId": "q" * 32, "clientOrderId": "steal"}),
            b.quote_id,
            "q" * 32,
        )
        window = {"startTime": world.box.now() - 86_400_000, "endTime": world.box.now() + 1}
        listed = connect_ok(a.prime.post("/transactions", {**window, "userId": b.user}))
        assert listed == connect_ok(a.prime.post("/transactions", {**window, "userId": fake_user}))
    # B's own view is intact.
    assert (
        connect_ok(b.prime.post("/transaction", {"orderId": b.order_id}))["orderId"] == b.order_id
    )


def test_connect_deposit_never_shows_another_partners_sessions(world: World) -> None:
    a, b = world.a, world.b
    with changes_nothing(world):
        for path, extra in (
            ("/deposit/authorization", {}),
            ("/deposit/report", {"txHash": "0xfeed"}),
        ):
            same_refusal(
                a.deposit.post(path, {"externalOrderId": b.external_order_id, **extra}),
                a.deposit.post(path, {"externalOrderId": "no-such-session", **extra}),
                b.external_order_id,
                "no-such-session",
            )
        fake_user = "99999999999"
        body = {"externalOrderId": "a-for-b", "cryptoCurrency": "USDT", "networks": ["TRX"]}
        same_refusal(
            a.deposit.post("/deposit/initiate", {**body, "userId": b.user}),
            a.deposit.post("/deposit/initiate", {**body, "userId": fake_user}),
            b.user,
            fake_user,
        )


def test_pay_never_shows_another_merchants_orders(world: World) -> None:
    a, b = world.a, world.b
    with changes_nothing(world):
        for path, extra in (
            ("/v2/order/query", {}),
            ("/order/close", {}),
        ):
            for field, theirs in (("prepayId", b.prepay_id), ("merchantTradeNo", b.trade_no)):
                same_refusal(
                    a.pay.post(path, {field: theirs, **extra}),
                    a.pay.post(path, {field: "1" * len(theirs), **extra}),
                    theirs,
                    "1" * len(theirs),
                )
        refund = {"refundRequestId": "steal1", "refundAmount": "1"}
        same_refusal(
            a.pay.post("/order/refund", {**refund, "prepayId": b.prepay_id}),
            a.pay.post("/order/refund", {**refund, "prepayId": "1" * len(b.prepay_id)}),
            b.prepay_id,
            "1" * len(b.prepay_id),
        )
    # A merchantTradeNo is the merchant's own: B's does not collide with A's.
    assert a.pay.ok("/v2/order", order_body(b.trade_no, "2"))["prepayId"] != b.prepay_id
    assert b.pay.ok("/v2/order/query", {"prepayId": b.prepay_id})["merchantTradeNo"] == b.trade_no


def test_wallet_never_shows_another_masters_sub_accounts(world: World) -> None:
    a, b = world.a, world.b
    fake = "nobody@sandbox.test"
    with changes_nothing(world):
        for method, path, params in (
            ("GET", "/wapi/v3/sub-account/assets.html", {"email": "{}"}),
            ("GET", "/wapi/v3/sub-account/transfer/history.html", {"email": "{}"}),
            (
                "POST",
                "/wapi/v3/sub-account/transfer.html",
                {"fromEmail": a.sub_email, "toEmail": "{}", "asset": "USDT", "amount": "1"},
            ),
        ):
            theirs = {k: v.format(b.sub_email) for k, v in params.items()}
            nobody = {k: v.format(fake) for k, v in params.items()}
            r = a.wallet.request(method, path, theirs)
            assert wapi_error(r)[1] == "This parent sub have no relation"
            same_refusal(r, a.wallet.request(method, path, nobody), b.sub_email, fake)
        listed = a.wallet.request("GET", "/wapi/v3/sub-account/list.html", {"email": b.sub_email})
        assert listed.json() == {"success": True, "subAccounts": []}


# -- where the caller is, and credentials taken back ------------------------------------------


def test_ip_not_on_the_whitelist(world: World) -> None:
    box = world.box
    partner = box.create_partner(name="Fenced Bank", ipWhitelist=["10.9.8.0/24"])
    merchant = create_merchant(box, name="Fenced Shop", ipWhitelist=["10.9.8.7"])
    key = create_key(box, world.a.master, ipWhitelist=["10.9.8.7"])
    with changes_nothing(world):
        r = PrimeSigned(world.http, partner).post(
            "/quote/execute", {"quoteId": "q", "clientOrderId": "c"}
        )
        assert connect_error(r) == (
            403,
            "1230204",
            "IP 127.0.0.1 is not whitelisted for this client.",
        )
        r = DepositSigned(world.http, partner).post(
            "/deposit/authorization", {"externalOrderId": "x"}
        )
        assert connect_error(r)[:2] == (403, "1230204")
        r = PaySigned(world.http, merchant).post("/v2/order", order_body("fenced1", "1"))
        assert pay_error(r) == (
            401,
            "400004",
            "API identity key not found or invalid. IP 127.0.0.1 is not allowed for this API key.",
        )
        w = WalletSigned(world.http, box, key)
        params = WITHDRAW
        assert json.loads(wapi_error(w.request("POST", "/wapi/v3/withdraw.html", params))[1]) == {
            "code": REJECTED_KEY[0],
            "msg": REJECTED_KEY[1],
        }
        assert api_error(w.request("POST", "/sapi/v1/asset/dust", {"asset": "BNB"})) == (
            401,
            *REJECTED_KEY,
        )


def test_connect_disabled_and_rotated_partner(world: World) -> None:
    box = world.box
    partner = box.create_partner(name="Leaving Bank")
    user = box.create_user(partner)
    prime = PrimeSigned(world.http, partner)
    quote_id = _quote(prime, user)
    box.update_partner(partner.client_id, active=False)
    with changes_nothing(world):
        r = prime.post("/quote/execute", {"quoteId": quote_id, "clientOrderId": "after-disable"})
        assert connect_error(r) == (200, "1230312", "Merchant does not exist or is inactive.")
        r = DepositSigned(world.http, partner).post(
            "/deposit/initiate",
            {
                "externalOrderId": "d1",
                "userId": user,
                "cryptoCurrency": "USDT",
                "networks": ["TRX"],
            },
        )
        assert connect_error(r)[:2] == (200, "1230312")
    box.update_partner(partner.client_id, active=True)
    new_key = generate_private_key(1024)
    r = box.admin.post(
        f"/sandbox/v1/partners/{partner.client_id}/rotate",
        json={"rsaPublicKey": public_key_to_der_b64(new_key.public_key())},
    )
    assert r.status_code == 200, r.text
    rotated = PartnerCreds(partner.client_id, r.json()["signAccessToken"], new_key, "", {})
    with changes_nothing(world):
        # The old token, and the new token signed with the old key: both refused.
        r = prime.post("/quote/execute", {"quoteId": quote_id, "clientOrderId": "old-token"})
        assert connect_error(r) == (401, "1230202", "Invalid X-Tesla-SignAccessToken.")
        old_key = PartnerCreds(partner.client_id, rotated.access_token, partner.private_key, "", {})
        r = PrimeSigned(world.http, old_key).post(
            "/quote/execute", {"quoteId": quote_id, "clientOrderId": "old-key"}
        )
        assert connect_error(r) == (401, "1230205", "Invalid X-Tesla-Signature.")
    assert connect_ok(PrimeSigned(world.http, rotated).post("/buy/fiat-list", {"userId": user}))


def test_pay_disabled_and_rotated_merchant(world: World) -> None:
    box = world.box
    merchant = create_merchant(box, name="Leaving Shop")
    pay = PaySigned(world.http, merchant)
    r = box.admin.patch(f"/sandbox/v1/merchants/{merchant.merchant_id}", json={"active": False})
    assert r.status_code == 200, r.text
    with changes_nothing(world):
        assert pay_error(pay.post("/v2/order", order_body("closedshop1", "1"))) == (
            200,
            "400203",
            "Not support for this account, please check account status.",
        )
    box.admin.patch(f"/sandbox/v1/merchants/{merchant.merchant_id}", json={"active": True})
    r = box.admin.post(f"/sandbox/v1/merchants/{merchant.merchant_id}/rotate")
    assert r.status_code == 200, r.text
    with changes_nothing(world):
        assert pay_error(pay.post("/v2/order", order_body("oldkey1", "1"))) == (
            401,
            "400004",
            "API identity key not found or invalid.",
        )
        # The new key with the old secret.
        half = PayMerchant(merchant.merchant_id, r.json()["apiKey"], merchant.api_secret, {})
        assert pay_error(PaySigned(world.http, half).post("/v2/order", order_body("half1", "1")))[
            :2
        ] == (406, "400002")


def test_wallet_deactivated_deleted_rotated_and_unpermitted_keys(world: World) -> None:
    box, master = world.box, world.a.master
    params = WITHDRAW
    rejected = {"code": REJECTED_KEY[0], "msg": REJECTED_KEY[1]}

    def refused(key: Key) -> None:
        w = WalletSigned(world.http, box, key)
        assert json.loads(wapi_error(w.request("POST", "/wapi/v3/withdraw.html", params))[1]) == (
            rejected
        )
        assert api_error(w.request("POST", "/sapi/v1/asset/dust", {"asset": "BNB"})) == (
            401,
            *REJECTED_KEY,
        )

    deactivated = create_key(box, master)
    box.admin.patch(f"/sandbox/v1/api-keys/{deactivated.api_key}", json={"active": False})
    deleted = create_key(box, master)
    assert box.admin.delete(f"/sandbox/v1/api-keys/{deleted.api_key}").status_code == 200
    rotated = create_key(box, master)
    r = box.admin.post(f"/sandbox/v1/api-keys/{rotated.api_key}/rotate")
    assert r.status_code == 200, r.text
    read_only = create_key(box, master, permissions=["USER_DATA"])
    with changes_nothing(world):
        for key in (deactivated, deleted, rotated):
            refused(key)
        # USER_DATA only: reads pass, a TRADE endpoint is refused.
        w = WalletSigned(world.http, box, read_only)
        assert w.request("GET", "/wapi/v3/accountStatus.html").json()["success"] is True
        assert json.loads(wapi_error(w.request("POST", "/wapi/v3/withdraw.html", params))[1]) == (
            rejected
        )
        # The new key with the old secret.
        half = Key(r.json()["apiKey"], rotated.secret_key, master, {})
        r2 = WalletSigned(world.http, box, half).request(
            "POST", "/sapi/v1/asset/dust", {"asset": "BNB"}
        )
        assert api_error(r2)[:2] == (400, -1022)


# -- oversized and deeply nested bodies --------------------------------------------------------


def test_oversized_bodies(world: World) -> None:
    a = world.a
    with changes_nothing(world):
        huge = b'{"userId":"' + b"1" * (world.box.settings.max_body_bytes + 1) + b'"}'
        for signed, path in ((a.prime, "/quote/execute"), (a.deposit, "/deposit/initiate")):
            assert connect_error(signed.post(path, raw=huge)) == (
                200,
                "1230303",
                "Request body is too large.",
            )
        big = b'{"merchantTradeNo":"' + b"a" * world.box.settings.pay_max_body_bytes + b'"}'
        assert pay_error(a.pay.post("/v2/order", raw=big)) == (
            413,
            "400104",
            "Invalid request, content length too large "
            f"Request body is larger than {world.box.settings.pay_max_body_bytes} bytes.",
        )
        # The Wallet API reads form parameters, not JSON: a body over the same limit is
        # refused before any parameter is read.
        limit = world.box.settings.max_body_bytes
        too_large = {"code": -1101, "msg": f"Request body is larger than {limit} bytes."}
        padded = [*WITHDRAW.items(), ("name", "n" * limit)]
        r = a.wallet.request("POST", "/wapi/v3/withdraw.html", body=padded)
        assert json.loads(wapi_error(r)[1]) == too_large
        r = a.wallet.request("POST", "/sapi/v1/asset/dust", body=[("asset", "B" * limit)])
        assert api_error(r) == (413, *too_large.values())


@pytest.mark.parametrize("depth", [1_000, 30_000])
def test_deeply_nested_json(world: World, depth: int) -> None:
    a = world.a
    # Within every family's size limit; deeper than the JSON parser's recursion limit.
    nested = b'{"userId":' + b"[" * depth + b"]" * depth + b"}"
    with changes_nothing(world):
        for signed, path in ((a.prime, "/quote"), (a.deposit, "/deposit/initiate")):
            assert connect_error(signed.post(path, raw=nested)) == (
                200,
                "1230303",
                "Request body is nested too deeply.",
            )
        assert pay_error(a.pay.post("/v2/order", raw=nested)) == (
            200,
            "400008",
            "Request body is not a valid json object.",
        )


# -- injection ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", SQL)
def test_sql_in_ids_and_params(world: World, text: str) -> None:
    a = world.a
    with changes_nothing(world):
        for field in ("orderId", "clientOrderId"):
            assert connect_error(a.prime.post("/transaction", {field: text})) == (
                200,
                "1230303",
                "Order does not exist.",
            )
        r = a.prime.post("/buy/fiat-list", {"userId": text})
        assert connect_error(r) == (
            200,
            "1230303",
            f"userId {text} does not exist for this client.",
        )
        r = a.deposit.post("/deposit/authorization", {"externalOrderId": text})
        assert connect_error(r)[:2] == (200, "1230303")
        assert pay_error(a.pay.post("/v2/order/query", {"prepayId": text}))[:2] == (200, "400202")
        r = a.pay.post("/v2/order", order_body(text, "1"))
        assert pay_error(r)[:2] == (200, "400103")
        r = a.wallet.request("GET", "/wapi/v3/depositAddress.html", {"asset": text})
        assert json.loads(wapi_error(r)[1])["code"] == -1100
        r = a.wallet.request("GET", "/wapi/v3/sub-account/assets.html", {"email": text})
        assert wapi_error(r)[1] == "This parent sub have no relation"
        r = a.wallet.request("GET", "/sapi/v1/asset/assetDividend", {"asset": text})
        assert api_error(r)[:2] == (400, -1100)


def test_a_nul_character_in_ids(world: World) -> None:
    """PostgreSQL cannot hold or look up text with a NUL character, SQLite can: either way
    the request is refused in the family's envelope, never as a system error."""
    a, on_postgres = world.a, world.box.database_url.startswith("postgresql")
    text = "a\x00b"
    with changes_nothing(world):
        for field in ("orderId", "clientOrderId"):
            assert connect_error(a.prime.post("/transaction", {field: text}))[:2] == (
                200,
                "1230303",
            )
        r = a.deposit.post("/deposit/authorization", {"externalOrderId": text})
        assert connect_error(r)[:2] == (200, "1230303")
        r = a.pay.post("/v2/order/query", {"prepayId": text})
        assert pay_error(r)[:2] == (200, "400001" if on_postgres else "400202")
        r = a.wallet.request("GET", "/wapi/v3/sub-account/assets.html", {"email": f"{text}@x.y"})
        refused = wapi_error(r)[1]
        if on_postgres:
            assert json.loads(refused)["code"] == -1100
        else:
            assert refused == "This parent sub have no relation"
        r = world.box.admin.get("/sandbox/v1/users", params={"partnerClientId": text})
        assert (r.status_code, r.json() if r.status_code == 200 else None) == (
            (400, None) if on_postgres else (200, [])
        ), r.text


@pytest.mark.parametrize("text", ["' OR '1'='1", "x%0d%0aX-Injected: 1", "a\tb"])
def test_injection_in_credential_headers(world: World, text: str) -> None:
    a = world.a
    with changes_nothing(world):
        r = a.prime.post("/buy/fiat-list", {"userId": a.user}, **{"X-Tesla-ClientId": text})
        assert connect_error(r) == (401, "1230201", "Invalid X-Tesla-ClientId.")
        assert "x-injected" not in r.headers
        r = a.pay.post("/v2/order", order_body("hdr1", "1"), **{"BinancePay-Certificate-SN": text})
        assert pay_error(r)[:2] == (200, "400005")
        r = a.wallet.request("GET", "/sapi/v1/asset/assetDividend", headers={"X-MBX-APIKEY": text})
        assert api_error(r) == (401, -2014, "API-key format invalid.")


def test_a_header_split_by_a_line_break_is_refused_by_the_http_layer(world: World) -> None:
    """No HTTP client sends this; the server's HTTP parser refuses it before any family sees
    it, so the answer is a bare 400."""
    body = b'{"userId":"1"}'
    request = (
        b"POST " + PRIME.encode() + b"/buy/fiat-list HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nX-Tesla-ClientId: "
        + world.a.partner.client_id.encode()
        + b"\rX-Tesla-SignAccessToken: x\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )
    with changes_nothing(world):
        answer = raw_request(world.box.url, request)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


# -- the control API and the console without the admin token -----------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {ADMIN}", ADMIN, f"Bearer {ADMIN}x", "Bearer"],
)
def test_control_api_without_the_admin_token(world: World, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    user = world.a.user
    calls: list[tuple[str, str, Any]] = [
        ("POST", "/sandbox/v1/partners", {"name": "Intruder", "rsaPublicKey": "x"}),
        ("POST", "/sandbox/v1/balances/credit", {"userId": user, "asset": "BTC", "amount": "9"}),
        ("POST", "/sandbox/v1/clock/advance", {"ms": 1000}),
        ("POST", "/sandbox/v1/reset", {}),
        ("POST", "/sandbox/v1/api-keys", {"userId": user}),
        ("PATCH", f"/sandbox/v1/partners/{world.a.partner.client_id}", {"active": False}),
        ("DELETE", f"/sandbox/v1/api-keys/{world.a.wallet.key.api_key}", None),
        ("GET", "/sandbox/v1/partners", None),
        ("GET", "/sandbox/v1/ledger/audit", None),
    ]
    clock = world.box.now()
    with changes_nothing(world):
        for method, path, payload in calls:
            r = world.http.request(method, path, json=payload, headers=headers)
            assert control_error(r) == (401, "UNAUTHORIZED"), (method, path)
            # Nor in the query string.
            r = world.http.request(method, path, json=payload, params={"token": ADMIN})
            assert control_error(r) == (401, "UNAUTHORIZED"), (method, path)
    assert world.box.now() == clock


def test_console_without_the_admin_token(world: World) -> None:
    user = world.a.user
    with changes_nothing(world):
        for cookies in ({}, {"bsx_console": "0" * 64}):
            with httpx.Client(base_url=world.box.url, cookies=cookies, timeout=30) as http:
                for path, form in (
                    (f"/console/users/{user}/credit", {"asset": "BTC", "amount": "5"}),
                    ("/console/clock/advance", {"step": "1d"}),
                    ("/console/reset", {}),
                    ("/console/partners/new", {"name": "Intruder"}),
                ):
                    r = http.post(path, data=form)
                    assert r.status_code == 303, (path, r.status_code)
                    assert r.headers["location"].startswith("/console/signin"), r.headers
                r = http.get("/console")
                assert r.status_code == 303
                assert r.headers["location"].startswith("/console/signin")
        with httpx.Client(base_url=world.box.url, timeout=30) as http:
            r = http.post("/console/signin", data={"token": "wrong", "next": "/console"})
            assert r.status_code == 401
            assert "That is not the admin token of this sandbox." in r.text
            assert "bsx_console" not in r.cookies
