"""Fuzzing from the server's own OpenAPI document (`/openapi.json`) with schemathesis.

Every operation of every family (Connect Prime, Connect Deposit, Pay, Wallet's wapi/sapi/api,
the hosted pages) and of the control API gets requests that schemathesis generates from the
document, in both of its modes (valid by the schema, and not), sent two ways:

- anonymous: no credentials, or garbage ones (a real client id or API key with a wrong
  signature, a wrong token, a wrong admin token);
- signed: each request signed properly for its family after schemathesis has serialized it (a
  `requests` auth hook signs the exact bytes sent), so fuzzing reaches past authentication; half
  of them also carry real ids (the fuzz user, a live quote, a paid Pay order, a deposit
  session) where the schema has a field of that name, to reach the business rules.

Every answer must be below HTTP 500, in the family's envelope, and not the family's answer to
an unexpected error (Connect SYS_ERROR 1230101, Pay's "unknown error" 400000); and a rejected
request must change nothing:
- anonymous requests are all rejected (but the public reads), so the sandbox's state is
  compared before and after each family's whole batch, through the control API (ledger audit
  totals, orders, sessions, keys... `security_support.snapshot`) and row for row in its
  database;
- a signed request may be accepted and change things, so the database is compared row for row
  around each single rejected one (the fuzz servers run without the delivery worker, so only
  requests change it), and the ledger audit must pass after any operation that accepted one.

`BSX_FUZZ_EXAMPLES` sets the examples per operation and way (default 4: about a minute per
database). A long run by hand: `BSX_FUZZ_EXAMPLES=200 pytest tests/fuzz` (docs/testing.md).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pay_support import PayMerchant, PaySigned, create_merchant, order_body, pay_sign
from prime_support import Signed as PrimeSigned
from requests.auth import AuthBase
from schemathesis import GenerationMode
from security_support import Fingerprint, diff, snapshot
from wallet_support import Key, create_key, create_sub_account

from binance_sandbox import wire
from binance_sandbox.app import create_app
from binance_sandbox.config import Settings
from binance_sandbox.signing.connect import sign_connect
from sandbox_harness import ADMIN, PartnerCreds, Sandbox

EXAMPLES = int(os.environ.get("BSX_FUZZ_EXAMPLES", "4"))
FAMILIES = (
    ("connect", ("/papi/",)),
    ("pay", ("/binancepay/",)),
    ("wapi", ("/wapi/",)),
    ("sapi", ("/sapi/",)),
    ("api", ("/api/",)),
    ("control", ("/sandbox/",)),
    ("hosted", ("/pay/", "/connect/deposit/")),
)
SIGNED_FAMILIES = ("connect", "pay", "wapi", "sapi", "api", "control")
# What may answer without credentials: the Wallet API's public endpoints and the pages a person
# opens (read-only); every other anonymous request must be refused.
PUBLIC = re.compile(r"^GET /(api/v3/|wapi/v3/systemStatus|pay/|connect/deposit/|healthz|metrics)")


# What each family answers for an exception it did not expect (its 500): never acceptable.
PAY_UNEXPECTED = "An unknown error occurred while processing the request."


def now_ms() -> int:
    """Signatures use real time, as clients do (the sandbox accepts it beside its own clock)."""
    return int(time.time() * 1000)


def family_of(path: str) -> str:
    for name, prefixes in FAMILIES:
        if path.startswith(prefixes):
            return name
    return "other"


def _operations() -> list[tuple[str, str]]:
    """Every operation the server documents (read from the app: no server needed)."""
    spec = create_app(Settings(admin_token=ADMIN)).openapi()
    return sorted((method.upper(), path) for path, item in spec["paths"].items() for method in item)


OPERATIONS = _operations()


# -- signing what schemathesis serialized ------------------------------------------------------


def _body(request: requests.PreparedRequest) -> bytes:
    body = request.body
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else bytes(body)


@dataclass
class ConnectAuth(AuthBase):
    partner: PartnerCreds

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        ts = str(now_ms())
        r.headers["X-Tesla-ClientId"] = self.partner.client_id
        r.headers["X-Tesla-SignAccessToken"] = self.partner.access_token
        r.headers["X-Tesla-Timestamp"] = ts
        r.headers["X-Tesla-Signature"] = sign_connect(self.partner.private_key, _body(r), ts)
        return r


@dataclass
class PayAuth(AuthBase):
    merchant: PayMerchant
    nonces: Iterator[int] = field(default_factory=itertools.count)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        ts, nonce = str(now_ms()), f"fuzz{next(self.nonces):028d}"
        # Pay's clients send this header on every call, with a body or without.
        r.headers.setdefault("Content-Type", "application/json")
        r.headers["BinancePay-Timestamp"] = ts
        r.headers["BinancePay-Nonce"] = nonce
        r.headers["BinancePay-Certificate-SN"] = self.merchant.api_key
        r.headers["BinancePay-Signature"] = pay_sign(self.merchant.api_secret, ts, nonce, _body(r))
        return r


@dataclass
class WalletAuth(AuthBase):
    """Replaces the generated `timestamp` and `signature` with real ones: HMAC-SHA256 of the
    query string as sent followed by the body."""

    key: Key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        assert r.url is not None
        parts = urlsplit(r.url)
        kept = [
            s
            for s in parts.query.split("&")
            if s and not s.startswith(("signature=", "timestamp="))
        ]
        query = "&".join([*kept, f"timestamp={now_ms()}"])
        signature = hmac.new(
            self.key.secret_key.encode(), query.encode() + _body(r), hashlib.sha256
        ).hexdigest()
        r.url = urlunsplit(parts._replace(query=f"{query}&signature={signature}"))
        r.headers["X-MBX-APIKEY"] = self.key.api_key
        return r


@dataclass
class AdminAuth(AuthBase):
    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {ADMIN}"
        return r


# -- the fuzz servers ------------------------------------------------------------------------------

TOKEN = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=48)
Headers = st.SearchStrategy[dict[str, str]]


def _either(real: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(real), TOKEN)


def garbage_credentials(
    partner: PartnerCreds, merchant: PayMerchant, key: Key
) -> dict[str, Headers]:
    """Credentials that must not pass, per family: real names with wrong secrets, or none."""
    now = str(now_ms())
    wallet = st.fixed_dictionaries({}, optional={"X-MBX-APIKEY": _either(key.api_key)})
    return {
        "connect": st.fixed_dictionaries(
            {},
            optional={
                "X-Tesla-ClientId": _either(partner.client_id),
                "X-Tesla-SignAccessToken": _either(partner.access_token),
                "X-Tesla-Timestamp": _either(now),
                "X-Tesla-Signature": TOKEN,
            },
        ),
        "pay": st.fixed_dictionaries(
            {},
            optional={
                "BinancePay-Certificate-SN": _either(merchant.api_key),
                "BinancePay-Timestamp": _either(now),
                "BinancePay-Nonce": _either("0" * 32),
                "BinancePay-Signature": TOKEN,
            },
        ),
        "wapi": wallet,
        "sapi": wallet,
        "api": wallet,
        "control": st.fixed_dictionaries(
            {},
            optional={
                "Authorization": st.sampled_from(
                    ["Bearer wrong-token", f"Basic {ADMIN}", f"Bearer {ADMIN}x", "Bearer", ADMIN]
                )
            },
        ),
    }


@dataclass
class World:
    """A fuzz server, its schema as schemathesis loaded it, and who may call it."""

    box: Sandbox
    schema: Any
    fingerprint: Fingerprint
    session: requests.Session
    auth: dict[str, AuthBase] = field(default_factory=dict)
    garbage: dict[str, Headers] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.session.close()
        self.fingerprint.close()


FUZZ_SETTINGS = {
    # Without the worker only requests change the database; without these limits the Wallet
    # API's weights would ban the fuzzer.
    "embedded_worker": False,
    "wallet_ip_weight_per_minute": 10_000_000,
    "wallet_key_weight_per_minute": 10_000_000,
}


def open_world(box: Sandbox) -> World:
    return World(
        box=box,
        schema=schemathesis.openapi.from_url(f"{box.url}/openapi.json"),
        fingerprint=Fingerprint(box.database_url),
        session=requests.Session(),
    )


def live_ids(
    box: Sandbox, partner: PartnerCreds, user: str, merchant: PayMerchant
) -> dict[str, str]:
    """A live quote, a paid Pay order and a deposit session, for fuzzing to aim at."""
    with httpx.Client(base_url=box.url, timeout=30) as http:
        prime = PrimeSigned(http, partner)
        quote = prime.post(
            "/quote",
            {
                "userId": user,
                "fiatCurrency": "EUR",
                "cryptoCurrency": "BTC",
                "direction": "BUY",
                "amount": "50",
                "amountType": 1,
            },
        ).json()["data"]
        deposit = http.post(
            "/papi/v1/ramp/connect/deposit/initiate",
            content=(
                body := wire.dumps(
                    {
                        "externalOrderId": "fuzz-deposit-1",
                        "userId": user,
                        "cryptoCurrency": "USDT",
                        "networks": ["TRX"],
                    }
                ).encode()
            ),
            headers=prime.headers(body),
        )
        assert deposit.json()["success"] is True, deposit.text
        pay = PaySigned(http, merchant)
        trade = "fuzzorder1"
        prepay_id = str(pay.ok("/v2/order", order_body(trade, "40"))["prepayId"])
        r = box.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": user})
        assert r.status_code == 200, r.text
    return {
        "quoteId": str(quote["quoteId"]),
        "externalOrderId": "fuzz-deposit-1",
        "prepayId": prepay_id,
        "merchantTradeNo": trade,
    }


@pytest.fixture(scope="module")
def world(make_sandbox: Callable[..., Sandbox]) -> Iterator[World]:
    box = make_sandbox("fuzz", **FUZZ_SETTINGS)
    partner = box.create_partner(customSpreadMax="0.02")
    user = box.create_user(partner)
    box.credit(user, "USDT", "1000")
    merchant = create_merchant(box)
    master = box.create_user()
    box.credit(master, "USDT", "1000")
    box.credit(master, "BNB", "0.001")
    key = create_key(box, master)
    sub_email = "fuzz-sub@sandbox.test"
    sub = create_sub_account(box, master, sub_email)
    w = open_world(box)
    w.auth = {
        "connect": ConnectAuth(partner),
        "pay": PayAuth(merchant),
        "wapi": WalletAuth(key),
        "sapi": WalletAuth(key),
        "api": WalletAuth(key),
    }
    w.garbage = garbage_credentials(partner, merchant, key)
    w.known = {
        "userId": user,
        "email": sub_email,
        "fromEmail": sub_email,
        "toEmail": sub_email,
        **live_ids(box, partner, user, merchant),
    }
    w.users = [user, master, sub]
    yield w
    w.close()


@pytest.fixture(scope="module")
def admin_world(make_sandbox: Callable[..., Sandbox]) -> Iterator[World]:
    """The control API fuzzed with the admin token: a server of its own, since that moves the
    clock, resets, switches the system status."""
    w = open_world(make_sandbox("fuzzadmin", **FUZZ_SETTINGS))
    w.auth = {"control": AdminAuth()}
    yield w
    w.close()


# -- what every answer must be ---------------------------------------------------------------------


def _json(response: schemathesis.Response) -> Any:
    try:
        return wire.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"the answer is not JSON: {response.content[:300]!r}") from exc


def check_answer(family: str, response: schemathesis.Response) -> bool:
    """Asserts the answer is below 500, in the family's envelope and not its unexpected-error
    answer; True when it is a rejection."""
    status = response.status_code
    assert status < 500, f"HTTP {status}: {response.content[:500]!r}"
    assert b"Traceback" not in response.content, response.content[:2000]
    if family == "connect":
        body = _json(response)
        assert isinstance(body, dict) and set(body) == {"success", "code", "data", "message"}, body
        if body["success"] is True:
            assert (status, body["code"], body["message"]) == (200, "000000", None), body
            return False
        assert body["success"] is False and re.fullmatch(r"123\d{4}", body["code"]), body
        assert isinstance(body["message"], str) and body["message"], body
        assert body["code"] != "1230101", f"SYS_ERROR: the envelope of an unexpected error {body}"
        return True
    if family == "pay":
        body = _json(response)
        assert isinstance(body, dict), body
        assert set(body) == {"status", "code", "data", "errorMessage"}, body
        if body["status"] == "SUCCESS":
            assert (status, body["code"]) == (200, "000000"), body
            return False
        assert body["status"] == "FAIL" and re.fullmatch(r"4\d{5}", body["code"]), body
        assert isinstance(body["errorMessage"], str) and body["errorMessage"], body
        assert body["errorMessage"] != PAY_UNEXPECTED, f"the envelope of an unexpected error {body}"
        return True
    if family in ("wapi", "sapi", "api"):
        body = _json(response)
        if status >= 400:
            # Every non-2xx answer of these families is `{"code": <negative>, "msg"}`.
            assert isinstance(body, dict) and set(body) == {"code", "msg"}, body
            assert isinstance(body["code"], int) and body["code"] < 0 and body["msg"], body
            return True
        assert status == 200, status
        if family == "wapi" and isinstance(body, dict) and body.get("success") is False:
            assert set(body) == {"success", "msg"}, body
            assert isinstance(body["msg"], str) and body["msg"], body
            return True
        return False
    if family == "control":
        body = _json(response)
        if status >= 400:
            assert isinstance(body, dict) and set(body) == {"error"}, body
            assert set(body["error"]) == {"code", "message"} and body["error"]["message"], body
            return True
        return False
    if family == "hosted" and status >= 400:
        # A page (or, for the QR image, a line) in words.
        media = response.headers.get("content-type", [""])[0]
        assert media.startswith(("text/html", "text/plain")), (status, media)
        assert response.content.strip(), status
    return status >= 400


# -- the fuzzing ---------------------------------------------------------------------------------


def _plant(case: schemathesis.Case, known: dict[str, str]) -> None:
    """Real ids where the schema has a field of their name."""
    for container in (case.body, case.query):
        if isinstance(container, dict):
            for name in container.keys() & known.keys():
                container[name] = known[name]


def _cases(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    modes = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    if operation.body or any(True for _ in operation.iter_parameters()):
        # Nothing to make invalid in an operation without parameters.
        modes.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return st.one_of(*modes)


def fuzz(world: World, method: str, path: str, way: str) -> list[int]:
    """Sends one operation its examples; the HTTP statuses of the accepted ones."""
    family = family_of(path)
    operation = world.schema[path][method]
    signed = way == "signed"
    auth = world.auth[family] if signed else None
    garbage = st.just({}) if signed else world.garbage.get(family, st.just({}))
    accepted: list[int] = []
    last: list[dict[str, str]] = []  # the database as the previous rejected request left it

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation), headers=garbage, plant=st.booleans())
    def run(case: schemathesis.Case, headers: dict[str, str], plant: bool) -> None:
        if signed and plant:
            _plant(case, world.known)
        before = (last.pop() if last else world.fingerprint.take()) if signed else None
        last.clear()
        world.session.cookies.clear()
        response = case.call(
            base_url=world.box.url,
            session=world.session,
            headers=headers,
            auth=auth,
            allow_redirects=False,
            timeout=30,
        )
        reproduce = f"\nreproduce: {case.as_curl_command(base_url=world.box.url)}"
        try:
            rejected = check_answer(family, response)
        except AssertionError as exc:
            raise AssertionError(f"{method} {path} ({way}): {exc}{reproduce}") from None
        if not rejected:
            assert signed or PUBLIC.match(f"{method} {path}"), (
                f"{method} {path}: an anonymous request was accepted: "
                f"{response.content[:300]!r}{reproduce}"
            )
            accepted.append(response.status_code)
            return
        if before is not None:
            after = world.fingerprint.take()
            changed = diff(before, after)
            assert not changed, (
                f"{method} {path}: a rejected request changed {sorted(changed)}{reproduce}"
            )
            last.append(after)

    run()
    return accepted


def _family_ops(*families: str) -> list[tuple[str, str]]:
    return [(m, p) for m, p in OPERATIONS if family_of(p) in families]


ANONYMOUS = ["connect", "pay", "wapi", "sapi", "api", "hosted", "control", "other"]
SIGNED = [op for op in _family_ops("connect", "pay", "wapi", "sapi", "api")]
ADMIN_OPS = _family_ops("control")


@pytest.mark.parametrize("family", ANONYMOUS)
def test_fuzz_anonymous(world: World, family: str) -> None:
    """No credentials or garbage ones, for every operation of the family: each answer in the
    envelope, all refused but the public reads, and the whole batch changes nothing."""
    ops = _family_ops(family)
    assert ops or family == "other"
    api_before = snapshot(world.box, world.users)
    db_before = world.fingerprint.take()
    for method, path in ops:
        fuzz(world, method, path, "anonymous")
    assert not diff(db_before, world.fingerprint.take())
    assert not diff(api_before, snapshot(world.box, world.users))


@pytest.mark.parametrize(("method", "path"), SIGNED, ids=[f"{m} {p}" for m, p in SIGNED])
def test_fuzz_signed(world: World, method: str, path: str) -> None:
    if fuzz(world, method, path, "signed"):
        world.box.audit()  # the ledger's invariants hold after whatever was accepted


@pytest.mark.parametrize(("method", "path"), ADMIN_OPS, ids=[f"{m} {p}" for m, p in ADMIN_OPS])
def test_fuzz_control_with_admin_token(admin_world: World, method: str, path: str) -> None:
    if fuzz(admin_world, method, path, "signed"):
        admin_world.box.audit()


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_reference_in_the_document_resolves() -> None:
    """A body schema pointing at `#/$defs/…` (pydantic's pointer, nowhere in an OpenAPI
    document) would leave every generator, fuzzer or client without that body's shape."""
    spec = create_app(Settings(admin_token=ADMIN)).openapi()
    components = spec.get("components", {}).get("schemas", {})
    for ref in _refs(spec["paths"]):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref


def test_every_family_is_in_the_document() -> None:
    """A router left out of the OpenAPI document would go unfuzzed."""
    assert {family_of(p) for _m, p in OPERATIONS} >= {*SIGNED_FAMILIES, "hosted"}
    documented = {p for _m, p in OPERATIONS}
    for path in (
        "/papi/v1/ramp/connect/prime/quote/execute",
        "/papi/v1/ramp/connect/deposit/initiate",
        "/binancepay/openapi/v2/order",
        "/wapi/v3/withdraw.html",
        "/sapi/v1/asset/dust",
        "/api/v3/time",
        "/sandbox/v1/ledger/audit",
    ):
        assert path in documented, path


def test_what_long_runs_found(make_sandbox: Callable[..., Sandbox]) -> None:
    """Answers long fuzz runs once got wrong (HTTP 500, or a family's unexpected-error
    envelope), pinned here whatever the example budget."""
    box = make_sandbox("fuzzfound", embedded_worker=False)
    # Row ids past 64 bits (SQLite) or 32 (PostgreSQL): the driver cannot even send them.
    for method, path in (
        ("GET", "/sandbox/v1/webhooks/9223372036854775808"),
        ("POST", "/sandbox/v1/webhooks/2147483648/redeliver"),
    ):
        r = box.admin.request(method, path)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "INVALID"), r.text
    # A clock past every 64-bit timestamp used to break each later write.
    r = box.admin.post("/sandbox/v1/clock", json={"nowMs": 10**19})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "INVALID"), r.text
    last = 32_503_680_000_000
    assert box.admin.post("/sandbox/v1/clock", json={"nowMs": last - 1_000}).status_code == 200
    r = box.admin.post("/sandbox/v1/clock/advance", json={"ms": 2_000})
    assert r.json() == {
        "error": {"code": "INVALID", "message": "The sandbox clock stops at 3000-01-01T00:00:00Z."}
    }
    assert box.now() == last - 1_000
    box.create_user()
    # An amount with more digits than the decimal context: quantizing it raised.
    with httpx.Client(base_url=box.url, timeout=30) as http:
        pay = PaySigned(http, create_merchant(box))
        for path, body in (
            ("/order/refund", b'{"prepayId":"1","refundAmount":1e+20,"refundRequestId":"r1"}'),
            (
                "/wallet/transfer",
                b'{"amount":1e+20,"currency":"USDT","requestId":"t1","transferType":"TO_PAY"}',
            ),
        ):
            answer = wire.loads(pay.post(path, raw=body).content)
            assert (answer["code"], answer["errorMessage"]) == (
                "400102",
                "A parameter was not valid, the value is out of range. "
                f"{'refundAmount' if 'refund' in path else 'amount'}: Value error, is too large",
            )
