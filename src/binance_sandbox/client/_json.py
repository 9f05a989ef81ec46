"""The SDK's JSON: exact decimals in and out, never `float`. The one module of the SDK that
names the JSON library, so that changing it is a change here only."""

from __future__ import annotations

from binance_sandbox.wire import decimal_str, dumps, loads

DECODE_ERRORS: tuple[type[Exception], ...] = (ValueError, RecursionError)
"""What `loads` raises on an answer that is not JSON (UnicodeDecodeError is a ValueError)."""

__all__ = ["DECODE_ERRORS", "decimal_str", "dumps", "loads"]
