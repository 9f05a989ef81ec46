"""`/sandbox/v1/networks`: deposits and withdrawals of a coin on a network switched off and
on (docs/wallet-api.md "Suspended networks"). A switched-off network makes the Wallet API
answer `-4019`, Connect Deposit refuse sessions on it, and the coin lists show it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StrictBool

from binance_sandbox.chain.networks import COINS, Network
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.control.deps import require_admin
from binance_sandbox.control.errors import CONTROL, NotFound
from binance_sandbox.web import openapi_body, parse_model

router = APIRouter(
    prefix="/sandbox/v1/networks",
    route_class=CONTROL.route_class,
    tags=["Sandbox control"],
    dependencies=[Depends(require_admin)],
)


class NetworkSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    withdrawEnable: StrictBool | None = None
    depositEnable: StrictBool | None = None


def _switches(request: Request) -> NetworkSwitches:
    switches: NetworkSwitches = request.app.state.chain_networks
    return switches


def network_state(net: Network, published: Network) -> dict[str, Any]:
    return {
        "coin": net.coin,
        "network": net.network,
        "withdrawEnable": net.withdraw_enable,
        "depositEnable": net.deposit_enable,
        "switched": (net.withdraw_enable, net.deposit_enable)
        != (published.withdraw_enable, published.deposit_enable),
    }


@router.get("")
async def list_networks(request: Request) -> list[dict[str, Any]]:
    switches = await _switches(request).fresh()
    return [network_state(switches.apply(net), net) for nets in COINS.values() for net in nets]


@router.patch("/{coin}/{network}", openapi_extra=openapi_body(NetworkSwitch))
async def switch_network(coin: str, network: str, request: Request) -> dict[str, Any]:
    req = parse_model(NetworkSwitch, await request.body())
    published = next((n for n in COINS.get(coin.upper(), []) if n.network == network.upper()), None)
    if published is None:
        raise NotFound(f"No network {network} for {coin}.")
    switches = await _switches(request).fresh()
    now = switches.apply(published)
    net = await switches.set(
        published,
        withdraw=now.withdraw_enable if req.withdrawEnable is None else req.withdrawEnable,
        deposit=now.deposit_enable if req.depositEnable is None else req.depositEnable,
    )
    return network_state(net, published)
