"""JSON with exact decimals.

Parsing turns every JSON number with a fraction or exponent into `Decimal` (never `float`);
`dumps` writes `Decimal` as a bare JSON number, for payloads whose spec shows numbers (the
`prime_order_event` webhook), and is compact and key-order preserving so that the bytes that
are signed are the bytes that are sent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

# `json.loads(data, parse_float=Decimal)` builds a decoder and its scanner for every call,
# which took as long as the parse of a small body: one decoder serves every call.
_DECODER = json.JSONDecoder(parse_float=Decimal)


def loads(data: str | bytes) -> Any:
    """`json.loads(data, parse_float=Decimal)`: bytes in UTF-8, -16 or -32, no BOM."""
    if isinstance(data, bytes | bytearray):
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    elif not isinstance(data, str):
        raise TypeError(f"the JSON object must be str or bytes, not {type(data).__name__}")
    if data.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
    return _DECODER.decode(data)


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot encode {value} as JSON")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# `json.dumps(text, ensure_ascii=False)` is this C function behind a layer of argument
# handling that costs more than the escaping itself; `_encode` runs on every answer.
_string = json.encoder.encode_basestring


def _encode(value: Any, out: list[str]) -> None:
    # Exact types first (what answers are made of), each written as `json.dumps` would write it.
    kind = type(value)
    if kind is dict:
        _encode_dict(value, out)
    elif kind is str:
        out.append(_string(value))
    elif kind is int:
        out.append(int.__repr__(value))
    elif value is None:
        out.append("null")
    elif kind is bool:
        out.append("true" if value else "false")
    elif isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, dict):
        _encode_dict(value, out)
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            if type(item) is dict:
                _encode_dict(item, out)
            else:
                _encode(item, out)
        out.append("]")
    elif isinstance(value, float):
        raise TypeError("floats are not allowed in wire payloads; use Decimal")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def _encode_dict(value: dict[Any, Any], out: list[str]) -> None:
    append = out.append
    separator = "{"
    for key, item in value.items():
        append(separator)
        separator = ","
        append(_string(key if type(key) is str else str(key)))
        append(":")
        # An answer's values are mostly these: written here, without a call each.
        item_kind = type(item)
        if item_kind is str:
            append(_string(item))
        elif item is None:
            append("null")
        elif item_kind is int:
            append(int.__repr__(item))
        elif item_kind is Decimal:
            append(_number(item))
        else:
            _encode(item, out)
    append("{}" if separator == "{" else "}")


def dumps(value: Any) -> str:
    out: list[str] = []
    _encode(value, out)
    return "".join(out)


def decimal_str(value: Decimal) -> str:
    """A decimal as a plain string without exponent (`1E-8` → `0.00000001`)."""
    return format(value, "f")
