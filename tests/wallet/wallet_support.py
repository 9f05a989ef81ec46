"""Helpers for Wallet API tests: API keys made through the control API and hand-signed
requests (the HMAC-SHA256 of the spec's SIGNED section), for the cases a client library
would never send."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from binance_sandbox import wire
from sandbox_harness import Sandbox

Pairs = list[tuple[str, str]]


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


@dataclass
class Key:
    api_key: str
    secret_key: str
    user_id: str
    raw: dict[str, Any]


def create_key(box: Sandbox, user_id: str, **fields: Any) -> Key:
    r = box.admin.post("/sandbox/v1/api-keys", json={"userId": user_id, **fields})
    assert r.status_code == 201, r.text
    data = r.json()
    return Key(data["apiKey"], data["secretKey"], user_id, data)


def create_sub_account(box: Sandbox, master: str, email: str) -> str:
    r = box.admin.post("/sandbox/v1/users", json={"masterUserId": master, "email": email})
    assert r.status_code == 201, r.text
    assert r.json()["masterUserId"] == master
    return str(r.json()["userId"])


def body_of(response: httpx.Response) -> Any:
    return wire.loads(response.content)


def nested(msg: str) -> dict[str, Any]:
    """The api-style error wapi carries inside `msg`."""
    data = wire.loads(msg)
    assert isinstance(data, dict)
    return data


@dataclass
class Signed:
    """Requests signed with one key; timestamps from the sandbox clock."""

    http: httpx.Client
    box: Sandbox
    key: Key

    def request(
        self,
        method: str,
        path: str,
        params: Pairs | dict[str, Any] | None = None,
        *,
        body: Pairs | None = None,
        timestamp: int | None = None,
        recv_window: int | None = None,
        signed: bool = True,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        pairs: Pairs = [
            (k, str(v)) for k, v in (params.items() if isinstance(params, dict) else params or [])
        ]
        if recv_window is not None:
            pairs.append(("recvWindow", str(recv_window)))
        if signed:
            pairs.append(("timestamp", str(self.box.now() if timestamp is None else timestamp)))
        query = urlencode(pairs)
        form = urlencode(body) if body else ""
        if signed:
            sig = signature or hmac_hex(self.key.secret_key, query + form)
            if form:
                form += "&signature=" + sig
            else:
                query += ("&" if query else "") + "signature=" + sig
        all_headers = {"X-MBX-APIKEY": self.key.api_key, **(headers or {})}
        if form:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = path + ("?" + query if query else "")
        return self.http.request(method, url, content=form.encode(), headers=all_headers)

    def get(self, path: str, params: Pairs | dict[str, Any] | None = None, **kw: Any) -> Any:
        r = self.request("GET", path, params, **kw)
        assert r.status_code == 200, r.text
        return body_of(r)

    def post(self, path: str, params: Pairs | dict[str, Any] | None = None, **kw: Any) -> Any:
        r = self.request("POST", path, params, **kw)
        assert r.status_code == 200, r.text
        return body_of(r)

    def wapi_ok(self, method: str, path: str, params: Any = None, **kw: Any) -> Any:
        r = self.request(method, "/wapi/v3/" + path, params, **kw)
        assert r.status_code == 200, r.text
        data = body_of(r)
        if isinstance(data, dict) and "success" in data:
            assert data["success"] is True, data
        return data

    def wapi_fail(self, method: str, path: str, params: Any = None, **kw: Any) -> str:
        r = self.request(method, "/wapi/v3/" + path, params, **kw)
        assert r.status_code == 200, r.text
        data = body_of(r)
        assert data["success"] is False and set(data) == {"success", "msg"}, data
        return str(data["msg"])

    def wapi_filter_error(self, method: str, path: str, params: Any = None, **kw: Any) -> Any:
        """A request filter's refusal: its {code, msg} inside wapi's msg."""
        return nested(self.wapi_fail(method, path, params, **kw))

    def sapi_fail(
        self, method: str, path: str, status: int, params: Any = None, **kw: Any
    ) -> dict[str, Any]:
        r = self.request(method, "/sapi/v1/" + path, params, **kw)
        assert r.status_code == status, r.text
        data = body_of(r)
        assert set(data) == {"code", "msg"}, data
        return dict(data)
