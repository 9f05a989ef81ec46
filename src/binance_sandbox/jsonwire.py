"""The SDK's name for `binance_sandbox.wire`, until the SDK imports that module itself."""

from binance_sandbox.wire import decimal_str, dumps, loads

__all__ = ["decimal_str", "dumps", "loads"]
