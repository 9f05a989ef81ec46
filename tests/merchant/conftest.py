"""The merchant kit on a real loopback port: uvicorn in a background thread, httpx in front.

Every test gets its own database: a fresh SQLite file, or (when BSX_TEST_DATABASE_URL points at
PostgreSQL) the same tests again against PostgreSQL with the kit's tables dropped first.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox import wire
from binance_sandbox.merchant import MerchantSettings, create_merchant_app
from binance_sandbox.merchant.models import Base
from binance_sandbox.merchant.storage import normalize_database_url
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.connect import sign_connect

API_TOKEN = "merchant-api-token"
CLIENT_ID = "partner-client-1"
TIMESTAMP = "1756179222140"
DEFAULT = object()


@dataclass
class MerchantServer:
    """A running kit and the ways a test talks to it."""

    base_url: str
    settings: MerchantSettings
    platform_key: rsa.RSAPrivateKey
    http: httpx.Client
    server: uvicorn.Server
    thread: threading.Thread

    def callback(
        self,
        path: str,
        body: Any,
        *,
        token: Any = DEFAULT,
        sign: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A call as the platform makes it: bearer token, optionally signed like webhooks."""
        raw = body if isinstance(body, bytes) else wire.dumps(body).encode()
        sent = {"Content-Type": "application/json"}
        bearer = API_TOKEN if token is DEFAULT else token
        if bearer is not None:
            sent["Authorization"] = f"Bearer {bearer}"
        if sign:
            sent.update(self.signature_headers(raw))
        sent.update(headers or {})
        return self.http.post(path, content=raw, headers=sent)

    def signature_headers(
        self,
        raw: bytes,
        *,
        key: rsa.RSAPrivateKey | None = None,
        timestamp: str = TIMESTAMP,
        client_id: str = CLIENT_ID,
    ) -> dict[str, str]:
        return {
            "X-BN-Connect-Timestamp": timestamp,
            "X-BN-Connect-Signature": sign_connect(key or self.platform_key, raw, timestamp),
            "X-BN-Connect-For": client_id,
        }

    def webhook(self, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
        """Deliver a webhook, signed with the platform's key unless `headers` replace that."""
        raw = body if isinstance(body, bytes) else wire.dumps(body).encode()
        sent = self.signature_headers(raw) if headers is None else headers
        return self.http.post(
            "/webhooks/binance-connect",
            content=raw,
            headers={"Content-Type": "application/json", **sent},
        )

    def own(self, method: str, path: str, body: Any = None) -> Any:
        """The merchant's own API; returns `data`, asserting success."""
        response = self.own_raw(method, path, body)
        envelope = response.json()
        assert response.status_code == 200, envelope
        assert envelope["success"] is True, envelope
        return envelope["data"]

    def own_raw(self, method: str, path: str, body: Any = None) -> httpx.Response:
        content = None if body is None else wire.dumps(body).encode()
        return self.http.request(method, f"/merchant/v1{path}", content=content)

    def credit(self, user_id: str, currency: str, amount: str) -> Any:
        return self.own(
            "POST", f"/users/{user_id}/fiat/credit", {"currency": currency, "amount": amount}
        )

    def balances(self, user_id: str) -> dict[str, str]:
        data = self.own("GET", f"/users/{user_id}/fiat")
        assert data["userId"] == user_id
        return dict(data["balances"])

    def account(self, owner: str, currency: str) -> str | None:
        for account in self.own("GET", "/accounts"):
            if account["owner"] == owner and account["currency"] == currency:
                return str(account["balance"])
        return None

    def fiat_transfer(self, client_order_id: str, user_id: str, currency: str, amount: str) -> Any:
        return self.own(
            "POST",
            "/fiat-transfers",
            {
                "clientOrderId": client_order_id,
                "userId": user_id,
                "fiatCurrency": currency,
                "amount": amount,
            },
        )

    def assert_ledger_balanced(self) -> None:
        """Every currency sums to zero over all accounts, each balance is the sum of its
        entries, and no account but `external` is negative."""
        accounts = self.own("GET", "/accounts")
        totals: dict[str, Decimal] = {}
        from_entries: dict[tuple[str, str], Decimal] = {}
        for account in accounts:
            balance = Decimal(account["balance"])
            totals[account["currency"]] = totals.get(account["currency"], Decimal(0)) + balance
            if account["owner"] != "external":
                assert balance >= 0, account
        for entry in self.own("GET", "/journal?limit=1000"):
            amount = Decimal(entry["amount"])
            assert amount > 0, entry
            for owner, sign in ((entry["from"], -1), (entry["to"], 1)):
                key = (owner, entry["currency"])
                from_entries[key] = from_entries.get(key, Decimal(0)) + sign * amount
        assert all(total == 0 for total in totals.values()), totals
        for account in accounts:
            key = (account["owner"], account["currency"])
            assert Decimal(account["balance"]) == from_entries.get(key, Decimal(0)), account

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "merchant server did not stop"


def _database_params() -> list[Any]:
    params: list[Any] = ["sqlite"]
    if os.environ.get("BSX_TEST_DATABASE_URL", "").startswith("postgres"):
        params.append(pytest.param("postgres", marks=pytest.mark.postgres))
    return params


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'merchant.db'}"
        return
    url = os.environ["BSX_TEST_DATABASE_URL"]
    engine = sqlalchemy.create_engine(normalize_database_url(url))
    try:
        Base.metadata.drop_all(engine)
    finally:
        engine.dispose()
    yield url


@pytest.fixture(scope="session")
def platform_key() -> rsa.RSAPrivateKey:
    """The platform's webhook signing key (its public half is the partner's webhookPublicKey)."""
    return generate_private_key(2048)


@pytest.fixture
def start_merchant(
    database_url: str, platform_key: rsa.RSAPrivateKey
) -> Iterator[Callable[..., MerchantServer]]:
    """Start a kit with the default settings overridden by keyword arguments."""
    running: list[MerchantServer] = []

    def start(**overrides: Any) -> MerchantServer:
        assert not running, "one kit per test: they would share the database"
        settings = MerchantSettings(
            **{
                "database_url": database_url,
                "api_token": API_TOKEN,
                "webhook_public_key": public_key_to_der_b64(platform_key.public_key()),
                "client_id": CLIENT_ID,
                "id_seed": 7,
                **overrides,
            }
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_merchant_app(settings),
                host="127.0.0.1",
                port=0,
                log_level="warning",
                ws="none",
                lifespan="on",
            )
        )
        thread = threading.Thread(target=server.run, name="merchant-kit", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive(), "merchant server failed to start"
            assert time.monotonic() < deadline, "merchant server did not start"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        base_url = f"http://127.0.0.1:{port}"
        kit = MerchantServer(
            base_url=base_url,
            settings=settings,
            platform_key=platform_key,
            http=httpx.Client(base_url=base_url, timeout=30),
            server=server,
            thread=thread,
        )
        running.append(kit)
        return kit

    yield start
    for kit in running:
        kit.stop()


@pytest.fixture
def merchant(start_merchant: Callable[..., MerchantServer]) -> MerchantServer:
    return start_merchant()
