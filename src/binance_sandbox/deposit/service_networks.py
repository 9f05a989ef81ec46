"""Connect Deposit's networks: what `deposit/crypto-networks` lists, with the operator's
switches applied, and the check of the networks a new session asks for."""

from __future__ import annotations

from typing import Any

from binance_sandbox.chain.networks import COINS
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.deposit.service_shared import (
    coin_network,
    network_out,
)


class NetworkService:
    def __init__(self, switches: NetworkSwitches) -> None:
        # The chains' switches: a network suspended there is listed so here too.
        self.switches = switches

    async def crypto_networks(self) -> list[dict[str, Any]]:
        switches = await self.switches.fresh()
        return [
            {
                "cryptoCurrency": coin,
                "networks": [network_out(switches.apply(n)) for n in networks],
            }
            for coin, networks in COINS.items()
        ]


def requested_networks(coin: str, names: list[str], switches: NetworkSwitches) -> list[str]:
    if coin not in COINS:
        raise connect_errors.IllegalParameters(
            f"Unsupported cryptoCurrency {coin}; supported: {', '.join(COINS)}."
        )
    if not names:
        raise connect_errors.IllegalParameters("networks must name at least one network.")
    seen: list[str] = []
    for name in names:
        net = coin_network(coin, name)
        if net is None:
            offered = ", ".join(n.network for n in COINS[coin])
            raise connect_errors.IllegalParameters(
                f"Network {name} is not supported for {coin}; supported: {offered}."
            )
        net = switches.apply(net)
        if not net.deposit_enable:
            raise connect_errors.IllegalParameters(f"Deposits of {coin} on {name} are suspended.")
        if name in seen:
            raise connect_errors.IllegalParameters(f"networks names {name} more than once.")
        seen.append(name)
    return seen
