"""Coins, their networks and each network's metadata, as Binance publishes them (address and
memo patterns, fees, limits, enable flags, dust), plus the sandbox's confirmation times."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from binance_sandbox.chain.errors import UnknownNetwork

EVM = r"^(0x)[0-9A-Fa-f]{40}$"


@dataclass(frozen=True)
class Network:
    coin: str
    network: str
    name: str
    address_regex: str
    memo_regex: str
    needs_memo: bool
    withdraw_fee: Decimal
    withdraw_min: Decimal
    withdraw_max: Decimal
    contract_address: str
    withdraw_enable: bool
    deposit_enable: bool
    deposit_dust: Decimal
    confirmations: int  # blocks before a deposit is credited
    block_ms: int  # sandbox time per block
    is_default: bool

    @property
    def confirm_ms(self) -> int:
        return self.confirmations * self.block_ms


def _net(
    coin: str,
    network: str,
    name: str,
    regex: str,
    fee: str,
    minimum: str,
    dust: str,
    confirmations: int,
    block_ms: int,
    *,
    default: bool = True,
    contract: str = "",
    memo: str = "",
    needs_memo: bool = False,
) -> Network:
    return Network(
        coin=coin,
        network=network,
        name=name,
        address_regex=regex,
        memo_regex=memo,
        needs_memo=needs_memo,
        withdraw_fee=Decimal(fee),
        withdraw_min=Decimal(minimum),
        withdraw_max=Decimal("9999999"),
        contract_address=contract,
        withdraw_enable=True,
        deposit_enable=True,
        deposit_dust=Decimal(dust),
        confirmations=confirmations,
        block_ms=block_ms,
        is_default=default,
    )


BTC_RE = r"^[13][a-km-zA-HJ-NP-Z1-9]{25,34}$|^(bc1)[0-9A-Za-z]{39,59}$"
TRX_RE = r"^T[1-9A-HJ-NP-Za-km-z]{33}$"
SOL_RE = r"^[1-9A-HJ-NP-Za-km-z]{32,44}$"
XRP_RE = r"^r[1-9A-HJ-NP-Za-km-z]{25,34}$"

COINS: dict[str, list[Network]] = {
    "BTC": [_net("BTC", "BTC", "Bitcoin", BTC_RE, "0.0002", "0.001", "0.000006", 2, 600_000)],
    "ETH": [_net("ETH", "ETH", "Ethereum (ERC20)", EVM, "0.0012", "0.005", "0.0001", 12, 12_000)],
    "BNB": [
        _net("BNB", "BSC", "BNB Smart Chain (BEP20)", EVM, "0.0005", "0.01", "0.00001", 15, 3_000)
    ],
    "USDT": [
        _net(
            "USDT",
            "ETH",
            "Ethereum (ERC20)",
            EVM,
            "4",
            "10",
            "0.01",
            12,
            12_000,
            default=False,
            contract="0xdac17f958d2ee523a2206206994597c13d831ec7",
        ),
        _net(
            "USDT",
            "TRX",
            "Tron (TRC20)",
            TRX_RE,
            "1",
            "10",
            "0.01",
            20,
            3_000,
            contract="TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        ),
        _net(
            "USDT",
            "BSC",
            "BNB Smart Chain (BEP20)",
            EVM,
            "0.29",
            "10",
            "0.01",
            15,
            3_000,
            default=False,
            contract="0x55d398326f99059ff775485246999027b3197955",
        ),
    ],
    "SOL": [_net("SOL", "SOL", "Solana", SOL_RE, "0.008", "0.1", "0.0001", 1, 1_000)],
    "XRP": [
        _net(
            "XRP",
            "XRP",
            "Ripple",
            XRP_RE,
            "0.25",
            "2",
            "0.001",
            1,
            4_000,
            memo=r"^[0-9A-Za-z\-_]{1,120}$",
            needs_memo=True,
        )
    ],
}


def network_for(coin: str, network: str | None = None) -> Network:
    """The coin's network by name, or its default network."""
    networks = COINS.get(coin)
    if not networks:
        raise UnknownNetwork(f"Unsupported coin {coin}.")
    if network is None or network == "":
        return next(n for n in networks if n.is_default)
    for n in networks:
        if n.network == network:
            return n
    raise UnknownNetwork(f"Network {network} is not supported for {coin}.")


def networks_named(network: str) -> list[Network]:
    return [n for nets in COINS.values() for n in nets if n.network == network]
