"""The bank's customers: the world they live in (made through the control API before any
fault), and concurrent clients doing random operations through the SDK while the platform is
killed under them.

Every operation is recorded with its business key and how it ended, as a Jepsen client
would: `ok` (acknowledged, with the platform's id for it), `failed` (a definite refusal, so
nothing may exist for it) or `unknown` (no answer that settles it). Operations with a
business key are retried with the same key after any answer that leaves the outcome open;
the Wallet API's withdrawals and sub-account transfers have no such key, so they are retried
only when the request provably never left (connection refused), and carry a unique amount
(the operation's tag) by which the checks find them.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from bank_processes import ADMIN_TOKEN
from bank_receivers import MERCHANT_TOKEN, Receivers
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client import (
    AsyncConnectPrimeClient,
    AsyncPayClient,
    AsyncWalletClient,
    ConnectWebhookVerifier,
    DuplicateOrderSubmission,
    PayClient,
    PayWebhookVerifier,
    QuoteCacheFailed,
    SysBusy,
    SysError,
    TransportError,
    UnexpectedResponse,
    pay_errors,
    wallet_errors,
)
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64

T = TypeVar("T")

OP_DEADLINE_S = 40.0  # how long one operation keeps retrying (several restarts' worth)
TAG_UNIT = Decimal("0.000001")  # an untagged amount is whole; op n adds n of these
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
GOODS = {"goodsType": "02", "goodsCategory": "Z000", "referenceGoodsId": "g1", "goodsName": "Bank"}

# How often each operation is chosen.
MIX = {
    "prime_buy": 22,
    "prime_sell": 12,
    "pay_order": 22,
    "pay_refund": 10,
    "pay_payout": 8,
    "sub_transfer": 12,
    "withdraw": 8,
}


# --- the world ----------------------------------------------------------------------------


@dataclass
class Account:
    """A sandbox user, with a Wallet API key when it has one."""

    user_id: str
    email: str
    api_key: str = ""
    secret_key: str = ""


@dataclass
class World:
    url: str
    seed: int
    client_id: str
    access_token: str
    private_key: rsa.RSAPrivateKey
    users: list[Account]  # Connect users, Pay payers, Wallet API withdrawers
    merchant_id: str
    merchant_key: str
    merchant_secret: str
    master: Account
    subs: list[Account]
    deposit_addresses: dict[str, str]  # userId → USDT address on TRX
    external_addresses: list[str]
    faucet: dict[str, Decimal] = field(default_factory=dict)  # asset → total credited
    paid: list[str] = field(default_factory=list)  # prepayIds known to be paid


class Admin:
    """The control API, synchronously, for setting up the world."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, "/sandbox/v1" + path, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code} {response.text}")
        return response.json()

    def close(self) -> None:
        self.http.close()


def setup_world(url: str, receivers: Receivers, seed: int, n_users: int) -> World:
    """Partners, users, keys, balances and addresses, before any process is killed."""
    rng = random.Random(seed * 31 + 5)
    admin = Admin(url)
    try:
        key = generate_private_key(1024)
        partner = admin.call(
            "POST",
            "/partners",
            json={
                "name": "Reliability Bank",
                "rsaPublicKey": public_key_to_der_b64(key.public_key()),
                "webhookUrl": f"{receivers.url}/prime/webhook",
                "merchantApiBaseUrl": f"{receivers.url}/prime/merchant",
                "merchantApiToken": MERCHANT_TOKEN,
            },
        )
        receivers.prime_verifier = ConnectWebhookVerifier(
            partner["webhookPublicKey"], client_id=partner["clientId"]
        )
        faucet: dict[str, Decimal] = {}

        def credit(user_id: str, asset: str, amount: str, wallet: str = "SPOT") -> None:
            admin.call(
                "POST",
                "/balances/credit",
                json={"userId": user_id, "asset": asset, "amount": amount, "wallet": wallet},
            )
            faucet[asset] = faucet.get(asset, Decimal(0)) + Decimal(amount)

        def wallet_key(user: dict[str, Any]) -> Account:
            made = admin.call("POST", "/api-keys", json={"userId": user["userId"]})
            return Account(user["userId"], user["email"], made["apiKey"], made["secretKey"])

        users = []
        for _ in range(n_users):
            user = admin.call("POST", "/users", json={"partnerClientId": partner["clientId"]})
            users.append(wallet_key(user))
            credit(user["userId"], "BTC", "0.5")
            credit(user["userId"], "ETH", "5")
            credit(user["userId"], "USDT", "3000")
            credit(user["userId"], "USDT", "300", "FUNDING")
        merchant = admin.call(
            "POST",
            "/merchants",
            json={"name": "Reliability Shop", "webhookUrl": f"{receivers.url}/pay/webhook"},
        )
        credit(merchant["merchantId"], "USDT", "2000", "FUNDING")
        master = wallet_key(admin.call("POST", "/users", json={}))
        credit(master.user_id, "USDT", "5000")
        subs = []
        for _ in range(3):
            sub = admin.call("POST", "/users", json={"masterUserId": master.user_id})
            subs.append(Account(sub["userId"], sub["email"]))
            credit(sub["userId"], "USDT", "300")
        addresses = {
            a.user_id: admin.call(
                "GET",
                f"/users/{a.user_id}/deposit-address",
                params={"coin": "USDT", "network": "TRX"},
            )["address"]
            for a in [*users, *subs]
        }
    finally:
        admin.close()
    with PayClient(url, merchant["apiKey"], merchant["apiSecret"]) as pay:
        certificate = pay.certificates()[0]
    receivers.pay_verifier = PayWebhookVerifier(
        public_key=certificate.cert_public, cert_serial=certificate.cert_serial
    )
    return World(
        url=url,
        seed=seed,
        client_id=partner["clientId"],
        access_token=partner["signAccessToken"],
        private_key=key,
        users=users,
        merchant_id=merchant["merchantId"],
        merchant_key=merchant["apiKey"],
        merchant_secret=merchant["apiSecret"],
        master=master,
        subs=subs,
        deposit_addresses=addresses,
        external_addresses=["T" + "".join(rng.choice(BASE58) for _ in range(33)) for _ in range(4)],
        faucet=faucet,
    )


# --- the history ---------------------------------------------------------------------------


@dataclass
class Op:
    id: int
    client: int
    kind: str
    key: str | None = None  # the business key sent
    tag: Decimal | None = None  # the unique amount of an operation without a business key
    outcome: str = "pending"  # ok | failed | unknown
    ref: str | None = None  # the platform's id, when acknowledged
    note: str = ""
    attempts: int = 0
    ambiguous: bool = False  # some attempt ended without an answer that settles it
    detail: dict[str, Any] = field(default_factory=dict)

    def ok(self, ref: str, note: str = "") -> None:
        self.outcome, self.ref, self.note = "ok", ref, note

    def refused(self, exc: BaseException) -> None:
        """A definite refusal; after an ambiguous attempt the first may still have happened."""
        self.outcome = "unknown" if self.ambiguous else "failed"
        self.note = f"{type(exc).__name__}: {exc}"[:300]


@dataclass
class History:
    ops: list[Op] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)  # answers no correct platform gives

    def new(self, client: int, kind: str) -> Op:
        op = Op(len(self.ops) + 1, client, kind)
        self.ops.append(op)
        return op


# --- retrying -------------------------------------------------------------------------------


class Definite(Exception):
    """The platform refused (an answer that settles the outcome of that attempt)."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(str(exc))
        self.exc = exc


class GaveUp(Exception):
    """No settling answer before the operation's deadline (or, without a business key, an
    attempt that may have been carried out)."""


class AdminError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.http_status = status
        self.body = body


AMBIGUOUS_ERRORS = (
    TransportError,
    httpx.TransportError,
    UnexpectedResponse,
    SysError,
    SysBusy,
    QuoteCacheFailed,
    pay_errors.UnknownError,
    wallet_errors.UnknownError,
    wallet_errors.Disconnected,
    wallet_errors.ExecutionStatusUnknown,
)


def classify(exc: BaseException) -> str:
    """`unsent` (provably never reached the platform), `ambiguous` or `definite`."""
    cause = exc.__cause__ if isinstance(exc, TransportError) else exc
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout):
        return "unsent"
    if isinstance(exc, AMBIGUOUS_ERRORS):
        return "ambiguous"
    status = getattr(exc, "http_status", None)
    if isinstance(status, int) and status >= 500:
        return "ambiguous"
    return "definite"


async def attempt(
    op: Op, call: Callable[[], Awaitable[T]], *, keyed: bool, deadline: float | None = None
) -> T:
    """`call` until it answers; raises `Definite` or `GaveUp`."""
    deadline = deadline or time.monotonic() + OP_DEADLINE_S
    delay = 0.05
    while True:
        op.attempts += 1
        try:
            return await call()
        except Exception as exc:
            kind = classify(exc)
            if kind == "definite":
                raise Definite(exc) from exc
            if kind == "ambiguous":
                op.ambiguous = True
                if not keyed:
                    raise GaveUp(f"{type(exc).__name__}: {exc}") from exc
            if time.monotonic() > deadline:
                raise GaveUp(f"{type(exc).__name__}: {exc}") from exc
        await asyncio.sleep(delay)
        delay = min(1.0, delay * 2)


async def read(op: Op, call: Callable[[], Awaitable[T]]) -> T:
    """A query (or a quote: a stray one is harmless) retried through anything not definite."""
    return await attempt(op, call, keyed=True)


# --- the clients ----------------------------------------------------------------------------


class Bank:
    """The SDK clients every customer shares, and the operations."""

    def __init__(self, world: World, history: History) -> None:
        self.world = world
        self.history = history
        w = world
        self.prime = AsyncConnectPrimeClient(
            w.url, w.client_id, w.access_token, w.private_key, max_retries=0, timeout=20
        )
        self.pay = AsyncPayClient(
            w.url, w.merchant_key, w.merchant_secret, max_retries=0, timeout=20
        )
        self.wallets = {
            a.user_id: AsyncWalletClient(w.url, a.api_key, a.secret_key, max_retries=0, timeout=20)
            for a in [*w.users, w.master]
        }
        self.admin = httpx.AsyncClient(
            base_url=w.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=20
        )

    async def aclose(self) -> None:
        await self.prime.aclose()
        await self.pay.aclose()
        for wallet in self.wallets.values():
            await wallet.aclose()
        await self.admin.aclose()

    async def admin_call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.admin.request(method, "/sandbox/v1" + path, **kwargs)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        if response.status_code >= 300:
            raise AdminError(response.status_code, body)
        return body

    async def customer(self, client: int, stop: asyncio.Event) -> None:
        rng = random.Random(self.world.seed * 1_000 + client)
        kinds, weights = list(MIX), list(MIX.values())
        n = 0
        while not stop.is_set():
            n += 1
            kind = rng.choices(kinds, weights)[0]
            await self.run(kind, client, n, rng)
            await asyncio.sleep(rng.random() * 0.03)

    async def run(self, kind: str, client: int, n: int, rng: random.Random) -> None:
        if kind == "pay_refund" and not self.world.paid:
            kind = "pay_order"
        op = self.history.new(client, kind)
        try:
            follow_up = await getattr(self, kind)(op, client, n, rng)
        except Definite as refused:
            op.refused(refused.exc)
            return
        except GaveUp as exc:
            op.outcome, op.note = "unknown", str(exc)[:300]
            return
        if follow_up is not None:
            await follow_up

    # -- Connect Prime -------------------------------------------------------------------

    async def prime_buy(self, op: Op, client: int, n: int, rng: random.Random) -> None:
        fiat, crypto = rng.choice(["USD", "EUR"]), rng.choice(["BTC", "ETH"])
        await self._trade(op, client, n, "BUY", fiat, crypto, Decimal(rng.randint(20, 300)), 1, rng)

    async def prime_sell(self, op: Op, client: int, n: int, rng: random.Random) -> None:
        fiat, crypto = rng.choice(["USD", "EUR"]), rng.choice(["BTC", "ETH"])
        amount = Decimal(rng.randint(1, 20)) / (1000 if crypto == "BTC" else 100)
        await self._trade(op, client, n, "SELL", fiat, crypto, amount, 2, rng)

    async def _trade(
        self,
        op: Op,
        client: int,
        n: int,
        direction: str,
        fiat: str,
        crypto: str,
        amount: Decimal,
        amount_type: int,
        rng: random.Random,
    ) -> None:
        user = rng.choice(self.world.users).user_id
        quote = await read(
            op,
            lambda: self.prime.quote(
                user,
                fiat_currency=fiat,
                crypto_currency=crypto,
                direction=direction,
                amount=amount,
                amount_type=amount_type,
            ),
        )
        op.ambiguous = False  # the quote's retries say nothing about the order
        op.key = f"bank-{self.world.seed}-{client}-{n}"
        key = op.key
        try:
            result = await attempt(
                op, lambda: self.prime.execute_quote(quote.quote_id, key), keyed=True
            )
        except Definite as refused:
            if isinstance(refused.exc, DuplicateOrderSubmission):
                data = refused.exc.data if isinstance(refused.exc.data, dict) else {}
                if op.ambiguous and data.get("orderId"):
                    op.ok(str(data["orderId"]), "acknowledged as a duplicate of the first try")
                    return
                self.history.anomalies.append(f"op {op.id}: {key} was a duplicate at first try")
            raise
        op.ok(result.order_id)

    # -- Binance Pay ---------------------------------------------------------------------

    async def pay_order(
        self, op: Op, client: int, n: int, rng: random.Random
    ) -> Awaitable[None] | None:
        op.key = f"P{self.world.seed}C{client}N{n}"
        key = op.key
        amount = Decimal(rng.randint(100, 5000)) / 100
        try:
            created = await attempt(
                op,
                lambda: self.pay.create_order(
                    env={"terminalType": "WEB"},
                    merchant_trade_no=key,
                    order_amount=amount,
                    currency="USDT",
                    goods=GOODS,
                ),
                keyed=True,
            )
            prepay_id = created.prepay_id
        except Definite as refused:
            if not (op.ambiguous and isinstance(refused.exc, pay_errors.InvalidMerchantTradeNo)):
                raise
            found = await read(op, lambda: self.pay.query_order(merchant_trade_no=key))
            prepay_id = found.prepay_id
        op.ok(prepay_id)
        roll = rng.random()
        if roll < 0.65:
            payer = rng.choice(self.world.users).user_id
            return self._follow_up(client, "pay_payment", self.pay_payment(prepay_id, payer))
        if roll < 0.75:
            return self._follow_up(client, "pay_close", self.pay_close(prepay_id))
        return None  # left to expire

    async def _follow_up(
        self, client: int, kind: str, action: Callable[[Op], Awaitable[None]]
    ) -> None:
        op = self.history.new(client, kind)
        try:
            await action(op)
        except Definite as refused:
            op.refused(refused.exc)
        except GaveUp as exc:
            op.outcome, op.note = "unknown", str(exc)[:300]

    def pay_payment(self, prepay_id: str, payer: str) -> Callable[[Op], Awaitable[None]]:
        async def action(op: Op) -> None:
            op.key, op.detail["payer"] = prepay_id, payer
            path = f"/pay/orders/{prepay_id}/pay"
            try:
                await attempt(
                    op,
                    lambda: self.admin_call("POST", path, json={"payerUserId": payer}),
                    keyed=True,
                )
            except Definite as refused:
                if not op.ambiguous:
                    raise
                order = await read(op, lambda: self.admin_call("GET", f"/pay/orders/{prepay_id}"))
                paid = any(
                    e["kind"] == "paid" and e["detail"].get("payer") == payer
                    for e in order["timeline"]
                )
                if not paid:
                    raise
                op.ok(prepay_id, f"paid by the first try ({refused.exc})")
            else:
                op.ok(prepay_id)
            self.world.paid.append(prepay_id)

        return action

    def pay_close(self, prepay_id: str) -> Callable[[Op], Awaitable[None]]:
        async def action(op: Op) -> None:
            op.key = prepay_id
            await attempt(op, lambda: self.pay.close_order(prepay_id), keyed=True)
            op.ok(prepay_id)

        return action

    async def pay_refund(self, op: Op, client: int, n: int, rng: random.Random) -> None:
        prepay_id = rng.choice(self.world.paid)
        op.key = f"R{self.world.seed}C{client}N{n}"
        key = op.key
        amount = Decimal(rng.randint(1, 300)) / 100
        op.detail.update(prepayId=prepay_id, amount=str(amount))
        result = await attempt(op, lambda: self.pay.refund(key, prepay_id, amount), keyed=True)
        if result.duplicate_request and not op.ambiguous:
            self.history.anomalies.append(f"op {op.id}: refund {key} was a duplicate at first try")
        op.ok(prepay_id)

    async def pay_payout(self, op: Op, client: int, n: int, rng: random.Random) -> None:
        op.key = f"Q{self.world.seed}C{client}N{n}"
        key = op.key
        details = []
        for i in range(rng.randint(1, 3)):
            # One line in seven goes to nobody (BINANCE_ID 1): it fails, its amount returns.
            receiver = "1" if rng.random() < 1 / 7 else rng.choice(self.world.users).user_id
            details.append(
                {
                    "merchantSendId": f"S{i}",
                    "receiveType": "BINANCE_ID",
                    "receiver": receiver,
                    "transferAmount": str(Decimal(rng.randint(50, 500)) / 100),
                    "transferMethod": "FUNDING_WALLET",
                }
            )
        total = sum((Decimal(d["transferAmount"]) for d in details), Decimal(0))
        try:
            await attempt(
                op,
                lambda: self.pay.payout(key, "bank", "USDT", total, len(details), details),
                keyed=True,
            )
        except Definite as refused:
            if not (op.ambiguous and isinstance(refused.exc, pay_errors.InvalidParamWrongValue)):
                raise
            await read(op, lambda: self.pay.query_payout(key))
            op.ok(key, "acknowledged by payout/query after a retry")
            return
        op.ok(key)

    # -- the Wallet API (no business key: tagged amounts) ----------------------------------

    async def sub_transfer(self, op: Op, client: int, n: int, rng: random.Random) -> None:
        members = [self.world.master, *self.world.subs]
        src, dst = rng.sample(members, 2)
        op.tag = Decimal(rng.randint(1, 40)) + op.id * TAG_UNIT
        amount = op.tag
        op.detail.update(src=src.user_id, dst=dst.user_id)
        wallet = self.wallets[self.world.master.user_id]
        result = await attempt(
            op,
            lambda: wallet.sub_account_transfer(src.email, dst.email, "USDT", amount),
            keyed=False,
        )
        op.ok(result.txn_id)

    async def withdraw(self, op: Op, client: int, n: int, rng: random.Random) -> None:
        user = rng.choice(self.world.users)
        if rng.random() < 0.6:
            to = rng.choice([u for u in self.world.deposit_addresses if u != user.user_id])
            address = self.world.deposit_addresses[to]
        else:
            to, address = "", rng.choice(self.world.external_addresses)
        op.tag = Decimal(10 + rng.randint(0, 15)) + op.id * TAG_UNIT
        amount = op.tag
        op.detail.update(user=user.user_id, to=to, address=address)
        wallet = self.wallets[user.user_id]
        result = await attempt(
            op, lambda: wallet.withdraw("USDT", address, amount, network="TRX"), keyed=False
        )
        op.ok(result.id)
