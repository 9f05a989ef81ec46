"""JSON with exact decimals, on msgspec.

`loads` turns every JSON number with a fraction or an exponent into `Decimal`, never `float`.
`dumps` is compact and keeps key order, so that the bytes that are signed are the bytes that
are sent; it writes a `Decimal` as a bare JSON number without exponent or trailing zeros (the
`prime_order_event` webhook's numbers) and refuses a `float`, so one can never reach the wire.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec

_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder()


def loads(data: str | bytes | bytearray) -> Any:
    """What `json.loads(data, parse_float=Decimal)` gives, and its errors for what is not
    JSON (bytes in UTF-8, -16 or -32; a byte order mark only in bytes)."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
        data = data.encode("utf-8", "surrogatepass")
    elif isinstance(data, bytes | bytearray):
        encoding = json.detect_encoding(data)
        if encoding != "utf-8":  # UTF-16 and -32, which JSON's earlier RFCs allowed, or a BOM
            data = bytes(data).decode(encoding).encode()
    else:
        raise TypeError(f"the JSON object must be str or bytes, not {type(data).__name__}")
    try:
        return _DECODER.decode(data)
    except msgspec.DecodeError as exc:
        # The standard library's errors, which callers catch: bytes that are not UTF-8 raise
        # `UnicodeDecodeError` here, text that is not JSON `JSONDecodeError`.
        text = bytes(data).decode()
        raise json.JSONDecodeError(str(exc), text, 0) from None


def _number(value: Decimal) -> msgspec.Raw:
    if not value.is_finite():
        raise ValueError(f"cannot encode {value} as JSON")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return msgspec.Raw((text or "0").encode())


def _exact(value: Any) -> Any:
    """The value with each `Decimal` as its number's text; a `float` refused."""
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool:
        return value
    if kind is dict:
        return {key: _exact(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_exact(item) for item in value]
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, float):
        raise TypeError("floats are not allowed in wire payloads; use Decimal")
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_exact(item) for item in value]
    return value


def encode(value: Any) -> bytes:
    """The value as compact JSON bytes (what `dumps` writes, in UTF-8)."""
    return _ENCODER.encode(_exact(value))


def dumps(value: Any) -> str:
    return encode(value).decode()


def decimal_str(value: Decimal) -> str:
    """A decimal as a plain string without exponent (`1E-8` → `0.00000001`)."""
    return format(value, "f")
