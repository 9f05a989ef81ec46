"""What the security and fuzz suites share: pictures of the sandbox's state to compare before
and after a rejected request, and the families' envelopes.

Two pictures, at two costs:
- `snapshot` asks the control API: the ledger audit (which must pass) and its per-asset totals,
  every order, deposit session, chain transfer, webhook, partner, merchant, user and API key
  with its status, and the balances of the given users. A few requests: taken around each
  rejected request of the security tests, and around each batch of fuzzed requests.
- `Fingerprint` reads the server's own database: every row of every table except the request
  log. A few queries: taken around each single fuzzed request. It is exact only while nothing
  but requests changes the database, so the fuzz servers run without the delivery worker.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterable
from typing import Any

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from binance_sandbox import wire
from binance_sandbox.storage.models import Base
from sandbox_harness import Sandbox

LISTS = {
    "primeOrders": ("/sandbox/v1/prime/orders", ("orderId", "status")),
    "payOrders": ("/sandbox/v1/pay/orders", ("prepayId", "status")),
    "deposits": ("/sandbox/v1/deposits", ("externalOrderId", "status")),
    "chainTransfers": ("/sandbox/v1/chain/transfers", ("txHash", "status")),
    "webhooks": ("/sandbox/v1/webhooks", ("id", "event")),
    "partners": ("/sandbox/v1/partners", ("clientId", "active")),
    "merchants": ("/sandbox/v1/merchants", ("merchantId", "active")),
    "users": ("/sandbox/v1/users", ("userId",)),
    "apiKeys": ("/sandbox/v1/api-keys", ("apiKey", "active", "permissions")),
}


def snapshot(box: Sandbox, users: Iterable[str] = ()) -> dict[str, Any]:
    """The sandbox's state as the control API shows it (see the module docstring)."""
    audit = box.audit()  # asserts the ledger's invariants hold
    state: dict[str, Any] = {"totals": audit["totals"]}
    for name, (path, fields) in LISTS.items():
        params = (
            {"limit": 1000} if "orders" in path or path.endswith(("deposits", "webhooks")) else {}
        )
        r = box.admin.get(path, params=params)
        assert r.status_code == 200, r.text
        state[name] = sorted(tuple(str(row.get(f)) for f in fields) for row in r.json())
    for user in users:
        r = box.admin.get("/sandbox/v1/balances", params={"userId": user})
        assert r.status_code == 200, r.text
        state[f"balances:{user}"] = sorted(
            (b["asset"], b["wallet"], b["amount"]) for b in r.json()["balances"]
        )
    return state


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two pictures (empty when nothing did)."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


class Fingerprint:
    """Every row of every table of a sandbox's database but the request log, hashed per
    table (see the module docstring)."""

    SKIP = frozenset({"request_log"})

    def __init__(self, database_url: str) -> None:
        url = database_url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self.engine: Engine = create_engine(url)
        self.tables = [t for t in Base.metadata.sorted_tables if t.name not in self.SKIP]

    def take(self) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for table in self.tables:
                rows = conn.execute(select(table)).all()
                text = "\n".join(sorted(repr(tuple(row)) for row in rows))
                out[table.name] = f"{len(rows)}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        return out

    def close(self) -> None:
        self.engine.dispose()


# -- envelopes ---------------------------------------------------------------------------------


def connect_error(response: httpx.Response) -> tuple[int, str, str]:
    """A Connect rejection: HTTP status, code, message (the envelope checked exactly)."""
    body = wire.loads(response.content)
    assert set(body) == {"success", "code", "data", "message"}, body
    assert body["success"] is False and body["code"] != "000000", body
    return response.status_code, str(body["code"]), str(body["message"])


def pay_error(response: httpx.Response) -> tuple[int, str, str]:
    body = wire.loads(response.content)
    assert set(body) == {"status", "code", "data", "errorMessage"}, body
    assert body["status"] == "FAIL" and body["code"] != "000000", body
    return response.status_code, str(body["code"]), str(body["errorMessage"])


def api_error(response: httpx.Response) -> tuple[int, int, str]:
    """A sapi/api rejection: `{"code": <negative>, "msg"}`."""
    body = wire.loads(response.content)
    assert set(body) == {"code", "msg"}, body
    assert isinstance(body["code"], int) and body["code"] < 0, body
    return response.status_code, body["code"], str(body["msg"])


def wapi_error(response: httpx.Response) -> tuple[int, str]:
    """A wapi rejection: HTTP 200 `{"success": false, "msg"}`."""
    body = wire.loads(response.content)
    assert set(body) == {"success", "msg"} and body["success"] is False, body
    return response.status_code, str(body["msg"])


def control_error(response: httpx.Response) -> tuple[int, str]:
    body = wire.loads(response.content)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return response.status_code, str(body["error"]["code"])


def raw_request(url: str, request: bytes) -> bytes:
    """Send bytes no HTTP client would (a header with a line break in it) and read the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)
