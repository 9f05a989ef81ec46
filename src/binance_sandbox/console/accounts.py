"""`/console/keys`, `/console/partners/{clientId}`, `/console/merchants/{merchantId}`: every
credential with its owner and status, Wallet API keys made, rotated and revoked, partners and
merchants onboarded, edited and their credentials rotated.

A new secret is shown once. The action that issues it answers with a redirect (so reloading
the page sends nothing again) and a short-lived cookie holding the credentials, MAC'd with
the admin token; the page it leads to shows them and deletes the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse, Response

from binance_sandbox.console.common import (
    COOKIE_PATH,
    back,
    page_router,
    read_form,
    render,
)
from binance_sandbox.control import schemas
from binance_sandbox.control.deps import credentials, partner_admin, pay_admin, user_admin
from binance_sandbox.control.errors import Invalid
from binance_sandbox.wallet.auth import SECURITY_TYPES
from binance_sandbox.web import describe_validation

REVEAL = "bsx_console_reveal"
REVEAL_MAX_AGE_S = 120
KEYS = f"{COOKIE_PATH}/keys"
NOTICES = {
    "saved": "Saved. The change applies to the next request.",
    "revoked": "The API key is revoked: it is refused from now on.",
}

router = page_router(include_in_schema=False)


def validated(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    """A control API request model from form fields; what is refused, in words."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise Invalid(describe_validation(exc)) from exc


def addresses(text: str) -> list[str]:
    """An IP whitelist typed into a form: addresses or CIDR ranges, by comma, space or line."""
    return [item for item in re.split(r"[\s,]+", text) if item]


def notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


# --- credentials shown once ----------------------------------------------------------------


def _mac(request: Request, payload: str) -> str:
    key = str(request.app.state.platform.settings.admin_token).encode()
    return hmac.new(key, f"{REVEAL}\n{payload}".encode(), hashlib.sha256).hexdigest()


def reveal(
    request: Request, path: str, title: str, fields: list[tuple[str, str, str]]
) -> RedirectResponse:
    """Go to `path`, which shows `fields` (label, value, element id) once."""
    payload = base64.urlsafe_b64encode(
        json.dumps({"path": path, "title": title, "fields": fields}).encode()
    ).decode()
    response = RedirectResponse(path, status_code=303)
    response.set_cookie(
        REVEAL,
        f"{payload}.{_mac(request, payload)}",
        path=COOKIE_PATH,
        max_age=REVEAL_MAX_AGE_S,
        httponly=True,
        samesite="strict",
    )
    return response


def revealed(request: Request) -> dict[str, Any] | None:
    """The credentials this page is to show, if the action that issued them led here."""
    payload, _, mac = request.cookies.get(REVEAL, "").partition(".")
    if not payload or not hmac.compare_digest(mac, _mac(request, payload)):
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("path") != request.url.path:
        return None
    return found


def page(request: Request, name: str, **context: Any) -> Response:
    shown = revealed(request)
    response = render(request, name, reveal=shown, notice=notice(request), **context)
    if shown is not None:
        response.delete_cookie(REVEAL, path=COOKIE_PATH)
    return response


def after_rotation(form: dict[str, str], default: str) -> str:
    """Where to show a rotation's new credentials: the page the button was on."""
    return KEYS if form.get("next") == KEYS else default


# --- all keys ------------------------------------------------------------------------------


@router.get("/keys")
async def keys(request: Request) -> Response:
    return page(
        request,
        "keys.html",
        keys=await credentials(request).overview(),
        users=await user_admin(request).all(None),
        permissions=SECURITY_TYPES,
    )


@router.post("/keys/wallet")
async def create_wallet_key(request: Request) -> Response:
    form = await read_form(request)
    chosen = [p for p in SECURITY_TYPES if form.get(f"perm-{p}") == "on"]
    if not chosen:
        raise Invalid("Choose at least one permission for the key.")
    req = validated(
        schemas.ApiKeyCreate,
        {
            "userId": form.get("userId", ""),
            "permissions": chosen,
            "ipWhitelist": addresses(form.get("ipWhitelist", "")),
        },
    )
    created = await request.app.state.wapi.admin.create_key(req)
    return reveal(
        request,
        KEYS,
        f"Wallet API key of user {created['userId']} created.",
        [
            ("apiKey", created["apiKey"], "new-api-key"),
            ("secretKey", created["secretKey"], "new-secret-key"),
        ],
    )


@router.post("/keys/wallet/{api_key}/rotate")
async def rotate_wallet_key(api_key: str, request: Request) -> Response:
    rotated = await credentials(request).rotate_wallet_key(api_key)
    return reveal(
        request,
        KEYS,
        f"Wallet API key of user {rotated['userId']} rotated: the old key is refused from now on.",
        [
            ("apiKey", rotated["apiKey"], "new-api-key"),
            ("secretKey", rotated["secretKey"], "new-secret-key"),
        ],
    )


@router.post("/keys/wallet/{api_key}/revoke")
async def revoke_wallet_key(api_key: str, request: Request) -> Response:
    await credentials(request).revoke_wallet_key(api_key)
    return back(KEYS, done="revoked")


# --- partners ------------------------------------------------------------------------------


@router.post("/partners/new")
async def create_partner(request: Request) -> Response:
    form = await read_form(request)
    req = validated(
        schemas.PartnerCreate,
        {
            "name": form.get("name", ""),
            "rsaPublicKey": form.get("rsaPublicKey", ""),
            "webhookUrl": form.get("webhookUrl") or None,
            "merchantApiBaseUrl": form.get("merchantApiBaseUrl") or None,
            "ipWhitelist": addresses(form.get("ipWhitelist", "")),
        },
    )
    created = await partner_admin(request).create(req)
    return reveal(
        request,
        f"{COOKIE_PATH}/partners/{created['clientId']}",
        f"Partner {created['name']} created.",
        [
            ("clientId", created["clientId"], "new-client-id"),
            ("signAccessToken", created["signAccessToken"], "new-access-token"),
        ],
    )


@router.get("/partners/{client_id}")
async def partner(client_id: str, request: Request) -> Response:
    found = await partner_admin(request).get(client_id)
    token = next(iter(await credentials(request).overview("partner", client_id)), None)
    return page(request, "partner.html", partner=found, token=token)


@router.post("/partners/{client_id}")
async def update_partner(client_id: str, request: Request) -> Response:
    form = await read_form(request)
    fields: dict[str, Any] = {
        "name": form.get("name", ""),
        "webhookUrl": form.get("webhookUrl") or None,
        "merchantApiBaseUrl": form.get("merchantApiBaseUrl") or None,
        "ipWhitelist": addresses(form.get("ipWhitelist", "")),
        "customSpreadMin": form.get("customSpreadMin") or None,
        "customSpreadMax": form.get("customSpreadMax") or None,
        "active": form.get("active") == "on",
    }
    if not fields["name"]:
        raise Invalid("name: the partner needs a name.")
    if form.get("merchantApiToken"):
        fields["merchantApiToken"] = form["merchantApiToken"]
    elif form.get("clearMerchantApiToken") == "on":
        fields["merchantApiToken"] = None
    if form.get("rsaPublicKey"):
        fields["rsaPublicKey"] = form["rsaPublicKey"]
    await partner_admin(request).update(client_id, validated(schemas.PartnerUpdate, fields))
    return back(f"{COOKIE_PATH}/partners/{client_id}", done="saved")


@router.post("/partners/{client_id}/rotate")
async def rotate_partner(client_id: str, request: Request) -> Response:
    form = await read_form(request)
    req = validated(schemas.PartnerRotate, {"rsaPublicKey": form.get("rsaPublicKey") or None})
    rotated = await credentials(request).rotate_partner(client_id, req)
    replaced = " and RSA public key" if req.rsaPublicKey else ""
    return reveal(
        request,
        after_rotation(form, f"{COOKIE_PATH}/partners/{client_id}"),
        f"Partner {rotated['name']}: new signAccessToken{replaced}. "
        "The old token is refused from now on.",
        [
            ("clientId", rotated["clientId"], "new-client-id"),
            ("signAccessToken", rotated["signAccessToken"], "new-access-token"),
        ],
    )


# --- merchants -----------------------------------------------------------------------------


@router.post("/merchants/new")
async def create_merchant(request: Request) -> Response:
    form = await read_form(request)
    req = validated(
        schemas.MerchantCreate,
        {
            "name": form.get("name", ""),
            "webhookUrl": form.get("webhookUrl") or None,
            "ipWhitelist": addresses(form.get("ipWhitelist", "")),
        },
    )
    created = await pay_admin(request).create_merchant(req)
    return reveal(
        request,
        f"{COOKIE_PATH}/merchants/{created['merchantId']}",
        f"Merchant {created['name']} created.",
        [
            ("merchantId", created["merchantId"], "new-merchant-id"),
            ("apiKey", created["apiKey"], "new-api-key"),
            ("apiSecret", created["apiSecret"], "new-api-secret"),
        ],
    )


@router.get("/merchants/{merchant_id}")
async def merchant(merchant_id: str, request: Request) -> Response:
    found = await pay_admin(request).merchant(merchant_id)
    key = next(iter(await credentials(request).overview("merchant", merchant_id)), None)
    return page(request, "merchant.html", merchant=found, key=key)


@router.post("/merchants/{merchant_id}")
async def update_merchant(merchant_id: str, request: Request) -> Response:
    form = await read_form(request)
    if not form.get("name"):
        raise Invalid("name: the merchant needs a name.")
    req = validated(
        schemas.MerchantUpdate,
        {
            "name": form["name"],
            "webhookUrl": form.get("webhookUrl") or None,
            "ipWhitelist": addresses(form.get("ipWhitelist", "")),
            "directDebitWhitelisted": form.get("directDebitWhitelisted") == "on",
            "active": form.get("active") == "on",
        },
    )
    await pay_admin(request).update_merchant(merchant_id, req)
    return back(f"{COOKIE_PATH}/merchants/{merchant_id}", done="saved")


@router.post("/merchants/{merchant_id}/rotate")
async def rotate_merchant(merchant_id: str, request: Request) -> Response:
    form = await read_form(request)
    rotated = await credentials(request).rotate_merchant(merchant_id)
    return reveal(
        request,
        after_rotation(form, f"{COOKIE_PATH}/merchants/{merchant_id}"),
        f"Merchant {rotated['name']}: new apiKey and apiSecret. "
        "The old key is refused from now on.",
        [
            ("merchantId", rotated["merchantId"], "new-merchant-id"),
            ("apiKey", rotated["apiKey"], "new-api-key"),
            ("apiSecret", rotated["apiSecret"], "new-api-secret"),
        ],
    )
