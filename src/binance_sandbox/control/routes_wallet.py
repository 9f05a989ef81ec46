"""`/sandbox/v1/users`, `/balances`, `/chain/transfers`, `/withdrawals`, and the Wallet API's
own (docs/wallet-api.md, "Control API"): users and their balances, deposit addresses and
transfers on the simulated chains, API keys, sub-accounts, dividends and statuses."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from binance_sandbox.control import schemas as s
from binance_sandbox.control.deps import Chain, Users, Wallet, body, control_router
from binance_sandbox.web import openapi_body

router = control_router()


@router.post("/users", openapi_extra=openapi_body(s.UserCreate), status_code=201)
async def create_user(request: Request, users: Users) -> dict[str, Any]:
    return await users.create(await body(request, s.UserCreate))


@router.get("/users")
async def list_users(users: Users, partnerClientId: str | None = None) -> list[dict[str, Any]]:
    return await users.all(partnerClientId)


@router.post("/balances/credit", openapi_extra=openapi_body(s.Credit))
async def credit(request: Request, users: Users) -> dict[str, Any]:
    return await users.credit(await body(request, s.Credit))


@router.get("/balances")
async def balances(users: Users, userId: str = Query(min_length=1)) -> dict[str, Any]:
    return await users.balances(userId)


@router.get("/users/{user_id}/deposit-address")
async def user_deposit_address(
    user_id: str, users: Users, coin: str = Query(min_length=1), network: str | None = None
) -> dict[str, Any]:
    """A user's deposit address for a coin (on its default network unless one is named)."""
    return await users.deposit_address(user_id, coin, network)


# -- the simulated chains ---------------------------------------------------------------------


@router.post("/chain/transfers", openapi_extra=openapi_body(s.ChainTransferIn), status_code=201)
async def chain_transfer(request: Request, chain: Chain) -> dict[str, Any]:
    """Send on the simulated chain: credited to the address's user after confirmations."""
    req = await body(request, s.ChainTransferIn)
    return await chain.send(
        network=req.network,
        address=req.address,
        tag=req.addressTag,
        asset=req.asset,
        amount=req.amount,
    )


@router.get("/chain/transfers")
async def chain_transfers(
    chain: Chain,
    address: str | None = None,
    txHash: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await chain.transfers(address=address, tx_hash=txHash, limit=limit)


@router.post("/withdrawals/{withdrawal_id}/{outcome}")
async def resolve_withdrawal(withdrawal_id: str, outcome: str, chain: Chain) -> dict[str, Any]:
    """End a withdrawal as an operator: cancel (from 0), reject (from 0 or 2), fail (from 4)."""
    return await chain.resolve_withdrawal(withdrawal_id, outcome)


# -- Wallet API (docs/wallet-api.md, "Control API") ------------------------------------------


@router.post("/api-keys", openapi_extra=openapi_body(s.ApiKeyCreate), status_code=201)
async def create_api_key(request: Request, wallet: Wallet) -> dict[str, Any]:
    return await wallet.create_key(await body(request, s.ApiKeyCreate))


@router.get("/api-keys")
async def list_api_keys(wallet: Wallet, userId: str | None = None) -> list[dict[str, Any]]:
    return await wallet.list_keys(userId)


@router.patch("/api-keys/{api_key}", openapi_extra=openapi_body(s.ApiKeyUpdate))
async def update_api_key(api_key: str, request: Request, wallet: Wallet) -> dict[str, Any]:
    return await wallet.update_key(api_key, await body(request, s.ApiKeyUpdate))


@router.patch("/sub-accounts/{user_id}", openapi_extra=openapi_body(s.SubAccountUpdate))
async def update_sub_account(user_id: str, request: Request, wallet: Wallet) -> dict[str, Any]:
    return await wallet.update_sub_account(user_id, await body(request, s.SubAccountUpdate))


@router.post("/dividends", openapi_extra=openapi_body(s.DividendCreate), status_code=201)
async def create_dividend(request: Request, wallet: Wallet) -> dict[str, Any]:
    return await wallet.create_dividend(await body(request, s.DividendCreate))


@router.get("/system-status")
async def get_system_status(wallet: Wallet) -> dict[str, Any]:
    return await wallet.system_status()


@router.post("/system-status", openapi_extra=openapi_body(s.SystemStatusSet))
async def set_system_status(request: Request, wallet: Wallet) -> dict[str, Any]:
    return await wallet.set_system_status(await body(request, s.SystemStatusSet))


@router.post("/account-status", openapi_extra=openapi_body(s.AccountStatusSet))
async def set_account_status(request: Request, wallet: Wallet) -> dict[str, Any]:
    return await wallet.set_account_status(await body(request, s.AccountStatusSet))
