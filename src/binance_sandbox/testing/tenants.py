"""What a test sets up on the sandbox: its test clock, and partners, merchants and users on it,
each with its raw credentials and a ready SDK client.

Every tenant a factory makes lives on the test's own test clock (unless the test says
`testClockId=None`) and sends its webhooks to the test's inbox, so that tests sharing one
server neither move each other's time nor read each other's webhooks. The clients the
factories open are closed after the test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client import (
    ConnectDepositClient,
    ConnectPrimeClient,
    PayClient,
    WalletClient,
)
from binance_sandbox.signing import (
    generate_private_key,
    private_key_to_pem,
    public_key_to_der_b64,
)
from binance_sandbox.testing.receiver import Webhooks
from binance_sandbox.testing.server import BinanceSandbox, NotSettled, control


@dataclass(frozen=True)
class TestClock:
    """The test's test clock (`/sandbox/v1/test-clocks`): frozen, and moved only by
    `advance`, which runs every event of its tenants due on the way, in order."""

    __test__ = False  # not a test class, whatever its name

    id: str
    name: str | None
    admin: httpx.Client = field(repr=False)

    def now_ms(self) -> int:
        """The clock's time, epoch milliseconds."""
        return int(control(self.admin.get(f"/sandbox/v1/test-clocks/{self.id}"))["nowMs"])

    def advance(self, ms: int) -> int:
        """Move the clock on by `ms` and answer once every event of its tenants due on the way
        has run and been recorded (webhooks delivered, callbacks made): the number of events
        of this clock that ran while it moved (by the move or by the delivery worker).
        Other clocks do not move. `NotSettled` if the sandbox stopped waiting first."""
        answer = control(
            self.admin.post(f"/sandbox/v1/test-clocks/{self.id}/advance", json={"ms": ms})
        )
        if answer["status"] != "ready":
            raise NotSettled(answer)
        return int(answer["ran"])

    def settle(self) -> int:
        """Run what is due on the clock now, without moving it (the webhook after a payment,
        the first check after an execute): `advance(0)`."""
        return self.advance(0)


@dataclass(frozen=True)
class Partner:
    """A Connect partner (Prime and Deposit): its credentials as the partner's configuration
    would hold them, and a client of each family signed with them. `webhook_public_key`
    verifies its webhooks (`ConnectWebhookVerifier`); `raw` is the control API's answer."""

    client_id: str
    access_token: str
    private_key: rsa.RSAPrivateKey = field(repr=False)
    private_key_pem: str = field(repr=False)
    webhook_public_key: str = field(repr=False)
    prime: ConnectPrimeClient = field(repr=False)
    deposit: ConnectDepositClient = field(repr=False)
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Merchant:
    """A Binance Pay merchant: its id, `api_key` and `api_secret`, and a `PayClient` signed
    with them; `raw` is the control API's answer."""

    merchant_id: str
    api_key: str
    api_secret: str = field(repr=False)
    pay: PayClient = field(repr=False)
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class User:
    """A user's Binance account with a Wallet API key (every permission): `user_id`, the
    key's `api_key` and `secret_key`, and a `WalletClient` signed with them; `raw` is the
    control API's answer for the user."""

    user_id: str
    api_key: str
    secret_key: str = field(repr=False)
    wallet: WalletClient = field(repr=False)
    raw: dict[str, Any] = field(repr=False)


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


@dataclass
class Tenants:
    """What the factories of one test share: the server, the test's clock and inbox, and the
    clients to close after it."""

    sandbox: BinanceSandbox
    clock: TestClock
    webhooks: Webhooks
    clients: list[Closable] = field(default_factory=list)

    def owned(self, fields: dict[str, Any], family: str) -> dict[str, Any]:
        """The tenant's fields, on the test's clock and inbox unless the test says."""
        return {
            "testClockId": self.clock.id,
            "webhookUrl": f"{self.webhooks.url}/{family}",
            **fields,
        }

    def opened(self, client: C) -> C:
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.clients.clear()


class PartnerFactory:
    """`binance_partner(**fields)`: a new Connect partner."""

    def __init__(self, tenants: Tenants) -> None:
        self._tenants = tenants

    def __call__(self, *, private_key: rsa.RSAPrivateKey | None = None, **fields: Any) -> Partner:
        """A partner with an RSA key of its own (2048 bits, or `private_key`). `fields` are
        those of `POST /sandbox/v1/partners`, camelCase as on the wire: `name`,
        `customSpreadMax`, `merchantApiBaseUrl` (your merchant-side service; without one the
        fiat of a buy is taken as received), `ipWhitelist`, …; `webhookUrl` and `testClockId`
        default to the test's inbox and clock."""
        tenants = self._tenants
        key = private_key or generate_private_key(2048)
        body = tenants.owned(
            {
                "name": "Test Partner",
                "rsaPublicKey": public_key_to_der_b64(key.public_key()),
                **fields,
            },
            "connect",
        )
        box = tenants.sandbox
        raw = control(box.admin.post("/sandbox/v1/partners", json=body), 201)
        credentials = (box.url, raw["clientId"], raw["signAccessToken"], key)
        return Partner(
            client_id=raw["clientId"],
            access_token=raw["signAccessToken"],
            private_key=key,
            private_key_pem=private_key_to_pem(key),
            webhook_public_key=raw["webhookPublicKey"],
            prime=tenants.opened(ConnectPrimeClient(*credentials)),
            deposit=tenants.opened(ConnectDepositClient(*credentials)),
            raw=raw,
        )


class MerchantFactory:
    """`binance_merchant(**fields)`: a new Binance Pay merchant."""

    def __init__(self, tenants: Tenants) -> None:
        self._tenants = tenants

    def __call__(self, **fields: Any) -> Merchant:
        """A merchant with fresh API credentials. `fields` are those of
        `POST /sandbox/v1/merchants`: `name`, `ipWhitelist`, `directDebitWhitelisted`, …;
        `webhookUrl` and `testClockId` default to the test's inbox and clock."""
        tenants = self._tenants
        body = tenants.owned({"name": "Test Shop", **fields}, "pay")
        box = tenants.sandbox
        raw = control(box.admin.post("/sandbox/v1/merchants", json=body), 201)
        return Merchant(
            merchant_id=raw["merchantId"],
            api_key=raw["apiKey"],
            api_secret=raw["apiSecret"],
            pay=tenants.opened(PayClient(box.url, raw["apiKey"], raw["apiSecret"])),
            raw=raw,
        )


Amount = str | int | Decimal


class UserFactory:
    """`binance_user(partner=…, balances=…, **fields)`: a new user with a Wallet API key."""

    def __init__(self, tenants: Tenants) -> None:
        self._tenants = tenants

    def __call__(
        self,
        *,
        partner: Partner | None = None,
        balances: Mapping[str, Amount] | None = None,
        **fields: Any,
    ) -> User:
        """A user — of `partner` when given (a Connect user, as after Binance Link), on the
        partner's clock; else on the test's — credited `balances` (asset → amount, in the
        SPOT wallet), with a Wallet API key. `fields` are those of `POST /sandbox/v1/users`:
        `email`, `userId`, `masterUserId` (a sub-account), `testClockId`, …"""
        tenants = self._tenants
        body = dict(fields)
        if partner is not None:
            body.setdefault("partnerClientId", partner.client_id)
        else:
            body.setdefault("testClockId", tenants.clock.id)
        box = tenants.sandbox
        raw = control(box.admin.post("/sandbox/v1/users", json=body), 201)
        user_id = str(raw["userId"])
        for asset, amount in (balances or {}).items():
            if not isinstance(amount, str | int | Decimal) or isinstance(amount, bool):
                raise TypeError(f"{asset}: give an amount as str, int or Decimal, never float")
            credit = {"userId": user_id, "asset": asset, "amount": str(amount)}
            control(box.admin.post("/sandbox/v1/balances/credit", json=credit))
        key = control(box.admin.post("/sandbox/v1/api-keys", json={"userId": user_id}), 201)
        return User(
            user_id=user_id,
            api_key=key["apiKey"],
            secret_key=key["secretKey"],
            wallet=tenants.opened(WalletClient(box.url, key["apiKey"], key["secretKey"])),
            raw=raw,
        )
