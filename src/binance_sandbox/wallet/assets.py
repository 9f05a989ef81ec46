"""Asset details (from the chain core's network table) and trade fees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_sandbox.chain.networks import COINS, network_for
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.market import CRYPTOS
from binance_sandbox.wallet import errors

# Quote assets of the sandbox's spot symbols, the strongest first: a symbol is BASEQUOTE
# with the quote stronger than the base (ETHBTC, not BTCETH).
QUOTES = ("USDT", "BTC", "ETH", "BNB")
# The sandbox's fee schedule (sandbox choice, one rate for every symbol): 0.1 %.
MAKER_FEE = Decimal("0.001")
TAKER_FEE = Decimal("0.001")


def _strength(asset: str) -> int:
    return QUOTES.index(asset) if asset in QUOTES else len(QUOTES)


def symbol_pairs() -> list[tuple[str, str, str]]:
    """(symbol, base, quote) of every spot symbol of the sandbox, by symbol."""
    return sorted(
        (base + quote, base, quote)
        for base in CRYPTOS
        for quote in QUOTES
        if base != quote and _strength(quote) < _strength(base)
    )


def symbols() -> list[str]:
    return [symbol for symbol, _base, _quote in symbol_pairs()]


def trade_fee(symbol: str | None) -> dict[str, Any]:
    known = symbols()
    if symbol is not None and symbol not in known:
        raise errors.InvalidSymbol()
    chosen = [symbol] if symbol else known
    return {
        "tradeFee": [{"symbol": s, "maker": MAKER_FEE, "taker": TAKER_FEE} for s in chosen],
        "success": True,
    }


def asset_detail(switches: NetworkSwitches) -> dict[str, Any]:
    """Each coin as its default network publishes it (with the switches set on it)."""
    detail: dict[str, Any] = {}
    for coin in sorted(COINS):
        net = switches.apply(network_for(coin))
        entry: dict[str, Any] = {
            "minWithdrawAmount": format(net.withdraw_min.quantize(Decimal("1e-8")), "f"),
            "depositStatus": net.deposit_enable,
            "withdrawFee": net.withdraw_fee,
            "withdrawStatus": net.withdraw_enable,
        }
        if not net.deposit_enable:
            entry["depositTip"] = "Deposit Suspended"
        detail[coin] = entry
    return {"success": True, "assetDetail": detail}
